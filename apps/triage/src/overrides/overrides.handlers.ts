import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { ConsentOverride, TOPICS } from '@mash/contracts';
import { MessageContext } from '@mash/messaging';
import { OverridesService } from './overrides.service';

@Controller()
export class OverridesHandlers {
  constructor(private readonly overrides: OverridesService) {}

  @EventPattern(TOPICS.consentOverride)
  onOverride(@Payload() e: ConsentOverride, @Ctx() ctx: MessageContext) {
    return this.overrides.apply(e, ctx);
  }
}
