import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { CaseRated, CheckReplied, TOPICS } from '@mash/contracts';
import { MessageContext } from '@mash/messaging';
import { RequestsService } from './requests.service';

@Controller()
export class RequestsHandlers {
  constructor(private readonly requests: RequestsService) {}

  @EventPattern(TOPICS.caseRated)
  onRated(@Payload() e: CaseRated, @Ctx() ctx: MessageContext) {
    // Only the start-of-checks rating asks agencies; the end rating is triage's record.
    if (e.stage !== 'start') return;
    return this.requests.fanOut(e, ctx);
  }

  @EventPattern('mash.check.*.replied.v1')
  onReply(@Payload() e: CheckReplied, @Ctx() ctx: MessageContext) {
    return this.requests.collect(e, ctx.topic.split('.')[2], ctx);
  }
}
