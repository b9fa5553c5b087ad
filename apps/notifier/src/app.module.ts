import { Module } from '@nestjs/common';
import { ServiceModule } from '@mash/platform';
import { NotifierTables1700000000400 } from './migrations/1700000000400-notifier-tables';
import { DigestJob } from './digest/digestJob';
import { NoticeDelivery1700000000401 } from './migrations/1700000000401-notice-delivery';
import { NotifierRetention1700000000402 } from './migrations/1700000000402-notifier-retention';
import { NotifierRetention } from './retention/notifierRetention';
import { NoticesHandlers } from './notices/notices.handlers';
import { NoticesService } from './notices/notices.service';
import { DeliveryWorker } from './sending/deliveryWorker';
import { NoticeSender } from './sending/noticeSender';

@Module({
  imports: [
    ServiceModule.forService({ name: 'notifier', schema: 'notifier', migrations: [NotifierTables1700000000400, NoticeDelivery1700000000401, NotifierRetention1700000000402] }),
  ],
  controllers: [NoticesHandlers],
  providers: [NoticesService, NoticeSender, DeliveryWorker, DigestJob, NotifierRetention],
})
export class NotifierModule {}
