import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { DeadLetter, TOPICS } from '@mash/contracts';
import { MessageContext } from '@mash/messaging';
import { AlertsService } from './alerts.service';

@Controller()
export class DeadLettersHandlers {
  constructor(private readonly alerts: AlertsService) {}

  @EventPattern(TOPICS.deadLetter)
  onDeadLetter(@Payload() letter: DeadLetter, @Ctx() ctx: MessageContext) {
    return this.alerts.fromDeadLetter(letter, ctx);
  }
}
