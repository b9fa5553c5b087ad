import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { ContactReceived, TOPICS } from '@mash/contracts';
import { MessageContext } from '@mash/messaging';
import { IntakeService } from './intake.service';

@Controller()
export class IntakeHandlers {
  constructor(private readonly intake: IntakeService) {}

  @EventPattern(TOPICS.contactReceived)
  onContact(@Payload() e: ContactReceived, @Ctx() ctx: MessageContext) {
    return this.intake.open(e, ctx);
  }
}
