import 'reflect-metadata';
import { runMain, runService } from '@mash/platform';
import { ChecksModule } from './app.module';

/** Checks: one request per agency, deadlines that are chased, and the full picture. */
async function startChecks(port = Number(process.env.CHECKS_PORT ?? 8082)) {
  return runService(ChecksModule, { name: 'checks', schema: 'checks', port });
}

runMain('checks', () => startChecks());
