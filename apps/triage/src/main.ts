import 'reflect-metadata';
import { log, setLogService } from '@mash/messaging';
import { loadPolicyFromEnv, policyPathFromEnv } from '@mash/policy';
import { runMain, runService } from '@mash/platform';
import { TriageModule } from './app.module';

/** Triage owns the case: matching, rating, deadline and check plan; applies decisions. */
async function startTriage(port = Number(process.env.TRIAGE_PORT ?? 8081)) {
  // Before anything else: a service must not run on a policy that fails its schema.
  setLogService('triage');
  const policy = loadPolicyFromEnv();
  log('info', 'policy loaded', { path: policyPathFromEnv(), locality: policy.locality, policyVersion: policy.version });
  return runService(TriageModule, { name: 'triage', schema: 'triage', port });
}

runMain('triage', () => startTriage());
