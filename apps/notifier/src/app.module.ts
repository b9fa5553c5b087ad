import { NotifierLegalHoldHandlers } from './retention/legalHold.handlers';
import { NotifierLegalHolds1700000001303 } from './migrations/1700000001303-legal-holds';
import { Module } from '@nestjs/common';
import { sealColumnsMigration, ServiceModule } from '@mash/platform';
import { NOTIFIER_SEALED_ADDRESSES, NOTIFIER_SEALED_FIRST } from './sealedColumns';
import { NotifierTables1700000000400 } from './migrations/1700000000400-notifier-tables';
import { DigestJob } from './digest/digestJob';
import { NoticeDelivery1700000000401 } from './migrations/1700000000401-notice-delivery';
import { NotifierRetention1700000000402 } from './migrations/1700000000402-notifier-retention';
import { NotifierRetention } from './retention/notifierRetention';
import { NoticesHandlers } from './notices/notices.handlers';
import { NoticesService } from './notices/notices.service';
import { NoticesRepository } from './notices/notices.repository';
import { DeliveryWorker } from './sending/deliveryWorker';
import { NoticeSender } from './sending/noticeSender';
import { NoticesByCase1700000001920 } from './migrations/1700000001920-notices-by-case';

@Module({
  imports: [
    ServiceModule.forService({
      name: 'notifier',
      schema: 'notifier',
      migrations: [
        NotifierTables1700000000400,
        NoticeDelivery1700000000401,
        NotifierRetention1700000000402,
        sealColumnsMigration('NotifierAtRest1700000001220', NOTIFIER_SEALED_FIRST),
        NotifierLegalHolds1700000001303,
        sealColumnsMigration('NotifierSealAddresses1700000001910', NOTIFIER_SEALED_ADDRESSES),
        NoticesByCase1700000001920,
      ],
    }),
  ],
  controllers: [NoticesHandlers, NotifierLegalHoldHandlers],
  providers: [NoticesService, NoticesRepository, NoticeSender, DeliveryWorker, DigestJob, NotifierRetention],
})
export class NotifierModule {}
