import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { CaseReady, DecisionRecorded, TOPICS } from '@mash/contracts';
import { MessageContext } from '@mash/messaging';
import { ReratingService } from './rerating.service';

@Controller()
export class ReratingHandlers {
  constructor(private readonly rerating: ReratingService) {}

  @EventPattern(TOPICS.caseReady)
  onReady(@Payload() e: CaseReady, @Ctx() ctx: MessageContext) {
    return this.rerating.onReady(e, ctx);
  }

  @EventPattern(TOPICS.decisionRecorded)
  onDecision(@Payload() e: DecisionRecorded, @Ctx() ctx: MessageContext) {
    return this.rerating.onDecision(e, ctx);
  }
}
