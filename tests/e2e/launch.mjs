// End-to-end SMART App Launch against a running planapi (gateway + auth + fhir), with clients
// nobody on the team wrote: openid-client drives OAuth, headless Chromium (playwright-core with
// the system chromium) fills the real login, consent and connected-apps pages, fhir-kit-client
// reads the member's data with the token. Standalone and EHR launches (planctl makes the launch,
// as the portal would), and the member revoking an app. Every bad case must be refused with the
// right error and issue nothing.
//
// Input: PLANAPI_E2E, a JSON object:
//   {"base": "https://localhost:PORT", "realm": "sandbox"|"production", "redirect_uri": "...",
//    "launch_url": "...", "planctl": "/path/to/planctl", "auth_addr": "HOST:PORT",
//    "member": {"username", "password", "patient"}, "other_patient": "...",
//    "other_member": {"username", "password", "patient"},
//    "confidential": {"client_id", "client_secret"}, "public": {"client_id"},
//    "backend": {"client_id", "private_jwk"}}
// The gateway's CA must be trusted (NODE_EXTRA_CA_CERTS). Prints one line per check and exits 1
// if any failed.
import * as client from 'openid-client';
import { chromium } from 'playwright-core';
import { webcrypto } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { Client } from 'fhir-kit-client';

const cfg = JSON.parse(process.env.PLANAPI_E2E);
const prefix = cfg.realm === 'production' ? '' : '/sandbox';
const issuer = new URL(`${cfg.base}${prefix}/auth`);
const fhirBase = `${cfg.base}${prefix}/fhir/r4`;
const otherFhirBase = `${cfg.base}${cfg.realm === 'production' ? '/sandbox' : ''}/fhir/r4`;
const redirectUri = cfg.redirect_uri;

let failures = 0;
async function check(name, fn) {
  try {
    await fn();
    console.log(`ok   - ${name}`);
  } catch (e) {
    failures++;
    console.log(`FAIL - ${name}: ${e?.stack ?? e}`);
  }
}
function assert(cond, message) {
  if (!cond) throw new Error(message);
}
async function refused(promise, error) {
  try {
    await promise;
  } catch (e) {
    const got = e?.error ?? e?.cause?.error ?? e?.code;
    assert(got === error, `expected ${error}, got ${got}: ${e?.message}`);
    return;
  }
  throw new Error(`expected ${error}, but it succeeded`);
}

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
         '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
});

// Opens `url` in a fresh browser context, signs in as `member`, unticks `untick`, approves (or
// denies), and returns the URL the app was sent back to (the app itself is never contacted).
async function launch(url, { untick = [], deny = false, login = true, member = cfg.member } = {}) {
  const context = await browser.newContext({ ignoreHTTPSErrors: true });
  const page = await context.newPage();
  let returned = null;
  await page.route(`${redirectUri}**`, (route) => {
    returned = route.request().url();
    return route.fulfill({ status: 200, contentType: 'text/plain', body: 'app' });
  });
  // A redirect answered to the navigation itself is not routed in Chromium; the request event
  // still shows where the browser was sent.
  page.on('request', (request) => {
    if (request.url().startsWith(redirectUri)) returned = request.url();
  });
  let response = null;
  try {
    response = await page.goto(url.href);
  } catch (e) {
    if (!returned) throw e;
  }
  try {
    if (returned) return { returned };
    if (!login) return { status: response.status(), body: await page.content() };
    await page.fill('input[name=username]', member.username);
    await page.fill('input[name=password]', member.password);
    await Promise.all([page.waitForLoadState(), page.click('button[type=submit]')]);
    if (returned) return { returned };  // refused at sign-in (an EHR launch for another record)
    await page.waitForSelector('input[name=scope]');
    for (const scope of untick) {
      await page.uncheck(`input[name=scope][value="${scope}"]`);
    }
    await page.click(`button[name=action][value=${deny ? 'deny' : 'approve'}]`);
    for (let i = 0; i < 100 && !returned; i++) await page.waitForTimeout(50);
    assert(returned, 'the browser never came back to the app');
    return { returned };
  } finally {
    await context.close();
  }
}

