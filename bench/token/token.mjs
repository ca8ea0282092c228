// Token endpoint throughput: planapi's auth (through the gateway) against oidc-provider (Node, one
// process) driven by this same script in the same run, plus the gateway's cost of verifying a
// cached token. Benchmarks measure; nothing here asserts.
//
// Fair by construction: both servers answer over HTTPS with the suite's certificate on
// keep-alive connections of the same client (one undici Agent, CONCURRENCY connections), take
// the same client_credentials request with the same kind of private_key_jwt assertion (signed
// beforehand for both), check its jti for replay and sign a JWT access token with ES256.
// oidc-provider runs with NODE_ENV=production, in-memory storage (it stores nothing durably;
// planapi records the jti and an audit row in PostgreSQL). Measurements of the two are
// interleaved, ROUNDS times, and the median is reported with the spread.
//
// Usage (bench/token.sh does all of this): node token.mjs keygen > key.json, then
//   PLANAPI_BENCH='{"base", "backend": {"client_id", "private_jwks"}, "confidential": {...},
//   "member": {...}, "redirect_uri", "tls": {"cert", "key"}, "pids": {...}}'
//   NODE_EXTRA_CA_CERTS=var/tls/ca.pem node token.mjs
// Options: DURATION (seconds cap per measurement, 10), CONCURRENCY (16), ROUNDS (3),
// ASSERTIONS_ES384 (4000) and ASSERTIONS_RS384 (12000) per measurement, VERIFY_SECONDS (5),
// ALGS (ES384,RS384: the assertion algorithms to measure), TOKEN_ONLY (set: client_credentials
// only).
import { fork } from 'node:child_process';
import { createHash, createPrivateKey, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { once } from 'node:events';
import { readFileSync, readdirSync } from 'node:fs';
import { Agent, request } from 'undici';

const DURATION = Number(process.env.DURATION ?? 10) * 1000;
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 16);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const VERIFY_SECONDS = Number(process.env.VERIFY_SECONDS ?? 5);
const COUNT = { ES384: Number(process.env.ASSERTIONS_ES384 ?? 4000),
                RS384: Number(process.env.ASSERTIONS_RS384 ?? 12000) };
const b64url = (buf) => Buffer.from(buf).toString('base64url');

// Key pairs as JWKs: an ES384 and an RS384 client key (keygen), or the provider's signing keys.
function jwkPair(kind, kid, alg) {
  const { privateKey, publicKey } = kind === 'ec'
    ? generateKeyPairSync('ec', { namedCurve: alg === 'ES256' ? 'P-256' : 'P-384' })
    : generateKeyPairSync('rsa', { modulusLength: 2048 });
  const priv = { ...privateKey.export({ format: 'jwk' }), kid, alg };
  const pub = { ...publicKey.export({ format: 'jwk' }), kid, alg };
  return { priv, pub };
}

if (process.argv[2] === 'keygen') {
  const es = jwkPair('ec', 'bench-es384', 'ES384');
  const rs = jwkPair('rsa', 'bench-rs384', 'RS384');
  console.log(JSON.stringify({ private_jwks: [es.priv, rs.priv], jwks: { keys: [es.pub, rs.pub] } }));
  process.exit(0);
}

if (process.argv[2] === 'oidc-provider') {
  // The comparison server: client_credentials with private_key_jwt (ES384 or RS384), as
  // planapi's backend clients use it; JWT access tokens signed ES256 as planapi's are.
  const { default: Provider } = await import('oidc-provider');
  const https = await import('node:https');
  const jwks = JSON.parse(process.env.BENCH_JWKS);
  const port = Number(process.env.BENCH_PORT);
  const audience = 'https://bench.example/fhir/r4';
  const provider = new Provider(`https://localhost:${port}`, {
    jwks: { keys: [jwkPair('ec', 'at-es256', 'ES256').priv, jwkPair('rsa', 'id-rs256', 'RS256').priv] },
    clients: [{
      client_id: 'bench', grant_types: ['client_credentials'], redirect_uris: [],
      response_types: [], token_endpoint_auth_method: 'private_key_jwt', jwks,
      scope: 'system/Coverage.rs',
    }],
    scopes: ['system/Coverage.rs'],
    enabledJWA: { clientAuthSigningAlgValues: ['ES384', 'RS384'] },
    features: {
      clientCredentials: { enabled: true },
      devInteractions: { enabled: false },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => audience,
        useGrantedResource: () => true,
        getResourceServerInfo: () => ({
          scope: 'system/Coverage.rs', audience, accessTokenTTL: 300,
          accessTokenFormat: 'jwt', jwt: { sign: { alg: 'ES256' } },
        }),
      },
    },
  });
  const server = https.createServer({
    cert: readFileSync(process.env.BENCH_TLS_CERT), key: readFileSync(process.env.BENCH_TLS_KEY),
  }, provider.callback());
  // Idle keep-alive connections live as long as at the gateway (PLANAPI_IDLE_TIMEOUT_SECONDS).
  server.keepAliveTimeout = 60_000;
  server.listen(port, '127.0.0.1', () => process.send('ready'));
  process.on('disconnect', () => process.exit(0));  // the driver is gone, whatever killed it
  await new Promise(() => {});
}

