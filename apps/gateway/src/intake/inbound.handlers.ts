import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { ContactInbound, SubmittingAgency } from '@mash/contracts';
import { MessageContext, RejectedMessage } from '@mash/messaging';
import { IntakeService } from './intake.service';

/**
 * Adapters that publish to their inbound topic get the front door's rules too. The topic, which
 * only that adapter may write (Kafka ACL), says who sent it; a body claiming another agency is refused.
 */
@Controller()
export class InboundHandlers {
  constructor(private readonly intake: IntakeService) {}

  @EventPattern('mash.contact.*.inbound.v1')
  async inbound(@Payload() e: ContactInbound, @Ctx() ctx: MessageContext) {
    const fromTopic = ctx.topic.split('.')[2] as SubmittingAgency;
    if (e.agency !== fromTopic) throw new RejectedMessage(`submission claims agency ${e.agency} on the ${fromTopic} inbound topic`);
    const result = await this.intake.accept(fromTopic, e.submission, ctx.manager);
    if (result.kind === 'invalid')
      throw new RejectedMessage(`invalid submission: ${result.errors.map((x) => `${x.path} ${x.rule}`).join('; ')}`);
  }
}
