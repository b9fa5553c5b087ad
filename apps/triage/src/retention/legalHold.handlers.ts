import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { LegalHold, TOPICS } from '@mash/contracts';
import { MessageContext } from '@mash/messaging';
import { applyLegalHold } from '@mash/platform';

/** A hold set or lifted at the gateway, into triage's own holds table, which its retention run checks. */
@Controller()
export class TriageLegalHoldHandlers {
  @EventPattern(TOPICS.legalHold)
  async onHold(@Payload() e: LegalHold, @Ctx() ctx: MessageContext): Promise<void> {
    await applyLegalHold(ctx.manager, 'triage', e);
  }
}