const cfg = JSON.parse(process.env.PLANAPI_BENCH);
const agent = new Agent({ connections: CONCURRENCY, pipelining: 1, keepAliveTimeout: 30_000 });

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
const spread = (xs) => `${Math.min(...xs).toFixed(0)}..${Math.max(...xs).toFixed(0)}`;

// Runs `one` from CONCURRENCY workers for DURATION (or until `one` returns false: out of
// prepared inputs); returns operations/s over the time actually spent.
async function measure(name, one, { quiet = false, warm = 20 } = {}) {
  for (let i = 0; i < warm; i++) await one();  // warm-up: connections, caches
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
  if (!quiet) {
    console.log(`  ${name.padEnd(44)} ${rate.toFixed(0).padStart(7)}/s  p50 ${p(0.5)} ms  p99 ${p(0.99)} ms${errors ? `  errors ${errors}` : ''}`);
  }
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

// RFC 7523 client assertions, signed with node:crypto directly (the driver's cost, paid before a
// measurement starts: signing inside the loop would cap both servers at the driver's speed).
const keys = Object.fromEntries(cfg.backend.private_jwks.map((jwk) => [jwk.alg, jwk]));
const keyObjects = Object.fromEntries(cfg.backend.private_jwks.map(
  (jwk) => [jwk.alg, createPrivateKey({ key: jwk, format: 'jwk' })]));
function assertion(alg, clientId, aud) {
  const jwk = keys[alg];
  const now = Math.floor(Date.now() / 1000);
  const input = `${b64url(JSON.stringify({ alg, kid: jwk.kid, typ: 'JWT' }))}.${b64url(JSON.stringify({
    iss: clientId, sub: clientId, aud, jti: b64url(randomBytes(16)), iat: now, exp: now + 240,
  }))}`;
  const key = keyObjects[alg];
  const sig = sign('sha384', Buffer.from(input), alg === 'ES384' ? { key, dsaEncoding: 'ieee-p1363' } : key);
  return `${input}.${b64url(sig)}`;
}
function prepare(alg, clientId, aud) {
  const out = [];
  for (let i = 0; i < COUNT[alg]; i++) {
    out.push(form({
      grant_type: 'client_credentials', scope: 'system/Coverage.rs',
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: assertion(alg, clientId, aud),
    }));
  }
  return out;
}
// Token requests until `bodies` run out; returns { rate, cpu }: operations/s, and the CPU time
// per token (us) that `processes` spent (planapi: gateway + auth + PostgreSQL; oidc-provider:
// its one process): unlike the rate, that hardly depends on what else the machine runs.
async function tokens(url, bodies, name, processes) {
  let count = 0;
  // Warm-up; a keep-alive connection that the server closed while assertions were being signed
  // fails once and is replaced.
  for (let i = 0; i < 20; i++) {
    try {
      await call(url, { method: 'POST', headers: FORM, body: bodies.pop() });
    } catch { /* reconnects */ }
  }
  const before = processes();
  const rate = await measure(name, async () => {
    const body = bodies.pop();
    if (!body) return false;
    await call(url, { method: 'POST', headers: FORM, body });
    count++;
  }, { warm: 0, quiet: true });
  const after = processes();
  const parts = Object.keys(after).map((k) => `${k} ${((after[k] - before[k]) / 1000 / count).toFixed(0)}`);
  const cpu = Object.keys(after).reduce((sum, k) => sum + after[k] - before[k], 0) / 1000 / count;
  console.log(`  ${name.padEnd(44)} ${rate.toFixed(0).padStart(7)}/s  CPU ${cpu.toFixed(0)} us per token` +
              (parts.length > 1 ? ` (${parts.join(' + ')})` : ''));
  return { rate, cpu };
}

const issuer = `${cfg.base}/sandbox/auth`;

// CPU time of a process in ns: utime + stime from /proc/PID/stat, which include threads that
// have ended (gRPC's sync servers start and stop threads; per-thread figures would lose those).
// The unit is the clock tick (10 ms): over seconds of load that is well under 1%.
const TICK_NS = 1e9 / 100;
function cpuNs(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_NS;  // fields 14 and 15 of stat
  } catch {
    return 0;  // the process ended
  }
}
function childrenOf(ppid) {
  const out = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === ppid) out.push(Number(entry));
    } catch { /* gone */ }
  }
  return out;
}
const pids = cfg.pids ?? {};
function cpuSnapshot() {
  const pg = pids.postgres ? [pids.postgres, ...childrenOf(pids.postgres)] : [];
  return { gateway: pids.gateway ? cpuNs(pids.gateway) : NaN, fhir: pids.fhir ? cpuNs(pids.fhir) : NaN,
           auth: pids.auth ? cpuNs(pids.auth) : NaN,
           postgres: pg.length ? pg.reduce((sum, pid) => sum + cpuNs(pid), 0) : NaN };
}

