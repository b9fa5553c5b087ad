import { Module } from '@nestjs/common';
import { ServiceModule } from '@mash/platform';
import { NotifierTables1700000000400 } from './migrations/1700000000400-notifier-tables';
import { NoticesHandlers } from './notices/notices.handlers';
import { NoticesService } from './notices/notices.service';

@Module({
  imports: [ServiceModule.forService({ name: 'notifier', schema: 'notifier', migrations: [NotifierTables1700000000400] })],
  controllers: [NoticesHandlers],
  providers: [NoticesService],
})
export class NotifierModule {}
