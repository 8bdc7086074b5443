// A standards-strict OpenID provider for the tests (npm oidc-provider), on 127.0.0.1 only.
//
// Stricter than PyPI oidc-provider-mock where it matters to a client: PKCE (S256) is required
// of every client, the ID token carries only `sub` (name and email come from userinfo, as the
// spec says for the code flow), agents get JWT access tokens (RFC 9068) for a resource
// indicator (RFC 8707) through the client-credentials grant, and RP-initiated logout asks
// before it ends the provider's session. People sign in on the provider's own pages
// (devInteractions: any password; the login must be a known user).
//
// Environment (all test-only values, set by the pytest fixture):
//   PORT                        where to listen (127.0.0.1)
//   CLIENT_ID, CLIENT_SECRET    the app's confidential client (browser sign-in)
//   REDIRECT_URIS               its callback URLs, space-separated
//   POST_LOGOUT_REDIRECT_URIS   where end-session may send people back, space-separated
//   AGENT_ID, AGENT_SECRET      the client-credentials client (an agent)
//   RESOURCES                   resource indicators (audiences) it may ask tokens for, space-separated
import { generateKeyPairSync, randomBytes } from 'node:crypto';

import Provider, { errors } from 'oidc-provider';

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};
const list = (name) => env(name).split(/\s+/).filter(Boolean);

const port = Number(env('PORT'));
const issuer = `http://127.0.0.1:${port}`;
const resources = new Set(list('RESOURCES'));
const users = { alice: { name: 'Alice Example', email: 'alice@example.com', email_verified: true } };
const signingKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: env('CLIENT_ID'),
      client_secret: env('CLIENT_SECRET'),
      redirect_uris: list('REDIRECT_URIS'),
      post_logout_redirect_uris: list('POST_LOGOUT_REDIRECT_URIS'),
      grant_types: ['authorization_code'],
      response_types: ['code'],
    },
    {
      client_id: env('AGENT_ID'),
      client_secret: env('AGENT_SECRET'),
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
    },
  ],
  jwks: { keys: [{ ...signingKey, kid: 'test-key', use: 'sig', alg: 'RS256' }] },
  cookies: { keys: [randomBytes(32).toString('hex')] },
  claims: { openid: ['sub'], profile: ['name'], email: ['email', 'email_verified'] },
  pkce: { required: () => true },
  findAccount: (ctx, sub) => users[sub] && { accountId: sub, claims: () => ({ sub, ...users[sub] }) },
  // A first-party app: no consent page after the login page.
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope('openid profile email');
    await grant.save();
    return grant;
  },
  features: {
    devInteractions: { enabled: true },
    clientCredentials: { enabled: true },
    rpInitiatedLogout: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: (ctx, client, oneOf) => oneOf,
      useGrantedResource: () => false,
      getResourceServerInfo(ctx, resource) {
        if (!resources.has(resource)) throw new errors.InvalidTarget();
        return { scope: 'mcp', audience: resource, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'RS256' } } };
      },
    },
  },
});

provider.listen(port, '127.0.0.1', () => console.log(`oidc-provider listening on ${issuer}`));
