// Token endpoint throughput: planapi's auth (through the gateway, HTTPS keep-alive) against
// oidc-provider (Node, HTTP on localhost, one process) driven by this same script in the same run,
// plus the gateway's cost of verifying a cached token. Benchmarks measure; nothing here asserts.
//
// Usage (bench/token.sh does all of this): node token.mjs keygen > key.json, then
//   PLANAPI_BENCH='{"base", "backend": {"client_id", "private_jwk"}, "confidential": {...},
//   "member": {...}, "redirect_uri"}' NODE_EXTRA_CA_CERTS=var/tls/ca.pem node token.mjs
// Options: DURATION (seconds per target, 10), CONCURRENCY (16).
import { fork } from 'node:child_process';
import { createHash, randomBytes, webcrypto } from 'node:crypto';
import { once } from 'node:events';
import { Agent, request } from 'undici';
import { SignJWT, importJWK, exportJWK, generateKeyPair } from 'jose';

const DURATION = Number(process.env.DURATION ?? 10) * 1000;
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 16);
const b64url = (buf) => Buffer.from(buf).toString('base64url');

if (process.argv[2] === 'keygen') {
  const { privateKey, publicKey } = await generateKeyPair('ES384', { extractable: true });
  const priv = await exportJWK(privateKey);
  const pub = await exportJWK(publicKey);
  priv.kid = pub.kid = 'bench-1';
  priv.alg = pub.alg = 'ES384';
  console.log(JSON.stringify({ private_jwk: priv, jwks: { keys: [pub] } }));
  process.exit(0);
}

if (process.argv[2] === 'oidc-provider') {
  // The comparison server: client_credentials with private_key_jwt (ES384), as planapi's
  // backend clients use it. Opaque tokens in the in-memory adapter (its default).
  const { default: Provider } = await import('oidc-provider');
  const jwks = JSON.parse(process.env.BENCH_JWKS);
  const port = Number(process.env.BENCH_PORT);
  const provider = new Provider(`http://127.0.0.1:${port}`, {
    clients: [{
      client_id: 'bench', grant_types: ['client_credentials'], redirect_uris: [],
      response_types: [], token_endpoint_auth_method: 'private_key_jwt',
      token_endpoint_auth_signing_alg: 'ES384', jwks, scope: 'system/Coverage.rs',
    }],
    scopes: ['system/Coverage.rs'],
    enabledJWA: { clientAuthSigningAlgValues: ['ES384', 'RS384', 'ES256', 'RS256'] },
    features: { clientCredentials: { enabled: true }, devInteractions: { enabled: false } },
  });
  provider.listen(port, '127.0.0.1', () => process.send('ready'));
  process.on('disconnect', () => process.exit(0));  // the driver is gone, whatever killed it
  await new Promise(() => {});
}

const cfg = JSON.parse(process.env.PLANAPI_BENCH);
const agent = new Agent({ connections: CONCURRENCY, pipelining: 1, keepAliveTimeout: 30_000 });

// Runs `one` from CONCURRENCY workers for DURATION (or until `one` returns false: out of
// prepared inputs); returns operations/s over the time actually spent.
async function measure(name, one) {
  for (let i = 0; i < 20; i++) await one();  // warm-up: connections, caches
  const latencies = [];
  let errors = 0;
  let done = false;
  const start = Date.now();
  const end = start + DURATION;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (!done && Date.now() < end) {
      const t0 = process.hrtime.bigint();
      try {
        if ((await one()) === false) {
          done = true;
          break;
        }
        latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
      } catch (e) {
        if (errors++ === 0) console.error(`${name}: ${e.message}`);
      }
    }
  }));
  const seconds = (Date.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  const rate = latencies.length / seconds;
  const p = (q) => (latencies[Math.floor(q * (latencies.length - 1))] ?? 0).toFixed(1);
  console.log(`${name.padEnd(46)} ${rate.toFixed(0).padStart(7)}/s  p50 ${p(0.5)} ms  p99 ${p(0.99)} ms${errors ? `  errors ${errors}` : ''}`);
  return rate;
}

async function call(url, options = {}, expected = 200) {
  const r = await request(url, { dispatcher: agent, ...options });
  const body = await r.body.text();
  if (r.statusCode !== expected) throw new Error(`${url}: ${r.statusCode} ${body.slice(0, 200)}`);
  return { status: r.statusCode, headers: r.headers, body };
}

const form = (o) => new URLSearchParams(o).toString();
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

async function assertion(key, kid, clientId, aud) {
  return new SignJWT({})
    .setProtectedHeader({ alg: 'ES384', kid, typ: 'JWT' })
    .setIssuer(clientId).setSubject(clientId).setAudience(aud)
    .setJti(b64url(randomBytes(16))).setIssuedAt().setExpirationTime('2m')
    .sign(key);
}

const key = await importJWK(cfg.backend.private_jwk, 'ES384');
const issuer = `${cfg.base}/sandbox/auth`;

// --- oidc-provider, started here so both run in the same conditions.
const port = 18000 + Math.floor(Math.random() * 1000);
const child = fork(new URL(import.meta.url).pathname, ['oidc-provider'], {
  env: { ...process.env, BENCH_PORT: String(port), BENCH_JWKS: JSON.stringify(cfg.jwks) },
  stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
});
process.on('exit', () => child.kill());
await once(child, 'message');

