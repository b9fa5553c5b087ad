import { LegalHoldsController } from './legalHolds/legalHolds.controller';
import { LegalHoldsRepository } from './legalHolds/legalHolds.repository';
import { GatewayLegalHolds1700000001300 } from './migrations/1700000001300-legal-holds';
import { MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { sealColumnsMigration, ServiceModule } from '@mash/platform';
import { GATEWAY_SEALED_FIRST, GATEWAY_SEALED_MORE } from './sealedColumns';
import { AccessGuard } from './access/access.guard';
import { RefusalLimiter } from './access/refusalLimiter';
import { CredentialsRepository } from './credentials/credentials.repository';
import { QuarantineRepository } from './quarantine/quarantine.repository';
import { ContactsRepository } from './intake/contacts.repository';
import { AccessRefusalsRepository } from './access/accessRefusals.repository';
import { AccessAudit } from './access/accessAudit';
import { BoardController } from './board/board.controller';
import { BoardHandlers } from './board/board.handlers';
import { BoardProjection } from './board/board.projection';
import { BoardQuery } from './board/board.query';
import { DeadlineMetrics } from './board/deadline.metrics';
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
import { CaseProgress1700000000180 } from './migrations/1700000000180-case-progress';
import { Access1700000000190 } from './migrations/1700000000190-access';
import { CasePictureRatings1700000000200 } from './migrations/1700000000200-case-picture-ratings';
import { QuarantineDigest1700000001000 } from './migrations/1700000001000-quarantine-digest';
import { LagSnapshot1700000001101 } from './migrations/1700000001101-lag-snapshot';
import { LagSnapshotRepository } from './lag/lagSnapshot.repository';
import { GatewayRetention } from './retention/gatewayRetention';
import { OpenApiController } from './openapi/openapi.controller';
import { ProblemsController } from './problems/problems.controller';
import { ConsentOverridesController } from './overrides/overrides.controller';
import { InboundDeadLettersHandlers } from './quarantine/inboundDeadLetters.handlers';
import { QuarantineService } from './quarantine/quarantine.service';
import { personTokensProvider } from './people/personTokens';
import { StatusController } from './status/status.controller';
import { StatusHandlers } from './status/status.handlers';
import { StatusProjection } from './status/status.projection';
import { StatusRepository } from './status/status.repository';
import { DisclosureAudit } from './audit/disclosureAudit';
import { CasesRepository } from './casework/cases.repository';
import { HubTransfers1700000001600 } from './migrations/1700000001600-hub-transfers';
import { HubKeys } from './transfers/hubKeys';
import { TransferSender } from './transfers/transferSender';
import { TransfersController } from './transfers/transfers.controller';
import { TransfersRepository } from './transfers/transfers.repository';
import { DecisionsService } from './decisions/decisions.service';
import { ConsentOverridesService } from './overrides/overrides.service';
import { CaseReads } from './status/caseReads';
import { WorkspaceSessions1700000001500 } from './migrations/1700000001500-workspace-sessions';
import { workspaceOidcProvider } from './workspace/oidcClient';
import { WorkspaceSessions } from './workspace/sessions.repository';
import { WorkspaceController } from './workspace/workspace.controller';
import { IndicatorsController } from './indicators/indicators.controller';
import { IndicatorsRepository } from './indicators/indicators.repository';
import { IndicatorsService } from './indicators/indicators.service';
import { OpsRepository } from './workspace/ops.repository';
import { WorkspaceSessionMiddleware } from './workspace/workspaceSession.middleware';

export const GATEWAY_MIGRATIONS = [
  GatewayTables1700000000100,
  BoardAgencyStatus1700000000160,
  GatewayRetention1700000000170,
  CaseProgress1700000000180,
  Access1700000000190,
  CasePictureRatings1700000000200,
  QuarantineDigest1700000001000,
  LagSnapshot1700000001101,
  sealColumnsMigration('GatewayAtRest1700000001230', GATEWAY_SEALED_FIRST),
  GatewayLegalHolds1700000001300,
  WorkspaceSessions1700000001500,
  HubTransfers1700000001600,
  sealColumnsMigration('GatewaySealMore1700000001920', GATEWAY_SEALED_MORE),
];

@Module({
  imports: [ServiceModule.forService({ name: 'gateway', schema: 'gateway', migrations: GATEWAY_MIGRATIONS })],
  controllers: [
    IntakeController,
    InboundHandlers,
    StatusController,
    StatusHandlers,
    DecisionsController,
    OpenApiController,
    ProblemsController,
    BoardController,
    BoardHandlers,
    LagController,
    ConsentOverridesController,
    LegalHoldsController,
    InboundDeadLettersHandlers,
    TransfersController,
    WorkspaceController,
    IndicatorsController,
  ],
  providers: [
    CredentialsService,
    CredentialsRepository,
    personTokensProvider,
    AccessAudit,
    AccessRefusalsRepository,
    RefusalLimiter,
    AccessGuard,
    IntakeService,
    ContactsRepository,
    QuarantineService,
    QuarantineRepository,
    RatingTimescales,
    BoardProjection,
    StatusProjection,
    StatusRepository,
    DisclosureAudit,
    CasesRepository,
    BoardQuery,
    DeadlineMetrics,
    LagSampler,
    LagSnapshotRepository,
    GatewayRetention,
    LegalHoldsRepository,
    HubKeys,
    TransfersRepository,
    TransferSender,
    DecisionsService,
    ConsentOverridesService,
    CaseReads,
    workspaceOidcProvider,
    WorkspaceSessions,
    WorkspaceSessionMiddleware,
    IndicatorsRepository,
    IndicatorsService,
    OpsRepository,
  ],
})
export class GatewayModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(WorkspaceSessionMiddleware).forRoutes(WorkspaceController);
  }
}
