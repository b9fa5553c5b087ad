import { Module } from '@nestjs/common';
import { ServiceModule } from '@mash/platform';
import { BoardController } from './board/board.controller';
import { BoardHandlers } from './board/board.handlers';
import { BoardProjection } from './board/board.projection';
import { BoardQuery } from './board/board.query';
import { CredentialsService } from './credentials/credentials.service';
import { DecisionsController } from './decisions/decisions.controller';
import { InboundHandlers } from './intake/inbound.handlers';
import { IntakeController } from './intake/intake.controller';
import { IntakeService } from './intake/intake.service';
import { LagController } from './lag/lag.controller';
import { LagSampler } from './lag/lag.sampler';
import { RatingTimescales } from './intake/timescales';
import { GatewayTables1700000000100 } from './migrations/1700000000100-gateway-tables';
import { BoardAgencyStatus1700000000160 } from './migrations/1700000000160-board-agency-status';
import { GatewayRetention1700000000170 } from './migrations/1700000000170-gateway-retention';
import { GatewayRetention } from './retention/gatewayRetention';
import { OpenApiController } from './openapi/openapi.controller';
import { ConsentOverridesController } from './overrides/overrides.controller';
import { InboundDeadLettersHandlers } from './quarantine/inboundDeadLetters.handlers';
import { QuarantineService } from './quarantine/quarantine.service';
import { StatusController } from './status/status.controller';
import { StatusHandlers } from './status/status.handlers';

export const GATEWAY_MIGRATIONS = [GatewayTables1700000000100, BoardAgencyStatus1700000000160, GatewayRetention1700000000170];

@Module({
  imports: [ServiceModule.forService({ name: 'gateway', schema: 'gateway', migrations: GATEWAY_MIGRATIONS })],
  controllers: [IntakeController, InboundHandlers, StatusController, StatusHandlers, DecisionsController, OpenApiController, BoardController, BoardHandlers, LagController, ConsentOverridesController, InboundDeadLettersHandlers],
  providers: [CredentialsService, IntakeService, QuarantineService, RatingTimescales, BoardProjection, BoardQuery, LagSampler, GatewayRetention],
})
export class GatewayModule {}