function authorizationUrl(config, overrides = {}) {
  const params = {
    redirect_uri: redirectUri,
    scope: 'openid fhirUser launch/patient offline_access patient/*.rs',
    aud: fhirBase,
    ...overrides,
  };
  for (const [k, v] of Object.entries(params)) if (v === undefined) delete params[k];
  return client.buildAuthorizationUrl(config, params);
}

async function pkce() {
  const verifier = client.randomPKCECodeVerifier();
  return { verifier, challenge: await client.calculatePKCECodeChallenge(verifier) };
}

async function fhirStatus(token, path = `/Patient/${cfg.member.patient}`, base = fhirBase) {
  const r = await fetch(`${base}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  return r.status;
}

const confidential = await client.discovery(issuer, cfg.confidential.client_id,
                                            cfg.confidential.client_secret);
const publicApp = await client.discovery(issuer, cfg.public.client_id, undefined, client.None());

await check('SMART discovery below the FHIR base names every capability', async () => {
  const r = await fetch(`${fhirBase}/.well-known/smart-configuration`);
  assert(r.status === 200, `status ${r.status}`);
  assert(r.headers.get('access-control-allow-origin') === '*', 'no CORS');
  const doc = await r.json();
  assert(doc.issuer === issuer.href, `issuer ${doc.issuer}`);
  for (const c of ['launch-standalone', 'launch-ehr', 'client-public', 'client-confidential-symmetric',
                   'client-confidential-asymmetric', 'sso-openid-connect', 'context-standalone-patient',
                   'context-ehr-patient', 'permission-offline', 'permission-patient', 'permission-user',
                   'permission-v1', 'permission-v2', 'authorize-post']) {
    assert(doc.capabilities.includes(c), `missing ${c}`);
  }
  assert(JSON.stringify(doc.code_challenge_methods_supported) === '["S256"]', 'S256 only');
});

let tokens;
await check('confidential client: standalone launch, unticked scope not granted, id_token verified', async () => {
  const { verifier, challenge } = await pkce();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const url = authorizationUrl(confidential, { code_challenge: challenge, code_challenge_method: 'S256', state, nonce });
  const { returned } = await launch(url, { untick: ['patient/*.rs'] });
  tokens = await client.authorizationCodeGrant(confidential, new URL(returned), {
    pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce, idTokenExpected: true,
  });
  assert(tokens.token_type.toLowerCase() === 'bearer', tokens.token_type);
  assert(tokens.scope === 'openid fhirUser launch/patient offline_access', `scope ${tokens.scope}`);
  assert(tokens.patient === cfg.member.patient, `patient ${tokens.patient}`);
  assert(tokens.refresh_token, 'no refresh token');
  const claims = tokens.claims();
  assert(claims.fhirUser === `${fhirBase}/Patient/${cfg.member.patient}`, `fhirUser ${claims.fhirUser}`);
  // patient/*.rs was unticked: FHIR reads are refused for want of scope.
  assert(await fhirStatus(tokens.access_token) === 403, 'expected 403 without a resource scope');
  const userinfo = await client.fetchUserInfo(confidential, tokens.access_token, claims.sub);
  assert(userinfo.fhirUser === claims.fhirUser, 'userinfo');
});

await check('introspection: active for a good token, only active:false for bad ones', async () => {
  const good = await client.tokenIntrospection(confidential, tokens.access_token);
  assert(good.active === true && good.patient === cfg.member.patient, JSON.stringify(good));
  for (const bad of ['random', tokens.access_token.slice(0, -4) + 'AAAA', '']) {
    const r = await client.tokenIntrospection(confidential, bad || 'x');
    assert(JSON.stringify(r) === '{"active":false}', JSON.stringify(r));
  }
});

await check('refresh rotates; the old refresh token again revokes the grant', async () => {
  const fresh = await client.refreshTokenGrant(confidential, tokens.refresh_token);
  assert(fresh.refresh_token && fresh.refresh_token !== tokens.refresh_token, 'no rotation');
  assert((await client.tokenIntrospection(confidential, fresh.access_token)).active === true, 'fresh inactive');
  await refused(client.refreshTokenGrant(confidential, tokens.refresh_token), 'invalid_grant');
  assert((await client.tokenIntrospection(confidential, fresh.access_token)).active === false,
         'reuse did not revoke the grant');
  await refused(client.refreshTokenGrant(confidential, fresh.refresh_token), 'invalid_grant');
});

await check('public client: PKCE launch with data scopes reaches FHIR; revocation ends it', async () => {
  const { verifier, challenge } = await pkce();
  const state = client.randomState();
  const url = authorizationUrl(publicApp, {
    scope: 'launch/patient patient/*.rs', code_challenge: challenge, code_challenge_method: 'S256', state,
  });
  const { returned } = await launch(url);
  const t = await client.authorizationCodeGrant(publicApp, new URL(returned), {
    pkceCodeVerifier: verifier, expectedState: state,
  });
  assert(t.patient === cfg.member.patient, 'patient');
  const status = await fhirStatus(t.access_token);
  assert(status !== 401 && status !== 403, `FHIR read refused: ${status}`);
  assert(await fhirStatus(t.access_token, `/Patient/${cfg.member.patient}`, otherFhirBase) === 401,
         'cross-realm token accepted');
  assert(await fhirStatus(undefined) === 401, 'no token accepted');
  await client.tokenRevocation(publicApp, t.access_token);
  let after = 0;
  for (let i = 0; i < 40; i++) {
    after = await fhirStatus(t.access_token);
    if (after === 401) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert(after === 401, `revoked token still works: ${after}`);
});

await check('codes: reuse, wrong verifier, no verifier are invalid_grant', async () => {
  const { verifier, challenge } = await pkce();
  const state = client.randomState();
  const url = authorizationUrl(confidential, { scope: 'launch/patient patient/Coverage.rs', code_challenge: challenge, code_challenge_method: 'S256', state });
  const { returned } = await launch(url);
  await refused(client.authorizationCodeGrant(confidential, new URL(returned), {
    pkceCodeVerifier: client.randomPKCECodeVerifier(), expectedState: state,
  }), 'invalid_grant');
  // The failed attempt used the code up: the right verifier is now too late.
  await refused(client.authorizationCodeGrant(confidential, new URL(returned), {
    pkceCodeVerifier: verifier, expectedState: state,
  }), 'invalid_grant');
  const second = await pkce();
  const state2 = client.randomState();
  const { returned: r2 } = await launch(authorizationUrl(confidential, {
    scope: 'launch/patient patient/Coverage.rs', code_challenge: second.challenge, code_challenge_method: 'S256', state: state2 }));
  const code = new URL(r2).searchParams.get('code');
  const raw = await fetch(`${issuer.href}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded',
               authorization: 'Basic ' + Buffer.from(`${cfg.confidential.client_id}:${cfg.confidential.client_secret}`).toString('base64') },
    body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirectUri }),
  });
  assert(raw.status === 400 && (await raw.json()).error === 'invalid_request', 'missing verifier accepted');
});

