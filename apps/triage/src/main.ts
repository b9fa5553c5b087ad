import 'reflect-metadata';
import { runMain, runService } from '@mash/platform';
import { TriageModule } from './app.module';

/** Triage owns the case: matching, rating, deadline and check plan; applies decisions. */
async function startTriage(port = Number(process.env.TRIAGE_PORT ?? 8081)) {
  return runService(TriageModule, { name: 'triage', schema: 'triage', port });
}

runMain('triage', () => startTriage());
