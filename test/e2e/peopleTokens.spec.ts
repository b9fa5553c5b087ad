import { PersonTokens, TokenRefused } from '../../apps/gateway/src/people/personTokens';
import { signIn, startTestIdentity, TestIdentity } from '../support/identity';

/**
 * People sign in through a real OpenID provider process (the demo one `npm start` runs) and the
 * gateway's verifier reads who they are from the access token; tokens from another provider,
 * expired ones, ones for another audience and tampered ones are refused with the reason.
 */
let idp: TestIdentity;
let other: TestIdentity;

beforeAll(async () => {
  [idp, other] = await Promise.all([startTestIdentity(), startTestIdentity()]);
}, 90_000);

afterAll(async () => {
  await Promise.all([idp?.stop(), other?.stop()]);
});

const tokensFor = (i: TestIdentity, opts: { audience?: string; clock?: () => Date } = {}) =>
  new PersonTokens({ issuer: i.issuer, audience: opts.audience ?? 'urn:mash:hub', rolesClaim: 'mash_roles' }, opts.clock);

it('a decision maker signs in with the login form and the token names them and their roles', async () => {
  const { accessToken } = await signIn(idp, 'dm-amina.shah', 'demo-amina');
  expect(await tokensFor(idp).verify(accessToken)).toEqual({
    subject: 'dm-amina.shah',
    name: 'Amina Shah (MASH team manager)',
    roles: ['decision-maker', 'manager'],
  });
});

it('a person with no hub role gets a token with no roles', async () => {
  const { accessToken } = await signIn(idp, 'visitor-sam.rees', 'demo-sam');
  expect((await tokensFor(idp).verify(accessToken)).roles).toEqual([]);
});

it('a wrong password gets no token', async () => {
  await expect(signIn(idp, 'dm-amina.shah', 'not-her-password')).rejects.toThrow('sign-in refused');
});

it('refuses a token from another identity provider', async () => {
  const { accessToken } = await signIn(other, 'dm-amina.shah', 'demo-amina');
  await expect(tokensFor(idp).verify(accessToken)).rejects.toThrow(
    new TokenRefused('the token is not signed by the configured identity provider'),
  );
});

it('refuses an expired token', async () => {
  const { accessToken } = await signIn(idp, 'dm-tom.okafor', 'demo-tom');
  const anHourLater = () => new Date(Date.now() + 3_600_000);
  await expect(tokensFor(idp, { clock: anHourLater }).verify(accessToken)).rejects.toThrow(new TokenRefused('the token has expired'));
});

it('refuses a token for another audience', async () => {
  const { accessToken } = await signIn(idp, 'dm-tom.okafor', 'demo-tom');
  await expect(tokensFor(idp, { audience: 'urn:some:other-api' }).verify(accessToken)).rejects.toThrow(
    new TokenRefused("the token's aud claim is not accepted here"),
  );
});

it('refuses an ID token presented as an access token, and a tampered token', async () => {
  const { accessToken, idToken } = await signIn(idp, 'ops-priya.nair', 'demo-priya');
  await expect(tokensFor(idp).verify(idToken)).rejects.toBeInstanceOf(TokenRefused);
  const [h, p, s] = accessToken.split('.');
  const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
  const forged = `${h}.${Buffer.from(JSON.stringify({ ...claims, mash_roles: ['decision-maker'] })).toString('base64url')}.${s}`;
  await expect(tokensFor(idp).verify(forged)).rejects.toThrow(
    new TokenRefused('the token is not signed by the configured identity provider'),
  );
});
