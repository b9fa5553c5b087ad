import { Module } from '@nestjs/common';
import { ServiceModule } from '@mash/platform';
import { CredentialsService } from './credentials/credentials.service';
import { DecisionsController } from './decisions/decisions.controller';
import { InboundHandlers } from './intake/inbound.handlers';
import { IntakeController } from './intake/intake.controller';
import { IntakeService } from './intake/intake.service';
import { RatingTimescales } from './intake/timescales';
import { GatewayTables1700000000100 } from './migrations/1700000000100-gateway-tables';
import { OpenApiController } from './openapi/openapi.controller';
import { QuarantineService } from './quarantine/quarantine.service';
import { StatusController } from './status/status.controller';
import { StatusHandlers } from './status/status.handlers';

export const GATEWAY_MIGRATIONS = [GatewayTables1700000000100];

@Module({
  imports: [ServiceModule.forService({ name: 'gateway', schema: 'gateway', migrations: GATEWAY_MIGRATIONS })],
  controllers: [IntakeController, InboundHandlers, StatusController, StatusHandlers, DecisionsController, OpenApiController],
  providers: [CredentialsService, IntakeService, QuarantineService, RatingTimescales],
})
export class GatewayModule {}
