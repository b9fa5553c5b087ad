import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { DeadLetter, TOPICS } from '@mash/contracts';
import { MessageContext, openRaw } from '@mash/messaging';
import { QuarantineService } from './quarantine.service';

const INBOUND = /^mash\.contact\.([a-z-]+)\.inbound\.v1$/;

/**
 * A submission refused on an adapter's inbound topic is parked in the dead-letter topic by the
 * Kafka port before any handler sees it. Ops look for rejected input in one place, so the
 * gateway copies those letters (the front door's rejections) into its quarantine too.
 */
@Controller()
export class InboundDeadLettersHandlers {
  constructor(private readonly quarantine: QuarantineService) {}

  @EventPattern(TOPICS.deadLetter)
  async parked(@Payload() letter: DeadLetter, @Ctx() ctx: MessageContext) {
    const agency = INBOUND.exec(letter.originalTopic)?.[1];
    // Each consumer group parks its own copy; the gateway's copy is the front door's verdict.
    if (!agency || letter.consumer !== 'gateway') return;
    await this.quarantine.keep(
      {
        sender: agency,
        channel: `kafka ${letter.originalTopic}`,
        status: 422,
        reason: letter.reason,
        errors: (letter.errors ?? []) as { path: string; rule: string; message: string }[],
        raw: ((r) => (r.encoding === 'base64' ? `base64:${r.value}` : r.value))(openRaw(letter)),
      },
      ctx.manager,
    );
  }
}
