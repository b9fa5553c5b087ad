import { webhookRegistryFromEnv } from './webhookRegistry';
import { emailConfigFromEnv } from './email';

describe('the registry of webhook endpoints ops configure', () => {
  const registry = webhookRegistryFromEnv({
    MASH_WEBHOOK_ENDPOINTS: 'health=https://mash.health.example/notices, health:Y12345=https://gp-y12345.example/mash',
  });

  it("selects the referrer organisation's entry, else the submitting agency's, else nothing", () => {
    expect(registry.resolve('health', 'Y12345')).toEqual({ key: 'health:Y12345', url: 'https://gp-y12345.example/mash' });
    expect(registry.resolve('health', 'Y99999')).toEqual({ key: 'health', url: 'https://mash.health.example/notices' });
    expect(registry.resolve('health')).toEqual({ key: 'health', url: 'https://mash.health.example/notices' });
    // Another agency's entry is never borrowed, whatever the contact says.
    expect(registry.resolve('police', 'Y12345')).toBeUndefined();
    expect(registry.urlOf('health:Y12345')).toBe('https://gp-y12345.example/mash');
    expect(registry.urlOf('police')).toBeUndefined();
  });

  it('an unset variable registers nothing', () => {
    expect(webhookRegistryFromEnv({}).size).toBe(0);
    expect(webhookRegistryFromEnv({}).resolve('health')).toBeUndefined();
  });

  it('allows http outside production mode only, and says which entry and why', () => {
    expect(webhookRegistryFromEnv({ MASH_WEBHOOK_ENDPOINTS: 'health=http://127.0.0.1:8092/notices/webhook' }).urlOf('health')).toBe(
      'http://127.0.0.1:8092/notices/webhook',
    );
    expect(() =>
      webhookRegistryFromEnv({ NODE_ENV: 'production', MASH_WEBHOOK_ENDPOINTS: 'health=https://a.example/x,police=http://b.example/y' }),
    ).toThrow('MASH_WEBHOOK_ENDPOINTS entry 2 (police): production mode needs an https url');
    expect(webhookRegistryFromEnv({ NODE_ENV: 'production', MASH_WEBHOOK_ENDPOINTS: 'health=https://a.example/x' }).urlOf('health')).toBe(
      'https://a.example/x',
    );
  });

  it('refuses entries that are not an agency, not a url, a second registration, a scheme other than http(s) or a url with a password', () => {
    const bad = (v: string) => () => webhookRegistryFromEnv({ MASH_WEBHOOK_ENDPOINTS: v });
    expect(bad('gchq=https://a.example')).toThrow(/entry 1 \(gchq\): the key must be an agency/);
    expect(bad('health:Y1 2=https://a.example')).toThrow(/the key must be an agency/);
    expect(bad('https://a.example')).toThrow(/entry 1 (must be agency=url|\(https:\/\/a.example\): the key must be an agency)/);
    expect(bad('health=not a url')).toThrow('MASH_WEBHOOK_ENDPOINTS entry 1 (health): the url is not a valid absolute URL');
    expect(bad('health=https://a.example,health=https://b.example')).toThrow('MASH_WEBHOOK_ENDPOINTS entry 2 (health): registered twice');
    expect(bad('health=ftp://a.example/x')).toThrow(/entry 1 \(health\): the url must be https/);
    expect(bad('health=https://u:p@a.example/x')).toThrow(/must not carry a user or password/);
  });
});

describe('email in production mode', () => {
  it('refuses to start without TLS, names the variables, and accepts STARTTLS or TLS', () => {
    expect(() => emailConfigFromEnv({ NODE_ENV: 'production', SMTP_HOST: 'smtp.example' })).toThrow(
      /SMTP_REQUIRE_TLS=true .* or SMTP_SECURE=true .* is required in production mode/,
    );
    expect(emailConfigFromEnv({ NODE_ENV: 'production', SMTP_HOST: 'smtp.example', SMTP_REQUIRE_TLS: 'true' })).toMatchObject({
      requireTLS: true,
    });
    expect(emailConfigFromEnv({ NODE_ENV: 'production', SMTP_HOST: 'smtp.example', SMTP_SECURE: 'true', SMTP_PORT: '465' })).toMatchObject({
      secure: true,
    });
    // The demo and the tests keep their plain local catcher.
    expect(emailConfigFromEnv({ SMTP_HOST: '127.0.0.1' })).toMatchObject({ requireTLS: false, secure: false });
  });
});
