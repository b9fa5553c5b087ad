import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { CaseRated, CaseReady, ContactReceived, DecisionRecorded, TOPICS } from '@mash/contracts';
import { MessageContext } from '@mash/messaging';
import { NoticesService } from './notices.service';

/** Each handler runs in the transport's transaction with the inbox: a redelivered envelope does nothing. */
@Controller()
export class NoticesHandlers {
  constructor(private readonly notices: NoticesService) {}

  @EventPattern(TOPICS.contactReceived)
  onContact(@Payload() e: ContactReceived, @Ctx() ctx: MessageContext) {
    return this.notices.contactReceived(e, ctx.manager);
  }

  @EventPattern(TOPICS.caseRated)
  onRated(@Payload() e: CaseRated, @Ctx() ctx: MessageContext) {
    return this.notices.caseRated(e, ctx.manager);
  }

  @EventPattern(TOPICS.caseReady)
  onReady(@Payload() e: CaseReady, @Ctx() ctx: MessageContext) {
    return this.notices.caseReady(e, ctx.manager);
  }

  @EventPattern(TOPICS.decisionRecorded)
  onDecision(@Payload() e: DecisionRecorded, @Ctx() ctx: MessageContext) {
    return this.notices.decisionRecorded(e, ctx.envelope.occurredAt, ctx.manager);
  }
}
