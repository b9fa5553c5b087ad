import { Module } from '@nestjs/common';
import { ServiceModule } from '@mash/platform';
import { ChecksTables1700000000300 } from './migrations/1700000000300-checks-tables';
import { RequestsHandlers } from './requests/requests.handlers';
import { RequestsService } from './requests/requests.service';
import { TimersService } from './timers/timers.service';

@Module({
  imports: [ServiceModule.forService({ name: 'checks', schema: 'checks', migrations: [ChecksTables1700000000300] })],
  controllers: [RequestsHandlers],
  providers: [RequestsService, TimersService],
})
export class ChecksModule {}