await check('authorize: missing or plain PKCE and a wrong aud come back as invalid_request', async () => {
  for (const overrides of [
    { code_challenge: undefined, code_challenge_method: undefined, state: 's' },
    { code_challenge: 'abc', code_challenge_method: 'plain', state: 's' },
    { code_challenge: (await pkce()).challenge, code_challenge_method: 'S256', state: 's', aud: otherFhirBase },
  ]) {
    const { returned } = await launch(authorizationUrl(confidential, overrides), { login: false });
    assert(returned, 'no redirect');
    const p = new URL(returned).searchParams;
    assert(p.get('error') === 'invalid_request' && !p.get('code'), returned);
  }
});

await check('authorize: a wrong redirect URI or client gets an error page, never a redirect', async () => {
  const { challenge } = await pkce();
  const bad = authorizationUrl(confidential, { code_challenge: challenge, code_challenge_method: 'S256', state: 's' });
  bad.searchParams.set('redirect_uri', 'https://evil.example/cb');
  const r = await launch(bad, { login: false });
  assert(!r.returned && r.status === 400, `status ${r.status}`);
  bad.searchParams.set('redirect_uri', redirectUri);
  bad.searchParams.set('client_id', 'no-such-client');
  const r2 = await launch(bad, { login: false });
  assert(!r2.returned && r2.status === 400, `status ${r2.status}`);
});

