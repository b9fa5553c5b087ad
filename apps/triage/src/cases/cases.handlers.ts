import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { CaseReady, ContactReceived, DecisionRecorded, TOPICS } from '@mash/contracts';
import { MessageContext } from '@mash/messaging';
import { CasesService } from './cases.service';

@Controller()
export class CasesHandlers {
  constructor(private readonly cases: CasesService) {}

  @EventPattern(TOPICS.contactReceived)
  onContact(@Payload() e: ContactReceived, @Ctx() ctx: MessageContext) {
    return this.cases.open(e, ctx);
  }

  @EventPattern(TOPICS.caseReady)
  onReady(@Payload() e: CaseReady, @Ctx() ctx: MessageContext) {
    return this.cases.reRate(e, ctx);
  }

  @EventPattern(TOPICS.decisionRecorded)
  onDecision(@Payload() e: DecisionRecorded, @Ctx() ctx: MessageContext) {
    return this.cases.applyDecision(e, ctx);
  }
}
