import { ChecksLegalHoldHandlers } from './retention/legalHold.handlers';
import { ChecksLegalHolds1700000001302 } from './migrations/1700000001302-legal-holds';
import { Module } from '@nestjs/common';
import { sealColumnsMigration, ServiceModule } from '@mash/platform';
import { CHECKS_SEALED } from './sealedColumns';
import { AlertsService } from './alerts/alerts.service';
import { DeadLettersHandlers } from './alerts/deadLetters.handlers';
import { agencyCalendarProvider } from './chasing';
import { ChecksTables1700000000300 } from './migrations/1700000000300-checks-tables';
import { ChecksTimerKeys1700000000310 } from './migrations/1700000000310-checks-timer-keys';
import { ChecksPlanRevisions1700000000320 } from './migrations/1700000000320-checks-plan-revisions';
import { ChecksRetention1700000000330 } from './migrations/1700000000330-checks-retention';
import { policyProvider } from './policy.provider';
import { CasesRepository } from './cases/cases.repository';
import { PictureRepository } from './picture/picture.repository';
import { RepliesRepository } from './picture/replies.repository';
import { RequestsRepository } from './requests/requests.repository';
import { ChecksRetention, DecisionsHandlers } from './retention/checksRetention';
import { PictureService } from './picture/picture.service';
import { RequestsHandlers } from './requests/requests.handlers';
import { RequestsService } from './requests/requests.service';
import { TimersService } from './timers/timers.service';

@Module({
  imports: [
    ServiceModule.forService({
      name: 'checks',
      schema: 'checks',
      migrations: [
        ChecksTables1700000000300,
        ChecksTimerKeys1700000000310,
        ChecksPlanRevisions1700000000320,
        ChecksRetention1700000000330,
        sealColumnsMigration('ChecksAtRest1700000001210', CHECKS_SEALED),
        ChecksLegalHolds1700000001302,
      ],
    }),
  ],
  controllers: [RequestsHandlers, DeadLettersHandlers, DecisionsHandlers, ChecksLegalHoldHandlers],
  // agencyCalendarProvider: where the working calendar plugs in (chasing/workingHours.ts).
  providers: [
    policyProvider,
    agencyCalendarProvider,
    CasesRepository,
    RequestsRepository,
    RepliesRepository,
    PictureRepository,
    PictureService,
    RequestsService,
    TimersService,
    AlertsService,
    ChecksRetention,
  ],
})
export class ChecksModule {}