// --- oidc-provider, started here so both run in the same conditions.
const port = 18000 + Math.floor(Math.random() * 1000);
const theirUrl = `https://localhost:${port}/token`;
const child = fork(new URL(import.meta.url).pathname, ['oidc-provider'], {
  env: { ...process.env, NODE_ENV: 'production', BENCH_PORT: String(port),
         BENCH_JWKS: JSON.stringify(cfg.jwks), BENCH_TLS_CERT: cfg.tls.cert, BENCH_TLS_KEY: cfg.tls.key },
  stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
});
process.on('exit', () => child.kill());
await once(child, 'message');

console.log(`token endpoint, client_credentials + private_key_jwt, both over HTTPS keep-alive, ` +
            `${CONCURRENCY} concurrent, ${ROUNDS} interleaved rounds (assertions signed beforehand: ` +
            `ES384 ${COUNT.ES384}, RS384 ${COUNT.RS384} per measurement, cap ${DURATION / 1000}s)`);
const summary = [];
for (const alg of (process.env.ALGS ?? 'ES384,RS384').split(',')) {
  const ours = [];
  const theirs = [];
  for (let round = 1; round <= ROUNDS; round++) {
    // Alternate who goes first, so that neither always runs on a warmer (or busier) machine.
    const order = round % 2 ? ['ours', 'theirs'] : ['theirs', 'ours'];
    for (const who of order) {
      if (who === 'ours') {
        const bodies = prepare(alg, cfg.backend.client_id, `${issuer}/token`);
        ours.push(await tokens(`${issuer}/token`, bodies, `${alg} round ${round}: planapi (gateway + auth)`,
                               () => { const c = cpuSnapshot(); return { gateway: c.gateway, auth: c.auth, postgres: c.postgres }; }));
      } else {
        const bodies = prepare(alg, 'bench', theirUrl);
        theirs.push(await tokens(theirUrl, bodies, `${alg} round ${round}: oidc-provider`,
                                 () => ({ node: cpuNs(child.pid) })));
      }
    }
  }
  const ratios = ours.map((o, i) => o.rate / theirs[i].rate);
  const rates = (xs) => xs.map((x) => x.rate);
  const cpus = (xs) => xs.map((x) => x.cpu);
  summary.push(`${alg}: planapi ${median(rates(ours)).toFixed(0)}/s (${spread(rates(ours))}), oidc-provider ` +
               `${median(rates(theirs)).toFixed(0)}/s (${spread(rates(theirs))}), ratio ${median(ratios).toFixed(2)} ` +
               `(rounds ${ratios.map((r) => r.toFixed(2)).join(', ')}; target >= 3)\n` +
               `     CPU per token: planapi ${median(cpus(ours)).toFixed(0)} us (gateway + auth + PostgreSQL, ` +
               `${spread(cpus(ours))}), oidc-provider ${median(cpus(theirs)).toFixed(0)} us (${spread(cpus(theirs))})`);
}
console.log(summary.map((s) => `  => ${s}`).join('\n'));
child.kill();
if (process.env.TOKEN_ONLY) {
  await agent.close();
  process.exit(0);
}

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
async function codeFlow() {
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
console.log(`  ${'token request alone (sequential, 50)'.padEnd(44)} p50 ${tokenMs[25].toFixed(1)} ms  p99 ${tokenMs[49].toFixed(1)} ms`);

// --- the gateway's cost of a cached token. Three targets, interleaved ROUNDS times for
// VERIFY_SECONDS each: the same create refused for a missing token (401: nothing verified),
// refused for scope with a cached token (403: token looked up, revocations and scope checked, not
// forwarded), and a forwarded read with the cached token. Alongside throughput, the CPU time the
// gateway, fhir and PostgreSQL processes spent (from /proc) is divided by the requests served:
// that does not depend on how fast this driver is, which the throughput figures do.
async function measureCpu(name, one) {
  let count = 0;
  const counted = async () => { count++; return one(); };
  for (let i = 0; i < 50; i++) await one();
  const before = cpuSnapshot();
  const rate = await measureFor(VERIFY_SECONDS * 1000, name, counted);
  const after = cpuSnapshot();
  const us = (k) => (after[k] - before[k]) / 1000 / count;
  return { rate, gateway: us('gateway'), fhir: us('fhir'), postgres: us('postgres') };
}
// Every answer counts for the CPU figures (the servers did the work); only the expected ones
// count for throughput, and errors are reported.
async function measureFor(ms, name, one) {
  const end = Date.now() + ms;
  let served = 0;
  let errors = 0;
  const start = Date.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (Date.now() < end) {
      try {
        await one();
        served++;
      } catch (e) {
        if (errors++ === 0) console.error(`${name}: ${e.message}`);
      }
    }
  }));
  return served / ((Date.now() - start) / 1000);
}

