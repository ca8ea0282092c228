// The public Provider Directory through the gateway, as an app would use it: fhir-kit-client
// (a FHIR client nobody on the team wrote), no token, over the 49 Plan-Net examples that
// directory_client_test.cc loads with planctl. Asserts by id what each search returns.
//
// Env: PLANAPI_DIRECTORY_BASE  https://localhost:PORT/directory/r4
//      NODE_EXTRA_CA_CERTS     the test CA, so Node trusts the gateway's certificate
// Prints one line per check and "N passed, M failed" last; exits non-zero on any failure.
import assert from 'node:assert/strict';
import { Client, RESPONSE_KEY } from 'fhir-kit-client';

const base = process.env.PLANAPI_DIRECTORY_BASE;
if (!base) {
  console.error('PLANAPI_DIRECTORY_BASE is not set');
  process.exit(2);
}
const client = new Client({ baseUrl: base });

let passed = 0;
let failed = 0;
async function check(name, fn) {
  try {
    await fn();
    passed++;
    console.log(`ok   - ${name}`);
  } catch (e) {
    failed++;
    console.log(`FAIL - ${name}\n       ${(e && e.stack) || e}`);
    if (e && e.response) {
      console.log(`       response ${e.response.status}: ${JSON.stringify(e.response.data)}`);
    }
  }
}

const sorted = (xs) => [...xs].sort();
const matchIds = (bundle) =>
  (bundle.entry || []).filter((e) => e.search?.mode === 'match').map((e) => e.resource.id);
const includedRefs = (bundle) =>
  (bundle.entry || [])
    .filter((e) => e.search?.mode === 'include')
    .map((e) => `${e.resource.resourceType}/${e.resource.id}`);
const headersOf = (result) => result[RESPONSE_KEY].headers;

async function search(resourceType, searchParams, options = {}) {
  return client.search({ resourceType, searchParams, options });
}
async function matches(resourceType, searchParams) {
  return sorted(matchIds(await search(resourceType, searchParams)));
}
// The HTTP error a call must fail with.
async function failure(promise) {
  try {
    await promise;
  } catch (e) {
    if (e.response) return e.response;
    throw e;
  }
  throw new Error('the request succeeded, but should have failed');
}

// --- The SHALL searches, one or more per type -----------------------------------------------
await check('Practitioner name, family, given', async () => {
  assert.deepEqual(await matches('Practitioner', { name: 'smith' }), ['Counselor', 'JoeSmith']);
  assert.deepEqual(await matches('Practitioner', { family: 'Solo' }), ['HansSolo']);
  assert.deepEqual(await matches('Practitioner', { given: 'joe' }), ['JoeSmith']);
});

await check('Practitioner _revinclude=PractitionerRole:practitioner', async () => {
  const b = await search('Practitioner', {
    family: 'smith',
    _revinclude: 'PractitionerRole:practitioner',
  });
  assert.deepEqual(sorted(matchIds(b)), ['Counselor', 'JoeSmith']);
  assert.deepEqual(sorted(includedRefs(b)), [
    'PractitionerRole/CounselorRole1',
    'PractitionerRole/JoeSmithRole1',
  ]);
});

await check('Practitioner _has:PractitionerRole:practitioner:specialty|role|network|location', async () => {
  const has = '_has:PractitionerRole:practitioner:';
  assert.deepEqual(await matches('Practitioner', { [`${has}specialty`]: '207R00000X' }), [
    'HansSolo',
    'JoeSmith',
  ]);
  assert.deepEqual(await matches('Practitioner', { [`${has}role`]: 'co' }), ['Counselor']);
  assert.deepEqual(
    await matches('Practitioner', { [`${has}network`]: 'Organization/AcmeofCTStdNet' }),
    ['Counselor', 'HansSolo', 'JoeSmith'],
  );
  assert.deepEqual(await matches('Practitioner', { [`${has}location`]: 'HospLoc1' }), ['JoeSmith']);
});

await check('PractitionerRole by reference parameters, specialty, role, network', async () => {
  assert.deepEqual(await matches('PractitionerRole', { practitioner: 'Practitioner/JoeSmith' }), [
    'JoeSmithRole1',
  ]);
  assert.deepEqual(await matches('PractitionerRole', { organization: 'Hospital' }), [
    'JoeSmithRole1',
    'JoeSmithRole3',
  ]);
  assert.deepEqual(await matches('PractitionerRole', { location: 'HospLoc2' }), [
    'AnonRole',
    'JoeSmithRole2',
  ]);
  assert.deepEqual(await matches('PractitionerRole', { service: 'VirtualCounselService' }), [
    'CounselorRole1',
  ]);
  assert.deepEqual(await matches('PractitionerRole', { specialty: '207RC0000X' }), [
    'JoeSmithRole3',
  ]);
  assert.deepEqual(await matches('PractitionerRole', { role: 'ap' }), ['JoeSmithRole3']);
  assert.equal((await matches('PractitionerRole', { network: 'AcmeofCTStdNet' })).length, 6);
});

