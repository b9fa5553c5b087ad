import 'reflect-metadata';
import { Body, Controller, Get, HttpCode, Module, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';

/**
 * The baseline for bench/gatewayThroughput.ts: a bare NestJS app (Express, default JSON body
 * parser) with one POST endpoint that answers 202 and does nothing else. Whatever the gateway
 * costs beyond this is the front door's own work: credentials, validation, Postgres, outbox.
 */
@Controller()
class BareController {
  @Get('health')
  health() {
    return { status: 'ok' };
  }

  @Post('v1/agencies/:agency/contacts')
  @HttpCode(202)
  accept(@Body() body: { agencyReference?: string }) {
    return { accepted: body?.agencyReference ?? null };
  }
}

@Module({ controllers: [BareController] })
class BareModule {}

async function main(): Promise<void> {
  const app = await NestFactory.create(BareModule, { logger: ['error'] });
  await app.listen(Number(process.env.BARE_PORT ?? 8099), '127.0.0.1');
  process.stdout.write('bare nest ready\n');
}

main().catch((err) => {
  process.stderr.write(`bare nest failed: ${(err as Error).message}\n`);
  process.exit(1);
});