// Assertions are signed before each measurement: ES384 signing costs the driver about as much as
// verifying costs a server, and would otherwise cap both at the driver's speed.
const PREPARED = Number(process.env.ASSERTIONS ?? 6000);
async function prepare(clientId, aud) {
  const out = [];
  for (let i = 0; i < PREPARED; i++) {
    out.push(form({
      grant_type: 'client_credentials', scope: 'system/Coverage.rs',
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: await assertion(key, cfg.backend.private_jwk.kid, clientId, aud),
    }));
  }
  return out;
}
console.log(`token endpoint, client_credentials + private_key_jwt (ES384), ${CONCURRENCY} concurrent, up to ${DURATION / 1000}s each (${PREPARED} assertions signed beforehand)`);
const oursBodies = await prepare(cfg.backend.client_id, `${issuer}/token`);
const ours = await measure('planapi auth via gateway (HTTPS)', async () => {
  const body = oursBodies.pop();
  if (!body) return false;
  await call(`${issuer}/token`, { method: 'POST', headers: FORM, body });
});
const theirBodies = await prepare('bench', `http://127.0.0.1:${port}/token`);
const theirs = await measure('oidc-provider (HTTP, one Node process)', async () => {
  const body = theirBodies.pop();
  if (!body) return false;
  await call(`http://127.0.0.1:${port}/token`, { method: 'POST', headers: FORM, body });
});
console.log(`ratio planapi / oidc-provider: ${(ours / theirs).toFixed(2)} (target >= 3)`);
child.kill();

// --- authorization_code + PKCE, the whole browser-less flow per token: authorize, login
// (argon2id), consent, token.
const verifier = b64url(randomBytes(32));
const challenge = b64url(createHash('sha256').update(verifier).digest());
const authorizeUrl = `${issuer}/authorize?` + form({
  response_type: 'code', client_id: cfg.confidential.client_id, redirect_uri: cfg.redirect_uri,
  scope: 'launch/patient patient/*.rs', state: 'bench', aud: `${cfg.base}/sandbox/fhir/r4`,
  code_challenge: challenge, code_challenge_method: 'S256',
});
const basic = 'Basic ' + Buffer.from(`${cfg.confidential.client_id}:${cfg.confidential.client_secret}`).toString('base64');
let lastToken = '';
async function codeFlow(tokenOnly) {
  const page = await call(authorizeUrl);
  const cookie = String(page.headers['set-cookie']).split(';')[0];
  const id = /name="request" value="([^"]+)"/.exec(page.body)[1];
  const headers = { ...FORM, cookie };
  await call(`${issuer}/login`, { method: 'POST', headers,
    body: form({ request: id, username: cfg.member.username, password: cfg.member.password }) });
  const back = await call(`${issuer}/consent`, { method: 'POST', headers,
    body: form({ request: id, action: 'approve', scope: 'patient/*.rs' }) + '&scope=launch%2Fpatient' }, 302);
  const code = new URL(back.headers.location).searchParams.get('code');
  const t0 = process.hrtime.bigint();
  const token = await call(`${issuer}/token`, { method: 'POST', headers: { ...FORM, authorization: basic },
    body: form({ grant_type: 'authorization_code', code, redirect_uri: cfg.redirect_uri, code_verifier: verifier }) });
  lastToken = JSON.parse(token.body).access_token;
  return Number(process.hrtime.bigint() - t0) / 1e6;
}
console.log('\nauthorization_code + PKCE (confidential client)');
await measure('whole flow: authorize, login, consent, token', () => codeFlow());
const tokenMs = [];
for (let i = 0; i < 50; i++) tokenMs.push(await codeFlow());
tokenMs.sort((a, b) => a - b);
console.log(`${'token request alone (sequential, 50)'.padEnd(46)} p50 ${tokenMs[25].toFixed(1)} ms  p99 ${tokenMs[49].toFixed(1)} ms`);

// --- the gateway's cost of a cached token: the same create refused for scope (token verified,
// scope checked, no upstream) against refused for a missing token (nothing verified), and a
// forwarded read. The token has patient/*.rs: no create.
console.log('\ngateway token verification (token cached after its first use)');
const create = { method: 'POST', headers: { 'content-type': 'application/fhir+json' },
                 body: '{"resourceType":"Condition"}' };
const path = `${cfg.base}/sandbox/fhir/r4/Condition`;
const noToken = await measure('no token: 401 at the edge', () => call(path, create, 401));
const scopeMiss = await measure('cached token, scope check fails: 403', async () => {
  await call(path, { ...create, headers: { ...create.headers, authorization: `Bearer ${lastToken}` } }, 403);
});
const read = await measure('cached token, forwarded read', async () => {
  const r = await request(`${cfg.base}/sandbox/fhir/r4/Patient/${cfg.member.patient}`,
                          { dispatcher: agent, headers: { authorization: `Bearer ${lastToken}` } });
  await r.body.text();
  if (r.statusCode === 401 || r.statusCode === 403) throw new Error(`read ${r.statusCode}`);
});
const verifyCost = Math.max(0, 1 / scopeMiss - 1 / noToken) * CONCURRENCY * 1e6;
const readCost = (1 / read) * CONCURRENCY * 1e6;
console.log(`verification + scope check ~${verifyCost.toFixed(0)} us of a forwarded read's ~${readCost.toFixed(0)} us` +
            ` (${(100 * verifyCost / readCost).toFixed(1)}%, target < 5%)`);
await agent.close();
process.exit(0);
