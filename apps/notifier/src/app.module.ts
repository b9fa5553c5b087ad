import { Module } from '@nestjs/common';
import { ServiceModule } from '@mash/platform';
import { NotifierTables1700000000400 } from './migrations/1700000000400-notifier-tables';
import { DigestJob } from './digest/digestJob';
import { NoticeDelivery1700000000401 } from './migrations/1700000000401-notice-delivery';
import { NoticesHandlers } from './notices/notices.handlers';
import { NoticesService } from './notices/notices.service';
import { DeliveryWorker } from './sending/deliveryWorker';
import { NoticeSender } from './sending/noticeSender';

@Module({
  imports: [
    ServiceModule.forService({ name: 'notifier', schema: 'notifier', migrations: [NotifierTables1700000000400, NoticeDelivery1700000000401] }),
  ],
  controllers: [NoticesHandlers],
  providers: [NoticesService, NoticeSender, DeliveryWorker, DigestJob],
})
export class NotifierModule {}