await check('deny comes back as access_denied with the state', async () => {
  const { challenge } = await pkce();
  const { returned } = await launch(authorizationUrl(confidential, {
    code_challenge: challenge, code_challenge_method: 'S256', state: 'deny-1' }), { deny: true });
  const p = new URL(returned).searchParams;
  assert(p.get('error') === 'access_denied' && p.get('state') === 'deny-1', returned);
});

await check('bad client credentials are invalid_client', async () => {
  const wrong = await client.discovery(issuer, cfg.confidential.client_id, 'not-the-secret');
  await refused(client.refreshTokenGrant(wrong, 'whatever'), 'invalid_client');
});

// The member's data as an app sees it, through fhir-kit-client: the patient's compartment only
// (another patient's record does not exist for this token), searches and $everything confined
// in the query, granular category scopes narrowing searches and refusing reads outside them.
function fhirClient(token) {
  return new Client({ baseUrl: fhirBase, customHeaders: { authorization: `Bearer ${token}` } });
}
function ids(bundle) {
  return (bundle.entry ?? []).filter((e) => e.search?.mode !== 'include')
    .map((e) => `${e.resource.resourceType}/${e.resource.id}`).sort();
}
async function status(promise) {
  try {
    await promise;
    return 200;
  } catch (e) {
    return e?.response?.status ?? 0;
  }
}
async function launchFor(scope, app = publicApp, member = cfg.member) {
  const { verifier, challenge } = await pkce();
  const state = client.randomState();
  const { returned } = await launch(authorizationUrl(app, {
    scope, code_challenge: challenge, code_challenge_method: 'S256', state }), { member });
  return client.authorizationCodeGrant(app, new URL(returned), {
    pkceCodeVerifier: verifier, expectedState: state });
}

// planctl, as an operator (or the portal, over the same gRPC API) runs it; its JSON output.
function planctl(...args) {
  return JSON.parse(execFileSync(cfg.planctl, [...args, '--addr', cfg.auth_addr]).toString());
}

let ehrLaunch;
await check('EHR launch: planctl makes it; the app follows iss and launch; the token carries the patient', async () => {
  const made = planctl('launch', 'create', '--realm', cfg.realm, '--client', cfg.public.client_id,
                       '--patient', cfg.member.patient, '--base-url', cfg.base);
  // What the app receives: its launch URL with iss and launch.
  const opened = new URL(made.launch_url);
  assert(`${opened.origin}${opened.pathname}` === cfg.launch_url, `launch URL ${made.launch_url}`);
  const iss = opened.searchParams.get('iss');
  ehrLaunch = opened.searchParams.get('launch');
  assert(iss === fhirBase && ehrLaunch === made.launch, `iss ${iss}`);
  const smart = await (await fetch(`${iss}/.well-known/smart-configuration`)).json();
  assert(smart.capabilities.includes('launch-ehr') && smart.capabilities.includes('context-ehr-patient'),
         'EHR launch not advertised');
  const app = await client.discovery(new URL(smart.issuer), cfg.public.client_id, undefined, client.None());
  const { verifier, challenge } = await pkce();
  const state = client.randomState();
  const { returned } = await launch(authorizationUrl(app, {
    scope: 'launch patient/*.rs', aud: iss, launch: ehrLaunch,
    code_challenge: challenge, code_challenge_method: 'S256', state }));
  const t = await client.authorizationCodeGrant(app, new URL(returned), {
    pkceCodeVerifier: verifier, expectedState: state });
  assert(t.scope === 'launch patient/*.rs', `scope ${t.scope}`);
  assert(t.patient === cfg.member.patient, `patient ${t.patient}`);
  assert(t.need_patient_banner === true, 'need_patient_banner');
  const fhir = fhirClient(t.access_token);
  assert((await fhir.read({ resourceType: 'Patient', id: t.patient })).id === t.patient, 'own Patient');
  assert(await status(fhir.read({ resourceType: 'Patient', id: cfg.other_patient })) === 404,
         'another patient readable');
});

