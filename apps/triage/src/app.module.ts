import { Module } from '@nestjs/common';
import { ServiceModule } from '@mash/platform';
import { CasesHandlers } from './cases/cases.handlers';
import { CasesService } from './cases/cases.service';
import { TriageTables1700000000200 } from './migrations/1700000000200-triage-tables';

@Module({
  imports: [ServiceModule.forService({ name: 'triage', schema: 'triage', migrations: [TriageTables1700000000200] })],
  controllers: [CasesHandlers],
  providers: [CasesService],
})
export class TriageModule {}