await check('PractitionerRole chains (names with spaces, encoded as +)', async () => {
  assert.deepEqual(await matches('PractitionerRole', { 'organization.name': 'Hartford General' }), [
    'JoeSmithRole1',
    'JoeSmithRole3',
  ]);
  assert.deepEqual(await matches('PractitionerRole', { 'practitioner.name': 'smith' }), [
    'CounselorRole1',
    'JoeSmithRole1',
  ]);
  assert.deepEqual(await matches('PractitionerRole', { 'service.service-category': 'outpat' }), [
    'AnonRole',
    'HansSoloRole1',
    'JoeSmithRole2',
  ]);
  assert.equal(
    (await matches('PractitionerRole', { 'network.name': 'ACME CT Preferred' })).length,
    6,
  );
  assert.deepEqual(await matches('PractitionerRole', { 'location.address-city': 'Anytown' }), [
    'AnonRole',
    'HansSoloRole1',
    'JoeSmithRole1',
    'JoeSmithRole2',
  ]);
});

const combination = {
  specialty: 'http://nucc.org/provider-taxonomy|207R00000X',
  'location.address-city': 'Anytown',
  _include: ['PractitionerRole:practitioner', 'PractitionerRole:location'],
};
const combinationIncluded = [
  'Location/HansSoloClinic',
  'Location/HospLoc1',
  'Location/HospLoc2',
  'Practitioner/HansSolo',
  'Practitioner/JoeSmith',
];
await check('PractitionerRole specialty + location.address-city + two _include (GET)', async () => {
  const b = await search('PractitionerRole', combination);
  assert.deepEqual(sorted(matchIds(b)), ['AnonRole', 'HansSoloRole1', 'JoeSmithRole1', 'JoeSmithRole2']);
  assert.deepEqual(sorted(includedRefs(b)), combinationIncluded);
});

await check('the same combination by POST _search', async () => {
  const b = await search('PractitionerRole', combination, { postSearch: true });
  assert.deepEqual(sorted(matchIds(b)), ['AnonRole', 'HansSoloRole1', 'JoeSmithRole1', 'JoeSmithRole2']);
  assert.deepEqual(sorted(includedRefs(b)), combinationIncluded);
});

await check('Organization parameters, revincludes, partof.name and _has', async () => {
  assert.deepEqual(await matches('Organization', { type: 'ntwk' }), ['AcmeofCTPremNet', 'AcmeofCTStdNet']);
  assert.deepEqual(await matches('Organization', { partof: 'Acme' }), ['AcmeofCTPremNet', 'AcmeofCTStdNet']);
  assert.deepEqual(await matches('Organization', { address: 'Norwalk' }), ['Acme', 'BigBox', 'PharmChain']);
  assert.deepEqual(await matches('Organization', { name: 'Hamilton' }), ['CancerClinic', 'HamiltonClinic']);
  assert.deepEqual(await matches('Organization', { 'coverage-area': 'StateOfCTLocation' }), ['AcmeofCTPremNet']);
  assert.deepEqual(await matches('Organization', { 'partof.name': 'Hartford' }), ['HamiltonClinic']);
  assert.deepEqual(
    await matches('Organization', {
      '_has:OrganizationAffiliation:participating-organization:network': 'AcmeofCTStdNet',
    }),
    ['BurrClinic', 'HamiltonClinic', 'HartfordOrthopedics', 'PharmChain'],
  );
  const b = await search('Organization', {
    _id: 'PharmChain',
    _revinclude: ['OrganizationAffiliation:participating-organization', 'HealthcareService:organization'],
  });
  assert.deepEqual(sorted(includedRefs(b)), [
    'HealthcareService/PharmChainCompService',
    'HealthcareService/PharmChainMailService',
    'HealthcareService/PharmChainRetailService',
    'OrganizationAffiliation/PharmChainAffil1',
    'OrganizationAffiliation/PharmChainAffil2',
    'OrganizationAffiliation/PharmChainAffil3',
  ]);
});

await check('Location parameters, _include and _revinclude', async () => {
  assert.deepEqual(await matches('Location', { 'address-city': 'Rainbow' }), ['PharmLoc2']);
  assert.deepEqual(await matches('Location', { 'address-postalcode': '00014-1334' }), ['PharmLoc2']);
  assert.deepEqual(await matches('Location', { type: 'HOSP' }), ['CancerClinicLoc', 'HospLoc1', 'HospLoc2']);
  assert.deepEqual(await matches('Location', { organization: 'Hospital' }), ['HospLoc1', 'HospLoc2']);
  const b = await search('Location', {
    _id: 'HospLoc2',
    _include: 'Location:organization',
    _revinclude: 'PractitionerRole:location',
  });
  assert.deepEqual(sorted(includedRefs(b)), [
    'Organization/Hospital',
    'PractitionerRole/AnonRole',
    'PractitionerRole/JoeSmithRole2',
  ]);
});