await check('EHR launch: a used or an unknown launch is invalid_request at the app, with no code', async () => {
  assert(ehrLaunch, 'no launch from the check before');
  for (const launchId of [ehrLaunch, 'no-such-launch']) {
    const { challenge } = await pkce();
    const { returned } = await launch(authorizationUrl(publicApp, {
      scope: 'launch patient/*.rs', launch: launchId, code_challenge: challenge,
      code_challenge_method: 'S256', state: 'ehr-bad' }), { login: false });
    assert(returned, 'no redirect to the app');
    const p = new URL(returned).searchParams;
    assert(p.get('error') === 'invalid_request' && !p.get('code') && p.get('state') === 'ehr-bad', returned);
  }
});

await check('EHR launch: a member signing in to a launch for another record is access_denied', async () => {
  const made = planctl('launch', 'create', '--realm', cfg.realm, '--client', cfg.public.client_id,
                       '--patient', cfg.member.patient, '--base-url', cfg.base);
  const { challenge } = await pkce();
  const { returned } = await launch(authorizationUrl(publicApp, {
    scope: 'launch patient/*.rs', launch: made.launch, code_challenge: challenge,
    code_challenge_method: 'S256', state: 'ehr-other' }), { member: cfg.other_member });
  const p = new URL(returned).searchParams;
  assert(p.get('error') === 'access_denied' && !p.get('code'), returned);
});

