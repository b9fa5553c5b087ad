import { TriageLegalHoldHandlers } from './retention/legalHold.handlers';
import { TriageLegalHolds1700000001301 } from './migrations/1700000001301-legal-holds';
import { Module } from '@nestjs/common';
import { sealColumnsMigration, ServiceModule } from '@mash/platform';
import { TRIAGE_SEALED_FIRST, TRIAGE_SEALED_NAMES } from './sealedColumns';
import { IntakeHandlers } from './intake/intake.handlers';
import { IntakeService } from './intake/intake.service';
import { MatrixController } from './matrix/matrix.controller';
import { TriageTables1700000000200 } from './migrations/1700000000200-triage-tables';
import { TriagePeople1700000000210 } from './migrations/1700000000210-triage-people';
import { TriageRetention1700000000220 } from './migrations/1700000000220-triage-retention';
import { TriageIntakeKeys1700000000230 } from './migrations/1700000000230-triage-intake-keys';
import { TriageAtRest1700000001200 } from './migrations/1700000001200-triage-at-rest';
import { TriageRetention } from './retention/triageRetention';
import { OpenCasesService } from './openCases/openCases.service';
import { OverridesHandlers } from './overrides/overrides.handlers';
import { OverridesService } from './overrides/overrides.service';
import { policyProvider } from './policy.provider';
import { ReratingHandlers } from './rerating/rerating.handlers';
import { ReratingService } from './rerating/rerating.service';

export const TRIAGE_MIGRATIONS = [
  TriageTables1700000000200,
  TriagePeople1700000000210,
  TriageRetention1700000000220,
  TriageIntakeKeys1700000000230,
  TriageAtRest1700000001200,
  TriageLegalHolds1700000001301,
  sealColumnsMigration(
    'TriageSealReasons1700000001900',
    TRIAGE_SEALED_FIRST.filter((c) => ['cases', 'ratings', 'consent_overrides'].includes(c.table)),
  ),
  sealColumnsMigration('TriageSealNames1700000009110', TRIAGE_SEALED_NAMES),
];

@Module({
  imports: [ServiceModule.forService({ name: 'triage', schema: 'triage', migrations: TRIAGE_MIGRATIONS })],
  controllers: [IntakeHandlers, OverridesHandlers, ReratingHandlers, MatrixController, TriageLegalHoldHandlers],
  providers: [policyProvider, IntakeService, OpenCasesService, OverridesService, ReratingService, TriageRetention],
})
export class TriageModule {}