await check('HealthcareService, OrganizationAffiliation, InsurancePlan, Endpoint', async () => {
  assert.deepEqual(await matches('HealthcareService', { 'service-category': 'pharm' }), [
    'PharmChainCompService',
    'PharmChainMailService',
    'PharmChainRetailService',
  ]);
  assert.deepEqual(await matches('HealthcareService', { 'location.address-city': 'Rainbow' }), [
    'PharmChainRetailService',
  ]);
  assert.deepEqual(await matches('OrganizationAffiliation', { 'primary-organization': 'Hospital' }), [
    'BurrClinicAffil',
    'HartfordOrthopedicAffil',
  ]);
  assert.deepEqual(await matches('OrganizationAffiliation', { specialty: '3336C0004X' }), ['PharmChainAffil2']);
  assert.deepEqual(await matches('InsurancePlan', { 'plan-type': 'gold' }), ['AcmeQHPGold']);
  const plans = await search('InsurancePlan', {
    'owned-by.name': 'Acme of CT',
    _include: ['InsurancePlan:coverage-area', 'InsurancePlan:endpoint'],
  });
  assert.deepEqual(sorted(matchIds(plans)), ['AcmeQHPBronze', 'AcmeQHPGold']);
  assert.deepEqual(sorted(includedRefs(plans)), [
    'Endpoint/AcmeOfCTPortalEndpoint',
    'Location/StateOfCTLocation',
  ]);
  assert.deepEqual(await matches('Endpoint', { 'connection-type': 'rest-non-fhir' }), ['AcmeOfCTPortalEndpoint']);
});

await check('_id and _lastUpdated', async () => {
  assert.deepEqual(await matches('Location', { _id: 'PharmLoc1,PharmLoc2' }), ['PharmLoc1', 'PharmLoc2']);
  assert.equal((await matches('Practitioner', { _lastUpdated: 'gt2021-01-01' })).length, 3);
  assert.deepEqual(await matches('Practitioner', { _lastUpdated: 'lt2021-01-01' }), []);
});

await check('Location near, sorted by distance', async () => {
  const b = await search('Location', { near: '16|5|500|km', _sort: 'near' });
  assert.deepEqual(matchIds(b), [
    'PharmLoc4', 'CancerClinicLoc', 'HansSoloClinic', 'HospLoc1', 'HospLoc2', 'PharmLoc1',
    'PharmLoc2', 'PharmLoc3',
  ]);
  assert.deepEqual(await matches('Location', { near: '15|3|160|mi' }), [
    'CancerClinicLoc', 'HansSoloClinic', 'HospLoc1', 'HospLoc2', 'PharmLoc1', 'PharmLoc4',
  ]);
  assert.deepEqual(await matches('PractitionerRole', { 'location.near': '16|5|300' }), [
    'AnonRole', 'HansSoloRole1', 'JoeSmithRole1', 'JoeSmithRole2',
  ]);
});

await check('paging follows next links to every match once', async () => {
  let page = await search('Location', { _count: 3, near: '16|5|500|km', _sort: 'near' });
  const seen = [...matchIds(page)];
  let pages = 1;
  while ((page = await client.nextPage({ bundle: page }))) {
    seen.push(...matchIds(page));
    pages++;
  }
  assert.equal(pages, 3);
  assert.deepEqual(seen, [
    'PharmLoc4', 'CancerClinicLoc', 'HansSoloClinic', 'HospLoc1', 'HospLoc2', 'PharmLoc1',
    'PharmLoc2', 'PharmLoc3',
  ]);
  page = await search('PractitionerRole', { _count: 4 }, { postSearch: true });
  const all = new Set(matchIds(page));
  page = await client.nextPage({ bundle: page });
  assert.ok(page, 'a second page');
  for (const id of matchIds(page)) {
    assert.ok(!all.has(id), `${id} twice`);
    all.add(id);
  }
  assert.equal(all.size, 6);
  assert.equal(await client.nextPage({ bundle: page }), undefined);
});

