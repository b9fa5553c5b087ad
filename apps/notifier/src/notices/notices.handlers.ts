import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { CaseRated, CaseReady, ContactReceived, DecisionRecorded, TOPICS } from '@mash/contracts';
import { MessageContext } from '@mash/messaging';
import { NoticesService } from './notices.service';

@Controller()
export class NoticesHandlers {
  constructor(private readonly notices: NoticesService) {}

  @EventPattern(TOPICS.contactReceived)
  onContact(@Payload() e: ContactReceived, @Ctx() ctx: MessageContext) {
    return this.notices.rememberReferrer(e, ctx);
  }

  @EventPattern(TOPICS.caseRated)
  async onRated(@Payload() e: CaseRated, @Ctx() ctx: MessageContext) {
    await ctx.manager.query(`UPDATE notifier.referrers SET case_id = $2 WHERE contact_id = $1`, [e.contactId, e.caseId]);
  }

  @EventPattern(TOPICS.caseReady)
  async onReady(@Payload() e: CaseReady, @Ctx() ctx: MessageContext) {
    for (const agency of e.replied) {
      await ctx.manager.query(`INSERT INTO notifier.contributors (case_id, agency) VALUES ($1, $2) ON CONFLICT DO NOTHING`, [e.caseId, agency]);
    }
  }

  @EventPattern(TOPICS.decisionRecorded)
  onDecision(@Payload() e: DecisionRecorded, @Ctx() ctx: MessageContext) {
    return this.notices.decided(e, ctx);
  }
}
