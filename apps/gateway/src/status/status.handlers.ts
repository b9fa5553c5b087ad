import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { CaseRated, CaseReady, DecisionRecorded, NoticeDelivered, TeamsAlerted, TOPICS } from '@mash/contracts';
import { MessageContext } from '@mash/messaging';
import { StatusProjection } from './status.projection';

/**
 * Builds the gateway's view of each contact's journey from the other services' events, so that a
 * referrer or the wall board can ask "where is it?" without reading another service's tables.
 * Each handler runs in the transport's transaction with the inbox: a redelivery changes nothing.
 */
@Controller()
export class StatusHandlers {
  constructor(private readonly status: StatusProjection) {}

  @EventPattern(TOPICS.caseRated)
  async rated(@Payload() e: CaseRated, @Ctx() ctx: MessageContext) {
    await this.status.rated(e, ctx.envelope.occurredAt, ctx.manager);
  }

  @EventPattern(TOPICS.teamsAlerted)
  async alerted(@Payload() e: TeamsAlerted, @Ctx() ctx: MessageContext) {
    await this.status.teamsAlerted(e, ctx.envelope.occurredAt, ctx.manager);
  }

  @EventPattern(TOPICS.caseReady)
  async ready(@Payload() e: CaseReady, @Ctx() ctx: MessageContext) {
    await this.status.ready(e, ctx.envelope.occurredAt, ctx.manager);
  }

  @EventPattern(TOPICS.decisionRecorded)
  async decided(@Payload() e: DecisionRecorded, @Ctx() ctx: MessageContext) {
    await this.status.decided(e, ctx.envelope.occurredAt, ctx.manager);
  }

  @EventPattern(TOPICS.noticeDelivered)
  async noticed(@Payload() e: NoticeDelivered, @Ctx() ctx: MessageContext) {
    await this.status.noticed(e, ctx.envelope.occurredAt, ctx.manager);
  }
}