await check('connected apps: the member revokes an app in the browser; its tokens stop at once', async () => {
  const t = await launchFor('launch/patient offline_access patient/*.rs', confidential);
  assert(await fhirStatus(t.access_token) === 200, 'fresh token refused');
  // Another member's grant, to try revoking it from this member's session.
  await launchFor('launch/patient patient/*.rs', publicApp, cfg.other_member);
  const others = planctl('grants', 'list', '--member', cfg.other_member.username, '--realm', cfg.realm).grants;
  assert(others.length === 1, `other member's grants ${JSON.stringify(others)}`);

  // bypassCSP only lets the test edit the page's forms; the pages themselves run no script.
  const context = await browser.newContext({ ignoreHTTPSErrors: true, bypassCSP: true });
  const page = await context.newPage();
  try {
    const grantsUrl = `${issuer.href}/grants`;
    await page.goto(grantsUrl);
    await page.fill('input[name=username]', cfg.member.username);
    await page.fill('input[name=password]', cfg.member.password);
    await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
    assert(await page.locator('h1').innerText() === 'Connected apps', 'not signed in');
    const row = () => page.locator('tr.grant', { hasText: 'E2E confidential' });
    assert(await row().count() === 1, 'the app is not listed');
    assert((await row().innerText()).includes('patient/*.rs'), 'scopes not shown');
    // Submits the app's Revoke form after `edit` changed it; the status of the answer.
    const revoke = async (edit) => {
      await page.goto(grantsUrl);
      const form = row().locator('form');
      await edit(form);
      const [response] = await Promise.all([page.waitForNavigation(), form.locator('button').click()]);
      return response.request().redirectedFrom() ? 303 : response.status();
    };
    assert(await revoke((f) => f.locator('input[name=csrf]').evaluate((el) => el.remove())) === 403,
           'missing CSRF token accepted');
    assert(await revoke((f) => f.locator('input[name=csrf]').evaluate((el) => { el.value = 'wrong'; })) === 403,
           'wrong CSRF token accepted');
    assert(await revoke((f) => f.locator('input[name=grant]').evaluate((el, id) => { el.value = id; },
                                                                       others[0].grant_id)) === 404,
           "another member's grant accepted");
    assert(await fhirStatus(t.access_token) === 200, 'a refused revoke revoked');
    const still = planctl('grants', 'list', '--member', cfg.other_member.username, '--realm', cfg.realm).grants;
    assert(still.length === 1 && still[0].revoked_at === null, "the other member's grant was revoked");

    assert(await revoke(async () => {}) === 303, 'revoke did not go back to the page');
    assert(page.url() === grantsUrl && await row().count() === 0, 'the app is still listed');
    let after = 0;
    for (let i = 0; i < 20; i++) {
      after = await fhirStatus(t.access_token);
      if (after === 401) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert(after === 401, `revoked token still works at the gateway: ${after}`);
    await refused(client.refreshTokenGrant(confidential, t.refresh_token), 'invalid_grant');
  } finally {
    await context.close();
  }
});

await check('member data: reads, searches and $everything stay in the patient\'s compartment', async () => {
  const t = await launchFor('launch/patient patient/*.rs');
  const fhir = fhirClient(t.access_token);
  const me = await fhir.read({ resourceType: 'Patient', id: cfg.member.patient });
  assert(me.id === cfg.member.patient, 'own Patient');
  assert(await status(fhir.read({ resourceType: 'Patient', id: cfg.other_patient })) === 404,
         'another patient readable');
  assert(await status(fhir.read({ resourceType: 'Observation', id: 'e2e-obs-other' })) === 404,
         "another patient's Observation readable");
  const mine = ['Observation/e2e-obs-lab', 'Observation/e2e-obs-vitals'];
  assert(JSON.stringify(ids(await fhir.search({ resourceType: 'Observation' }))) === JSON.stringify(mine),
         'Observation search not confined');
  for (const patient of [cfg.other_patient, `Patient/${cfg.other_patient}`]) {
    const b = await fhir.search({ resourceType: 'Observation', searchParams: { patient } });
    assert(ids(b).length === 0, `patient=${patient} reached another record`);
  }
  const vitals = await fhir.search({ resourceType: 'Observation', searchParams: {
    patient: cfg.member.patient, category: 'vital-signs', code: 'http://loinc.org|8867-4' } });
  assert(JSON.stringify(ids(vitals)) === '["Observation/e2e-obs-vitals"]', JSON.stringify(ids(vitals)));
  const everything = await fhir.operation({ name: '$everything', resourceType: 'Patient',
                                            id: cfg.member.patient, method: 'get' });
  const all = ids(everything);
  assert(all.includes(`Patient/${cfg.member.patient}`) && all.includes('Observation/e2e-obs-lab') &&
         !all.includes('Observation/e2e-obs-other') && !all.includes(`Patient/${cfg.other_patient}`),
         `$everything ${all}`);
});

await check('member data: a granular category scope narrows searches and refuses other reads', async () => {
  const vitalSigns = 'http://terminology.hl7.org/CodeSystem/observation-category|vital-signs';
  const t = await launchFor(`launch/patient patient/Observation.rs?category=${vitalSigns}`);
  const fhir = fhirClient(t.access_token);
  const b = await fhir.search({ resourceType: 'Observation' });
  assert(JSON.stringify(ids(b)) === '["Observation/e2e-obs-vitals"]', `search ${ids(b)}`);
  assert(await status(fhir.read({ resourceType: 'Observation', id: 'e2e-obs-vitals' })) === 200, 'read in category');
  assert(await status(fhir.read({ resourceType: 'Observation', id: 'e2e-obs-lab' })) === 403,
         'read outside the category allowed');
  assert(await status(fhir.read({ resourceType: 'Condition', id: 'x' })) === 403, 'other type allowed');
});

await check('backend services: client_credentials with private_key_jwt (ES384)', async () => {
  const jwk = cfg.backend.private_jwk;
  const key = await webcrypto.subtle.importKey('jwk', jwk, { name: 'ECDSA', namedCurve: 'P-384' }, false, ['sign']);
  const backend = await client.discovery(issuer, cfg.backend.client_id, undefined,
                                         client.PrivateKeyJwt({ key, kid: jwk.kid }));
  const t = await client.clientCredentialsGrant(backend, { scope: 'system/Coverage.rs' });
  assert(t.scope === 'system/Coverage.rs' && !t.refresh_token, JSON.stringify(t));
  const status = await fhirStatus(t.access_token, '/Coverage?_count=1');
  assert(status !== 401 && status !== 403, `backend FHIR search refused: ${status}`);
  await refused(client.clientCredentialsGrant(backend, { scope: 'patient/Coverage.rs' }), 'invalid_scope');
});

await check('backend services write through the gateway: create, conditional create, update, delete, transaction', async () => {
  const jwk = cfg.backend.private_jwk;
  const key = await webcrypto.subtle.importKey('jwk', jwk, { name: 'ECDSA', namedCurve: 'P-384' }, false, ['sign']);
  const backend = await client.discovery(issuer, cfg.backend.client_id, undefined,
                                         client.PrivateKeyJwt({ key, kid: jwk.kid }));
  const writer = (await client.clientCredentialsGrant(backend, { scope: 'system/Coverage.cruds system/Patient.rs' })).access_token;
  const reader = (await client.clientCredentialsGrant(backend, { scope: 'system/Coverage.rs' })).access_token;
  const send = (method, path, { token = writer, body, headers = {} } = {}) => fetch(`${fhirBase}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/fhir+json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const stamp = `${Date.now()}`;
  const coverage = {
    resourceType: 'Coverage', status: 'active',
    identifier: [{ system: 'urn:e2e:coverage', value: stamp }],
    beneficiary: { reference: `Patient/${cfg.member.patient}` },
    payor: [{ display: 'E2E Health Plan' }],
  };
  // create: 201 with Location, ETag and the stored resource
  const created = await send('POST', '/Coverage', { body: coverage });
  assert(created.status === 201, `create: ${created.status}`);
  const location = created.headers.get('location');
  const stored = await created.json();
  assert(location === `${fhirBase}/Coverage/${stored.id}/_history/1`, `Location ${location}`);
  assert(created.headers.get('etag') === 'W/"1"' && stored.meta.versionId === '1', 'version');
  assert(created.headers.get('cache-control') === 'no-store', 'cacheable write answer');
  const read = await send('GET', `/Coverage/${stored.id}`, { token: reader });
  assert(read.status === 200 && (await read.json()).identifier[0].value === stamp, 'not readable');
  // conditional create finds it: 200 and the same resource, nothing new
  const again = await send('POST', '/Coverage', { body: coverage,
                                                  headers: { 'if-none-exist': `identifier=urn:e2e:coverage|${stamp}` } });
  assert(again.status === 200 && (await again.json()).id === stored.id, `conditional create: ${again.status}`);
  // update: 200, version 2; return=minimal: no body
  const updated = await send('PUT', `/Coverage/${stored.id}`, { body: { ...coverage, id: stored.id, status: 'cancelled' } });
  assert(updated.status === 200 && updated.headers.get('etag') === 'W/"2"', `update: ${updated.status}`);
  const minimal = await send('PUT', `/Coverage/${stored.id}`, { body: { ...coverage, id: stored.id },
                                                                headers: { prefer: 'return=minimal' } });
  assert(minimal.status === 204 && (await minimal.text()) === '', `minimal: ${minimal.status}`);
  // bad input is refused and changes nothing
  const mismatch = await send('PUT', `/Coverage/${stored.id}`, { body: { resourceType: 'Patient', id: stored.id } });
  assert(mismatch.status === 400, `type mismatch: ${mismatch.status}`);
  const xml = await send('POST', '/Coverage', { headers: { 'content-type': 'application/fhir+xml' }, body: coverage });
  assert(xml.status === 415, `xml: ${xml.status}`);
  assert((await send('POST', '/Coverage', { token: reader, body: coverage })).status === 403, 'read-only token wrote');
  assert((await send('PUT', `/Patient/${cfg.member.patient}`, { body: { resourceType: 'Patient', id: cfg.member.patient } })).status === 403,
         'wrote a type outside the scopes');
  const member = await launchFor('launch/patient patient/*.rs');
  assert((await send('DELETE', `/Coverage/${stored.id}`, { token: member.access_token })).status === 403, 'a member app deleted');
  assert((await send('POST', '/Coverage', { token: 'not-a-token', body: coverage })).status === 401, 'bad token wrote');
  const current = await (await send('GET', `/Coverage/${stored.id}`, { token: reader })).json();
  assert(current.meta.versionId === '3' && current.status === 'active', `changed by a refused write: ${JSON.stringify(current.meta)}`);
  // version-aware update: If-Match on the version read (3) wins; the same stale tag again is 412
  // with an OperationOutcome and changes nothing; a malformed tag is 400
  const matched = await send('PUT', `/Coverage/${stored.id}`, { body: { ...coverage, id: stored.id, status: 'draft' },
                                                                headers: { 'if-match': 'W/"3"' } });
  assert(matched.status === 200 && matched.headers.get('etag') === 'W/"4"', `If-Match update: ${matched.status}`);
  const lost = await send('PUT', `/Coverage/${stored.id}`, { body: { ...coverage, id: stored.id, status: 'cancelled' },
                                                             headers: { 'if-match': 'W/"3"' } });
  const lostOutcome = await lost.json();
  assert(lost.status === 412 && lostOutcome.resourceType === 'OperationOutcome' &&
         lostOutcome.issue[0].diagnostics.includes('is at version 4, not 3'), `stale If-Match: ${lost.status} ${JSON.stringify(lostOutcome)}`);
  const malformed = await send('DELETE', `/Coverage/${stored.id}`, { headers: { 'if-match': '4' } });
  assert(malformed.status === 400, `malformed If-Match: ${malformed.status}`);
  const afterStale = await (await send('GET', `/Coverage/${stored.id}`, { token: reader })).json();
  assert(afterStale.meta.versionId === '4' && afterStale.status === 'draft', `changed by a stale If-Match: ${JSON.stringify(afterStale.meta)}`);
  // delete: 204, then the read says 410 Gone
  const deleted = await send('DELETE', `/Coverage/${stored.id}`);
  assert(deleted.status === 204, `delete: ${deleted.status}`);
  assert((await send('GET', `/Coverage/${stored.id}`, { token: reader })).status === 410, 'deleted resource still read');
  // transaction: all or nothing, with urn:uuid references rewritten
  const tx = (entries) => send('POST', '', { body: { resourceType: 'Bundle', type: 'transaction', entry: entries } });
  const good = await tx([
    { fullUrl: 'urn:uuid:5a1c0b4e-0000-4000-8000-000000000001', resource: { ...coverage, identifier: [{ system: 'urn:e2e:coverage', value: `${stamp}-tx` }] },
      request: { method: 'POST', url: 'Coverage' } },
  ]);
  assert(good.status === 200, `transaction: ${good.status}`);
  const bundle = await good.json();
  assert(bundle.type === 'transaction-response' && bundle.entry[0].response.status.startsWith('201'), JSON.stringify(bundle));
  const bad = await tx([
    { resource: { ...coverage, identifier: [{ system: 'urn:e2e:coverage', value: `${stamp}-half` }] }, request: { method: 'POST', url: 'Coverage' } },
    { resource: { resourceType: 'Patient', id: `e2e-${stamp}` }, request: { method: 'PUT', url: `Coverage/e2e-${stamp}` } },
  ]);
  assert(bad.status === 400, `bad transaction: ${bad.status}`);
  const matches = async (value) => ((await (await send('GET', `/Coverage?identifier=urn:e2e:coverage|${value}`, { token: reader })).json())
    .entry ?? []).filter((e) => e.search?.mode === 'match').length;
  assert(await matches(`${stamp}-tx`) === 1, 'the transaction\'s Coverage is not found');
  assert(await matches(`${stamp}-half`) === 0, 'a failed transaction wrote its first entry');
});

await browser.close();
console.log(failures === 0 ? 'all passed' : `${failures} failed`);
process.exit(failures === 0 ? 0 : 1);