await check('type history: every version newest first, paged by next links, _since', async () => {
  const all = await search('Location', { _count: 1000 });
  const locations = sorted(matchIds(all));
  const history = await client.typeHistory({ resourceType: 'Location' });
  assert.equal(history.type, 'history');
  const ids = (bundle) => (bundle.entry || []).map((e) => e.fullUrl.slice(`${base}/Location/`.length));
  assert.deepEqual(sorted(new Set(ids(history))), locations);
  const times = (history.entry || []).map((e) => e.response.lastModified);
  assert.deepEqual(times, [...times].sort().reverse(), 'newest first');
  // Pages of three through next links: the same versions, none twice.
  let page = await client.request('Location/_history?_count=3');
  const walked = [...ids(page)];
  let pages = 1;
  while ((page = await client.nextPage({ bundle: page }))) {
    walked.push(...ids(page));
    pages++;
  }
  assert.deepEqual(walked, ids(history));
  assert.equal(pages, Math.ceil(walked.length / 3));
  // _since after the newest version: nothing.
  const later = new Date(Date.parse(times[0]) + 1000).toISOString();
  assert.equal(((await client.request(`Location/_history?_since=${later}`)).entry ?? []).length, 0);
  const since = await client.request(`Location/_history?_since=${times[times.length - 1]}`);
  assert.equal(since.entry.length, times.length, '_since is inclusive');
  const badCursor = await failure(client.request('Location/_history?_cursor=not-ours'));
  assert.equal(badCursor.status, 400);
});

// --- HTTP behaviour of the public endpoint --------------------------------------------------
await check('conditional read: ETag, then If-None-Match answers 304', async () => {
  const practitioner = await client.read({ resourceType: 'Practitioner', id: 'JoeSmith' });
  assert.equal(practitioner.id, 'JoeSmith');
  const etag = headersOf(practitioner).get('etag');
  assert.match(etag, /^W\/"\d+"$/);
  assert.ok(headersOf(practitioner).get('last-modified'));
  const notModified = await failure(
    client.read({ resourceType: 'Practitioner', id: 'JoeSmith', options: { headers: { 'If-None-Match': etag } } }),
  );
  assert.equal(notModified.status, 304);
  const changed = await client.read({
    resourceType: 'Practitioner',
    id: 'JoeSmith',
    options: { headers: { 'If-None-Match': 'W/"999"' } },
  });
  assert.equal(changed.id, 'JoeSmith');
});

await check('CORS and Cache-Control on public answers', async () => {
  const options = { headers: { Origin: 'https://app.example' } };
  const read = await client.read({ resourceType: 'Location', id: 'HospLoc1', options });
  assert.equal(headersOf(read).get('access-control-allow-origin'), '*');
  assert.match(headersOf(read).get('cache-control'), /\bpublic\b.*max-age=\d+/);
  const found = await search('Location', { type: 'HOSP' }, options);
  assert.equal(headersOf(found).get('access-control-allow-origin'), '*');
  assert.match(headersOf(found).get('cache-control'), /\bpublic\b.*max-age=\d+/);
  const metadata = await client.capabilityStatement(options);
  const location = metadata.rest[0].resource.find((r) => r.type === 'Location');
  assert.ok(location.searchParam.some((p) => p.name === 'near'), 'near is declared');
  const role = metadata.rest[0].resource.find((r) => r.type === 'PractitionerRole');
  assert.ok(role.searchParam.some((p) => p.name === 'network'), 'Plan-Net network is declared');
});

// --- Bad input -------------------------------------------------------------------------------
async function refused(resourceType, searchParams, mentions) {
  const r = await failure(search(resourceType, searchParams));
  assert.equal(r.status, 400, JSON.stringify(r.data));
  assert.equal(r.data.resourceType, 'OperationOutcome');
  const text = JSON.stringify(r.data.issue);
  assert.ok(text.includes(mentions), `${text} names ${mentions}`);
}
await check('unknown parameter, bad chain, bad _include, malformed near: 400 naming it', async () => {
  await refused('Practitioner', { colour: 'red' }, 'colour');
  await refused('PractitionerRole', { 'location.colour': 'red' }, 'colour');
  await refused('PractitionerRole', { 'specialty.name': 'x' }, 'specialty');
  await refused('PractitionerRole', { _include: 'PractitionerRole:colour' }, 'colour');
  await refused('PractitionerRole', { _include: 'Patient:general-practitioner' }, 'Patient');
  await refused('Location', { near: '95|3|10|km' }, 'near');
  await refused('Location', { near: '15|3|10|furlongs' }, 'furlongs');
});

await check('anonymous writes are refused with 401', async () => {
  const body = { resourceType: 'Location', name: 'Not yours' };
  const created = await failure(client.create({ resourceType: 'Location', body }));
  assert.equal(created.status, 401);
  const updated = await failure(
    client.update({ resourceType: 'Location', id: 'HospLoc1', body: { ...body, id: 'HospLoc1' } }),
  );
  assert.equal(updated.status, 401);
  const deleted = await failure(client.delete({ resourceType: 'Location', id: 'HospLoc1' }));
  assert.equal(deleted.status, 401);
  // Nothing changed.
  const loc = await client.read({ resourceType: 'Location', id: 'HospLoc1' });
  assert.equal(loc.name, 'Hartford Hospital Location 1');
});

console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
