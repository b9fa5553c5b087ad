import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { CheckChased, CheckReplied, isCheckAgency, TOPICS } from '@mash/contracts';
import { log, MessageContext } from '@mash/messaging';
import { BoardProjection } from './board.projection';

/**
 * The board's own topics: chasing and replies, which no other gateway handler reads. The rating
 * and readiness reach the board through StatusHandlers (StatusProjection writes their rows with
 * the case), since a topic has one handler per service.
 */
@Controller()
export class BoardHandlers {
  constructor(private readonly board: BoardProjection) {}

  @EventPattern(TOPICS.checkChased)
  async chased(@Payload() e: CheckChased, @Ctx() ctx: MessageContext) {
    await this.board.chased(e, ctx.manager);
  }

  @EventPattern('mash.check.*.replied.v1')
  async replied(@Payload() e: CheckReplied, @Ctx() ctx: MessageContext) {
    // The topic, which only that agency's connector may write, says who replied. A body that
    // claims another agency is the checks service's to refuse; the board just does not count it.
    const fromTopic = ctx.topic.split('.')[2];
    if (!isCheckAgency(fromTopic) || e.agency !== fromTopic) {
      log('warn', 'reply ignored by the board: agency does not match its topic', {
        topic: ctx.topic,
        caseId: e.caseId,
        messageId: ctx.envelope.id,
      });
      return;
    }
    await this.board.replied(fromTopic, e, ctx.manager);
  }
}
