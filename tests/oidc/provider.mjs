// A real OpenID Connect provider for the single sign-on tests (npm `oidc-provider` 8).
//
// Started by tests/oidc_support.py with its settings in the environment:
//   OIDC_PORT            port on 127.0.0.1; the issuer is http://127.0.0.1:<port>
//   OIDC_CLIENT_ID       the one static client (the service under test) ...
//   OIDC_CLIENT_SECRET   ... and its secret
//   OIDC_REDIRECT_URIS   the service's callback URL(s), comma-separated
//   OIDC_LOGOUT_URIS     where the provider may send people after logging out, comma-separated
//   OIDC_ACCOUNTS        a JSON file {"<login>": {"groups": [...], ...}}, read at every login,
//                        so a test can change someone's groups between two logins
//
// The development login form ("devInteractions") accepts any login name and password.
// For tests of refused ID tokens, POST /__test/tamper?mode=aud|iss|nonce|signature makes the
// next token response carry an ID token with that fault (re-signed with the provider's own
// key, or for `signature` with another key under the same key id).

import { createSign, generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';

import Provider from 'oidc-provider';

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};
const list = (name) => env(name).split(',').map((item) => item.trim()).filter(Boolean);

const port = Number(env('OIDC_PORT'));
const issuer = `http://127.0.0.1:${port}`;
const KID = 'epss-test-key';

function signingKey() {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return privateKey;
}

const providerKey = signingKey();
const strangerKey = signingKey(); // signs the tokens with a broken signature

function accountClaims(login) {
  const accounts = JSON.parse(readFileSync(env('OIDC_ACCOUNTS'), 'utf8'));
  const found = accounts[login] || {};
  return {
    sub: found.sub || `sub-${login}`,
    preferred_username: found.preferred_username || login,
    name: found.name || login,
    email: found.email || `${login}@dijkhaven.example`,
    groups: found.groups || [],
  };
}

const configuration = {
  clients: [{
    client_id: env('OIDC_CLIENT_ID'),
    client_secret: env('OIDC_CLIENT_SECRET'),
    redirect_uris: list('OIDC_REDIRECT_URIS'),
    post_logout_redirect_uris: list('OIDC_LOGOUT_URIS'),
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  jwks: { keys: [{ ...providerKey.export({ format: 'jwk' }), kid: KID, use: 'sig', alg: 'RS256' }] },
  cookies: { keys: ['epss-test-provider-cookies'] },
  claims: {
    openid: ['sub'],
    profile: ['name', 'preferred_username', 'groups'],
    email: ['email'],
  },
  // The claims go into the ID token, as Entra ID and Keycloak put the groups there.
  conformIdTokenClaims: false,
  pkce: { methods: ['S256'], required: () => true },
  features: {
    devInteractions: { enabled: true },
    rpInitiatedLogout: { enabled: true },
  },
  async findAccount(ctx, id) {
    return {
      accountId: id,
      async claims() {
        return accountClaims(id);
      },
    };
  },
};

const base64url = (data) => Buffer.from(data).toString('base64url');

function resign(idToken, mode) {
  const [header, payload] = idToken.split('.');
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  if (mode === 'aud') claims.aud = 'another-service';
  if (mode === 'iss') claims.iss = 'http://127.0.0.1:1/not-the-issuer';
  if (mode === 'nonce') claims.nonce = 'not-the-nonce';
  const signingInput = `${header}.${base64url(JSON.stringify(claims))}`;
  const signature = createSign('RSA-SHA256').update(signingInput)
    .sign(mode === 'signature' ? strangerKey : providerKey);
  return `${signingInput}.${base64url(signature)}`;
}

const provider = new Provider(issuer, configuration);
let tamper = null; // the fault for the next token response, then back to null

provider.use(async (ctx, next) => {
  if (ctx.path === '/__test/tamper' && ctx.method === 'POST') {
    tamper = ctx.query.mode || null;
    ctx.status = 204;
    return;
  }
  if (ctx.path === '/favicon.ico') { // a browser asks; a 404 would show as a console error
    ctx.status = 204;
    return;
  }
  await next();
  if (ctx.path === '/token' && tamper && ctx.body && ctx.body.id_token) {
    ctx.body = { ...ctx.body, id_token: resign(ctx.body.id_token, tamper) };
    tamper = null;
  }
  // The built-in pages load a web font from outside; tests reach nothing outside.
  if (typeof ctx.body === 'string' && ctx.body.includes('fonts.googleapis.com')) {
    ctx.body = ctx.body.replace(/@import url\(https:\/\/fonts\.googleapis\.com[^)]*\);/g, '');
  }
});

provider.listen(port, '127.0.0.1', () => {
  console.log(`test OpenID provider at ${issuer}`);
});
