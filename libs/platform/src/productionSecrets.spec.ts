import { configuredCredentials } from '../../../apps/gateway/src/credentials/credentials.service';
import { webhookSecretsFromEnv } from '../../../apps/notifier/src/sending/config';
import { adapterConfigFromEnv } from '../../adapter-kit/src/config';
import { requireProductionSecrets } from './productionSecrets';

/**
 * Production mode refuses every demo credential and secret the hub would otherwise default to, and
 * a missing one, naming the variable and never the secret; local runs keep their demo defaults.
 */
const PROD = { NODE_ENV: 'production' };
const strong = 'k9Qz7vR2mXw4Lp8sT1bN6yHc';

describe('production mode refuses demo secrets', () => {
  it('the rule itself: missing, demo, test and placeholder values refused; a real one passes; no check outside production', () => {
    expect(() => requireProductionSecrets('X', undefined, [], PROD)).toThrow(
      'X must be set in production mode: the demo default is refused',
    );
    expect(() => requireProductionSecrets('X', 'demo-police-token', ['demo-police-token'], PROD)).toThrow('X entry 1 is a demo value');
    expect(() => requireProductionSecrets('X', 'a,b', [strong, 'test-ops-token-0001'], PROD)).toThrow('X entry 2 is a test value');
    expect(() => requireProductionSecrets('X', 'CHANGE-ME-123456', ['CHANGE-ME-123456'], PROD)).toThrow('X entry 1 is a placeholder');
    expect(() => requireProductionSecrets('X', strong, [strong], PROD)).not.toThrow();
    expect(() => requireProductionSecrets('X', undefined, [], {})).not.toThrow();
  });

  it('gateway: MASH_CREDENTIALS missing or holding a demo token', () => {
    expect(() => configuredCredentials(PROD)).toThrow('MASH_CREDENTIALS must be set in production mode');
    expect(() => configuredCredentials({ ...PROD, MASH_CREDENTIALS: `police=adapter:${strong},ops=ops:demo-ops-token` })).toThrow(
      'MASH_CREDENTIALS entry 2 is a demo value',
    );
    expect(configuredCredentials({ ...PROD, MASH_CREDENTIALS: `police=adapter:${strong}` })).toEqual([
      { principal: 'police', role: 'adapter', token: strong },
    ]);
    // A local run keeps the demo credentials.
    expect(configuredCredentials({}).map((c) => c.principal)).toContain('police');
  });

  it('notifier: MASH_WEBHOOK_SECRETS missing or holding a demo secret', () => {
    expect(() => webhookSecretsFromEnv(PROD)).toThrow('MASH_WEBHOOK_SECRETS must be set in production mode');
    expect(() =>
      webhookSecretsFromEnv({ ...PROD, MASH_WEBHOOK_SECRETS: `police=${strong},health=mash-demo-webhook-secret-health` }),
    ).toThrow('MASH_WEBHOOK_SECRETS entry 2 is a demo value');
    expect(webhookSecretsFromEnv({ ...PROD, MASH_WEBHOOK_SECRETS: `police=${strong}` })('police')).toBe(strong);
  });

  it('adapters: ADAPTER_TOKEN, ADAPTER_WEBHOOK_SECRET and ADAPTER_CLIENT_TOKEN missing or demo', () => {
    expect(() => adapterConfigFromEnv('police', PROD)).toThrow('ADAPTER_TOKEN must be set in production mode');
    expect(() => adapterConfigFromEnv('police', { ...PROD, ADAPTER_TOKEN: 'demo-police-token', ADAPTER_WEBHOOK_SECRET: strong })).toThrow(
      'ADAPTER_TOKEN entry 1 is a demo value',
    );
    expect(() => adapterConfigFromEnv('police', { ...PROD, ADAPTER_TOKEN: strong })).toThrow(
      'ADAPTER_WEBHOOK_SECRET must be set in production mode',
    );
    expect(() => adapterConfigFromEnv('police', { ...PROD, ADAPTER_TOKEN: strong, ADAPTER_WEBHOOK_SECRET: `${strong}x` })).toThrow(
      'ADAPTER_CLIENT_TOKEN must be set in production mode',
    );
    expect(() =>
      adapterConfigFromEnv('police', {
        ...PROD,
        ADAPTER_TOKEN: strong,
        ADAPTER_WEBHOOK_SECRET: `${strong}x`,
        ADAPTER_CLIENT_TOKEN: 'demo-police-client-token',
      }),
    ).toThrow(/ADAPTER_CLIENT_TOKEN .*demo/);
    expect(
      adapterConfigFromEnv('police', {
        ...PROD,
        ADAPTER_TOKEN: strong,
        ADAPTER_WEBHOOK_SECRET: `${strong}x`,
        ADAPTER_CLIENT_TOKEN: `${strong}y`,
      }).token,
    ).toBe(strong);
    expect(adapterConfigFromEnv('police', {}).token).toBe('demo-police-token');
  });
});