console.log(`\ngateway token verification (token cached after its first use), ${ROUNDS} interleaved rounds of ${VERIFY_SECONDS}s`);
const create = { method: 'POST', headers: { 'content-type': 'application/fhir+json' },
                 body: '{"resourceType":"Condition"}' };
const path = `${cfg.base}/sandbox/fhir/r4/Condition`;
const targets = {
  noToken: () => call(path, create, 401),
  scopeMiss: () => call(path, { ...create, headers: { ...create.headers, authorization: `Bearer ${lastToken}` } }, 403),
  read: async () => {
    const r = await request(`${cfg.base}/sandbox/fhir/r4/Patient/${cfg.member.patient}`,
                            { dispatcher: agent, headers: { authorization: `Bearer ${lastToken}` } });
    await r.body.text();
    if (r.statusCode !== 200) throw new Error(`read ${r.statusCode}`);
  },
};
const results = { noToken: [], scopeMiss: [], read: [] };
for (let round = 1; round <= ROUNDS; round++) {
  for (const name of Object.keys(targets)) {
    const m = await measureCpu(name, targets[name]);
    results[name].push(m);
    console.log(`  round ${round} ${name.padEnd(10)} ${m.rate.toFixed(0).padStart(7)}/s  CPU per request: gateway ` +
                `${m.gateway.toFixed(1)} us, fhir ${m.fhir.toFixed(1)} us, postgres ${m.postgres.toFixed(1)} us`);
  }
}
const med = (name, key) => median(results[name].map((m) => m[key]));
// By CPU: what the 403 path costs the gateway beyond the 401 path, against everything a forwarded
// read costs the servers (gateway + fhir + PostgreSQL).
const perRound = results.read.map((r, i) => {
  const verify = results.scopeMiss[i].gateway - results.noToken[i].gateway;
  return 100 * verify / (r.gateway + r.fhir + r.postgres);
});
const verifyUs = med('scopeMiss', 'gateway') - med('noToken', 'gateway');
const readUs = med('read', 'gateway') + med('read', 'fhir') + med('read', 'postgres');
console.log(`  => by CPU: verification + scope check ${verifyUs.toFixed(1)} us of gateway CPU; a forwarded read ` +
            `costs ${readUs.toFixed(1)} us (gateway ${med('read', 'gateway').toFixed(1)} + fhir ` +
            `${med('read', 'fhir').toFixed(1)} + postgres ${med('read', 'postgres').toFixed(1)}): ` +
            `${(100 * verifyUs / readUs).toFixed(1)}% (rounds ${perRound.map((p) => p.toFixed(1)).join(', ')}; target < 5%)`);
// By throughput (as before; the driver's own speed limits it, so it is the noisier figure).
const rateOf = (name) => median(results[name].map((m) => m.rate));
const verifyCost = Math.max(0, 1 / rateOf('scopeMiss') - 1 / rateOf('noToken')) * CONCURRENCY * 1e6;
const readCost = (1 / rateOf('read')) * CONCURRENCY * 1e6;
console.log(`  => by throughput: ~${verifyCost.toFixed(0)} us of a forwarded read's ~${readCost.toFixed(0)} us ` +
            `(${(100 * verifyCost / readCost).toFixed(1)}%)`);
await agent.close();
process.exit(0);
