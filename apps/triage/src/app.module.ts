import { Module } from '@nestjs/common';
import { ServiceModule } from '@mash/platform';
import { IntakeHandlers } from './intake/intake.handlers';
import { IntakeService } from './intake/intake.service';
import { MatrixController } from './matrix/matrix.controller';
import { TriageTables1700000000200 } from './migrations/1700000000200-triage-tables';
import { TriagePeople1700000000210 } from './migrations/1700000000210-triage-people';
import { TriageRetention1700000000220 } from './migrations/1700000000220-triage-retention';
import { TriageRetention } from './retention/triageRetention';
import { OpenCasesService } from './openCases/openCases.service';
import { OverridesHandlers } from './overrides/overrides.handlers';
import { OverridesService } from './overrides/overrides.service';
import { policyProvider } from './policy.provider';
import { ReratingHandlers } from './rerating/rerating.handlers';
import { ReratingService } from './rerating/rerating.service';

export const TRIAGE_MIGRATIONS = [TriageTables1700000000200, TriagePeople1700000000210, TriageRetention1700000000220];

@Module({
  imports: [ServiceModule.forService({ name: 'triage', schema: 'triage', migrations: TRIAGE_MIGRATIONS })],
  controllers: [IntakeHandlers, OverridesHandlers, ReratingHandlers, MatrixController],
  providers: [policyProvider, IntakeService, OpenCasesService, OverridesService, ReratingService, TriageRetention],
})
export class TriageModule {}
