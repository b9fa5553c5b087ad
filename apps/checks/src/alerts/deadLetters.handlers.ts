import { Controller, UseFilters } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { DeadLetter, TOPICS } from '@mash/contracts';
import { MessageContext } from '@mash/messaging';
import { RethrowToPort } from '../rethrow.filter';
import { AlertsService } from './alerts.service';

@Controller()
@UseFilters(RethrowToPort)
export class DeadLettersHandlers {
  constructor(private readonly alerts: AlertsService) {}

  @EventPattern(TOPICS.deadLetter)
  onDeadLetter(@Payload() letter: DeadLetter, @Ctx() ctx: MessageContext) {
    return this.alerts.fromDeadLetter(letter, ctx);
  }
}
