// Validates one `helm template` stream of the planapi chart (read from stdin):
//   1. every document parses, has a known apiVersion/kind, and passes that kind's Kubernetes
//      schema (kubernetes-models' validate());
//   2. chart invariants that a schema cannot express (probes, limits, non-root, HPA/PDB per
//      Deployment, NetworkPolicy coverage, migration hooks, secret wiring, exposure mode).
// Usage: node validate.mjs --profile <default|production|incluster|loadbalancer|passthrough>
//                          [--name <label for output>] < rendered.yaml
// Prints "ok   - ..." / "FAIL - ..." lines and, last, "RESULT <passed> <failed>".
// Exit status: 0 when nothing failed.
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';

const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]]] : acc), []),
);
const PROFILES = {
  // Values as shipped: external database from a URL in values, no Ingress, self-signed TLS.
  default: {},
  // values-production.yaml: Secrets made outside the chart, Ingress on, at least 2 replicas each.
  production: {
    ingress: true,
    externalSecrets: ['planapi-database', 'planapi-gateway-tls', 'planapi-auth-keys', 'planapi-service-key'],
    minReplicasAtLeast: 2,
  },
  // postgresql.inCluster.enabled=true: the database does not exist at pre-install, so hooks run
  // only before upgrades and the backend pods migrate in an init container.
  incluster: { inCluster: true, hookEvents: ['pre-upgrade'], migrateInitContainers: true },
  // ingress off, gateway.service.type=LoadBalancer.
  loadbalancer: { gatewayServiceType: 'LoadBalancer' },
  // ingress with ssl passthrough; gateway and fhir with fixed replicas instead of an HPA.
  passthrough: { ingress: true, passthrough: true, noHpa: ['gateway', 'fhir'] },
};
const DEFAULTS = {
  ingress: false,
  passthrough: false,
  inCluster: false,
  gatewayServiceType: 'ClusterIP',
  hookEvents: ['pre-install', 'pre-upgrade'],
  externalSecrets: [],
  noHpa: [],
  minReplicasAtLeast: 1,
  migrateInitContainers: false,
};
if (!PROFILES[args.profile]) {
  console.error(`unknown --profile ${args.profile}; one of ${Object.keys(PROFILES).join(', ')}`);
  process.exit(2);
}
const P = { ...DEFAULTS, ...PROFILES[args.profile] };
const CASE = args.name ?? args.profile;

const BACKENDS = ['auth', 'fhir', 'directory', 'registry', 'review'];
const SERVICES = ['gateway', ...BACKENDS];
const LABEL = {
  name: 'app.kubernetes.io/name',
  instance: 'app.kubernetes.io/instance',
  component: 'app.kubernetes.io/component',
  managedBy: 'app.kubernetes.io/managed-by',
};

// ------------------------------------------------------------------------------ reporting
let passed = 0;
let failed = 0;
// One named check: `fn` returns nothing on success or throws / returns a list of problems.
async function check(title, fn) {
  let problems;
  try {
    problems = (await fn()) ?? [];
  } catch (e) {
    problems = [e instanceof Error ? e.message : String(e)];
  }
  if (problems.length === 0) {
    passed++;
    console.log(`ok   - [${CASE}] ${title}`);
  } else {
    failed++;
    console.log(`FAIL - [${CASE}] ${title}`);
    for (const p of problems.slice(0, 25)) console.log(`       ${p}`);
    if (problems.length > 25) console.log(`       ... and ${problems.length - 25} more`);
  }
}
function finish() {
  console.log(`RESULT ${passed} ${failed}`);
  process.exit(failed === 0 ? 0 : 1);
}

// ------------------------------------------------------------------------------ parsing
const text = readFileSync(0, 'utf8');
// YAML 1.1 like the Kubernetes API machinery (e.g. 0440 is octal there).
const docs = parseAllDocuments(text, { version: '1.1' });
const objects = [];
await check('every document is well-formed YAML', () => {
  const problems = [];
  docs.forEach((d, i) => {
    for (const e of [...d.errors, ...d.warnings]) problems.push(`document ${i}: ${e.message}`);
    const o = d.toJS();
    if (o === null || o === undefined) return; // empty document between separators
    if (typeof o !== 'object' || Array.isArray(o)) problems.push(`document ${i} is not a mapping`);
    else objects.push(o);
  });
  if (objects.length === 0) problems.push('no objects rendered');
  return problems;
});
if (failed) finish();

const id = (o) => `${o.kind}/${o.metadata?.name}`;

// apiVersion "apps/v1" -> module "kubernetes-models/apps/v1"; core "v1" -> "kubernetes-models/v1".
const modules = new Map();
async function modelClass(apiVersion, kind) {
  if (typeof apiVersion !== 'string' || !/^([a-z0-9.-]+\/)?v[0-9a-z]+$/.test(apiVersion)) return undefined;
  if (!modules.has(apiVersion)) {
    modules.set(apiVersion, await import(`kubernetes-models/${apiVersion}`).catch(() => null));
  }
  const mod = modules.get(apiVersion);
  const cls = mod?.[kind];
  return typeof cls === 'function' && cls.kind === kind ? cls : undefined;
}

await check(`Kubernetes schema of all ${objects.length} objects (kubernetes-models validate())`, async () => {
  const problems = [];
  for (const o of objects) {
    const cls = await modelClass(o.apiVersion, o.kind);
    if (!cls) {
      problems.push(`unknown apiVersion/kind ${o.apiVersion}/${o.kind} (${o.metadata?.name})`);
      continue;
    }
    try {
      new cls(o).validate();
    } catch (e) {
      problems.push(`${id(o)}: ${e.message}`);
    }
  }
  return problems;
});

// ------------------------------------------------------------------------------ helpers
const ofKind = (kind) => objects.filter((o) => o.kind === kind);
const find = (kind, name) => objects.find((o) => o.kind === kind && o.metadata?.name === name);
const componentOf = (o) => o.metadata?.labels?.[LABEL.component];
const hookEvents = (o) => (o.metadata?.annotations?.['helm.sh/hook'] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
const isHook = (o) => hookEvents(o).length > 0;

function selectorMatches(sel, labels = {}) {
  if (!sel) return false;
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of sel.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, e.key);
    const inValues = has && (e.values ?? []).includes(labels[e.key]);
    const ok = { In: inValues, NotIn: !inValues, Exists: has, DoesNotExist: !has }[e.operator];
    if (!ok) return false;
  }
  return true;
}

// Kubernetes quantity -> number (cores or bytes), enough to compare requests with limits.
function quantity(q) {
  if (typeof q === 'number') return q;
  const m = /^([0-9.]+)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/.exec(String(q));
  if (!m) return NaN;
  const mult = { m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
  return Number(m[1]) * (m[2] ? mult[m[2]] : 1);
}

// Workloads with a pod template, and their pod specs.
const workloads = objects.filter((o) => ['Deployment', 'StatefulSet', 'DaemonSet', 'Job'].includes(o.kind));
const podSpec = (w) => w.spec?.template?.spec ?? {};
const allContainers = (w) => [...(podSpec(w).initContainers ?? []), ...(podSpec(w).containers ?? [])];

// Effective environment of a container: its ConfigMaps (envFrom) overlaid with plain env values.
function containerEnv(c) {
  const env = {};
  for (const ef of c.envFrom ?? []) {
    const cm = ef.configMapRef && find('ConfigMap', ef.configMapRef.name);
    if (ef.configMapRef && !cm) throw new Error(`${c.name}: envFrom ConfigMap ${ef.configMapRef.name} is not rendered`);
    Object.assign(env, cm?.data ?? {});
  }
  for (const e of c.env ?? []) env[e.name] = e.value ?? { valueFrom: e.valueFrom };
  return env;
}

// The Secret volume (and key) that provides file `path` to container c of workload w.
function secretFileSource(w, c, path) {
  const mount = (c.volumeMounts ?? []).find((m) => path.startsWith(m.mountPath.replace(/\/?$/, '/')));
  if (!mount) return undefined;
  const vol = (podSpec(w).volumes ?? []).find((v) => v.name === mount.name);
  if (!vol?.secret) return undefined;
  const rel = path.slice(mount.mountPath.replace(/\/?$/, '/').length);
  const item = (vol.secret.items ?? []).find((i) => i.path === rel);
  return { secretName: vol.secret.secretName, key: item ? item.key : rel, mount };
}

// A Secret the pods need: rendered by the chart (and not a hook unless the user is a hook) or
// declared by the profile as made outside the chart.
function secretProblem(name, key, user) {
  if (P.externalSecrets.includes(name)) return undefined;
  const s = find('Secret', name);
  if (!s) return `${id(user)} needs Secret ${name}, which is neither rendered nor expected to exist`;
  if (isHook(s) && !isHook(user)) return `${id(user)} needs Secret ${name}, which is a hook (deleted after hooks run)`;
  const keys = [...Object.keys(s.data ?? {}), ...Object.keys(s.stringData ?? {})];
  if (key && !keys.includes(key)) return `${id(user)} needs key ${key} of Secret ${name}, which has ${keys.join(', ')}`;
  return undefined;
}

const deployments = ofKind('Deployment');
const deploymentOf = (svc) => deployments.find((d) => componentOf(d) === svc);
const podLabels = (w) => w.spec?.template?.metadata?.labels ?? {};
const mainContainer = (d) => (podSpec(d).containers ?? [])[0] ?? {};

// ------------------------------------------------------------------------------ invariants
await check('every object carries the chart labels and a valid name', () => {
  const problems = [];
  for (const o of objects) {
    const l = o.metadata?.labels ?? {};
    for (const k of [LABEL.name, LABEL.instance, LABEL.managedBy]) if (!l[k]) problems.push(`${id(o)} lacks label ${k}`);
    const name = o.metadata?.name ?? '';
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name) || name.length > 63) problems.push(`${id(o)}: bad name`);
  }
  return problems;
});

await check('one Deployment per service (gateway + 5 backends), named <fullname>-<service>', () => {
  const problems = [];
  for (const svc of SERVICES) {
    const ds = deployments.filter((d) => componentOf(d) === svc);
    if (ds.length !== 1) problems.push(`${ds.length} Deployments for ${svc}`);
    else if (!ds[0].metadata.name.endsWith(`-${svc}`)) problems.push(`${id(ds[0])} is not named *-${svc}`);
  }
  const extra = deployments.filter((d) => !SERVICES.includes(componentOf(d)));
  for (const d of extra) problems.push(`unexpected ${id(d)}`);
  return problems;
});

await check('every container has CPU and memory requests and limits (requests <= limits)', () => {
  const problems = [];
  for (const w of workloads) {
    for (const c of allContainers(w)) {
      for (const kind of ['requests', 'limits']) {
        for (const r of ['cpu', 'memory']) {
          if (c.resources?.[kind]?.[r] === undefined) problems.push(`${id(w)}/${c.name}: no ${kind}.${r}`);
        }
      }
      for (const r of ['cpu', 'memory']) {
        const req = quantity(c.resources?.requests?.[r]);
        const lim = quantity(c.resources?.limits?.[r]);
        if (req > lim) problems.push(`${id(w)}/${c.name}: ${r} request above limit`);
      }
    }
  }
  return problems;
});

await check('no container can run as root or escalate (runAsNonRoot, uid != 0, read-only root, drop ALL, seccomp)', () => {
  const problems = [];
  for (const w of workloads) {
    const psc = podSpec(w).securityContext ?? {};
    for (const c of allContainers(w)) {
      const sc = c.securityContext ?? {};
      const where = `${id(w)}/${c.name}`;
      const nonRoot = sc.runAsNonRoot ?? psc.runAsNonRoot;
      const uid = sc.runAsUser ?? psc.runAsUser;
      if (nonRoot !== true) problems.push(`${where}: runAsNonRoot is not true`);
      if (uid === undefined || uid === 0) problems.push(`${where}: runAsUser is ${uid ?? 'unset'} (need an explicit non-zero uid)`);
      if (sc.privileged === true) problems.push(`${where}: privileged`);
      if (sc.allowPrivilegeEscalation !== false) problems.push(`${where}: allowPrivilegeEscalation is not false`);
      if (sc.readOnlyRootFilesystem !== true) problems.push(`${where}: readOnlyRootFilesystem is not true`);
      if (!(sc.capabilities?.drop ?? []).includes('ALL')) problems.push(`${where}: capabilities do not drop ALL`);
      if ((sc.capabilities?.add ?? []).length) problems.push(`${where}: adds capabilities`);
      const seccomp = sc.seccompProfile?.type ?? psc.seccompProfile?.type;
      if (!['RuntimeDefault', 'Localhost'].includes(seccomp)) problems.push(`${where}: seccomp profile ${seccomp ?? 'unset'}`);
    }
    if (podSpec(w).hostNetwork || podSpec(w).hostPID || podSpec(w).hostIPC) problems.push(`${id(w)}: uses host namespaces`);
  }
  return problems;
});

await check('planapi containers run as uid 10001 without a service-account token', () => {
  const problems = [];
  for (const w of workloads.filter((x) => SERVICES.includes(componentOf(x)) || componentOf(x) === 'migrate')) {
    const psc = podSpec(w).securityContext ?? {};
    for (const c of podSpec(w).containers ?? []) {
      const uid = c.securityContext?.runAsUser ?? psc.runAsUser;
      if (uid !== 10001) problems.push(`${id(w)}/${c.name}: runAsUser ${uid}`);
    }
    if (podSpec(w).automountServiceAccountToken !== false) problems.push(`${id(w)}: automountServiceAccountToken is not false`);
  }
  return problems;
});

await check('images are pinned to a tag (no :latest, no untagged)', () => {
  const problems = [];
  for (const w of workloads) {
    for (const c of allContainers(w)) {
      const m = /^(.+?)(?::([^/:@]+))?(@sha256:[0-9a-f]{64})?$/.exec(c.image ?? '');
      if (!m || (!m[2] && !m[3]) || m[2] === 'latest') problems.push(`${id(w)}/${c.name}: image ${c.image}`);
    }
  }
  return problems;
});

await check('every Deployment has liveness and readiness probes of the right kind', () => {
  const problems = [];
  for (const d of deployments) {
    const svc = componentOf(d);
    for (const c of podSpec(d).containers ?? []) {
      for (const p of ['livenessProbe', 'readinessProbe']) {
        const probe = c[p];
        if (!probe) {
          problems.push(`${id(d)}/${c.name}: no ${p}`);
          continue;
        }
        if (svc === 'gateway') {
          const want = '/healthz';  // readiness too: /readyz fails whenever one backend is down
          const g = probe.httpGet ?? {};
          if (g.path !== want || g.scheme !== 'HTTPS' || !(g.port === 8443 || g.port === 'https')) {
            problems.push(`${id(d)}: ${p} is not GET ${want} over HTTPS on 8443: ${JSON.stringify(probe)}`);
          }
        } else if (p === 'readinessProbe' && probe.grpc?.port !== 50051) {
          // Readiness is the service's grpc.health.v1 status (it follows the database).
          problems.push(`${id(d)}: ${p} is not a gRPC probe on 50051: ${JSON.stringify(probe)}`);
        } else if (p === 'livenessProbe' && probe.grpc?.port !== 50051 && probe.tcpSocket?.port !== 50051) {
          problems.push(`${id(d)}: ${p} probes neither gRPC nor TCP on 50051: ${JSON.stringify(probe)}`);
        }
      }
    }
  }
  return problems;
});

await check('container ports: gateway 8443 (https), backends 50051 (grpc)', () => {
  const problems = [];
  for (const d of deployments) {
    const want = componentOf(d) === 'gateway' ? 8443 : 50051;
    const ports = (mainContainer(d).ports ?? []).map((p) => p.containerPort);
    if (ports.length !== 1 || ports[0] !== want) problems.push(`${id(d)}: ports ${ports} (want ${want})`);
  }
  return problems;
});

await check('terminationGracePeriodSeconds exceeds the service shutdown grace', () => {
  const problems = [];
  for (const d of deployments) {
    const env = containerEnv(mainContainer(d));
    const grace = Number(env.PLANAPI_SHUTDOWN_GRACE_SECONDS);
    const tgps = podSpec(d).terminationGracePeriodSeconds;
    if (!Number.isFinite(grace)) problems.push(`${id(d)}: PLANAPI_SHUTDOWN_GRACE_SECONDS unset`);
    else if (!(tgps > grace)) problems.push(`${id(d)}: terminationGracePeriodSeconds ${tgps} <= grace ${grace}`);
  }
  return problems;
});

await check('backend environment: gRPC on 0.0.0.0:50051, database URL as a mounted Secret file, schema, log level', () => {
  const problems = [];
  for (const svc of BACKENDS) {
    const d = deploymentOf(svc);
    if (!d) continue;
    const c = mainContainer(d);
    const env = containerEnv(c);
    if (env.PLANAPI_GRPC_PORT !== '50051') problems.push(`${svc}: PLANAPI_GRPC_PORT=${env.PLANAPI_GRPC_PORT}`);
    if (env.PLANAPI_GRPC_HOST !== '0.0.0.0') problems.push(`${svc}: PLANAPI_GRPC_HOST=${env.PLANAPI_GRPC_HOST}`);
    if (!/^[a-z_][a-z0-9_]*$/.test(env.PLANAPI_DB_SCHEMA ?? '')) problems.push(`${svc}: PLANAPI_DB_SCHEMA=${env.PLANAPI_DB_SCHEMA}`);
    if (!/^[1-9][0-9]*$/.test(env.PLANAPI_DB_POOL_SIZE ?? '')) problems.push(`${svc}: PLANAPI_DB_POOL_SIZE=${env.PLANAPI_DB_POOL_SIZE}`);
    if (!['debug', 'info', 'warn', 'error'].includes(env.PLANAPI_LOG_LEVEL)) problems.push(`${svc}: PLANAPI_LOG_LEVEL=${env.PLANAPI_LOG_LEVEL}`);
    if (env.PLANAPI_DATABASE_URL !== undefined) problems.push(`${svc}: the database URL is in plain env (use the _FILE form)`);
    const file = env.PLANAPI_DATABASE_URL_FILE;
    const src = typeof file === 'string' && secretFileSource(d, c, file);
    if (!src) problems.push(`${svc}: PLANAPI_DATABASE_URL_FILE=${file} is not inside a Secret volume mount`);
    else {
      const p = secretProblem(src.secretName, src.key, d);
      if (p) problems.push(p);
    }
  }
  // Distinct schemas: no service reads another's tables.
  const schemas = BACKENDS.map((s) => deploymentOf(s) && containerEnv(mainContainer(deploymentOf(s))).PLANAPI_DB_SCHEMA);
  if (new Set(schemas).size !== schemas.length) problems.push(`schemas are not distinct: ${schemas}`);
  return problems;
});

await check('gateway: TLS Secret mounted, cert/key files from it, backend addresses resolve to the Services', () => {
  const problems = [];
  const d = deploymentOf('gateway');
  if (!d) return ['no gateway Deployment'];
  const c = mainContainer(d);
  const env = containerEnv(c);
  for (const [v, key] of [['PLANAPI_TLS_CERT_FILE', 'tls.crt'], ['PLANAPI_TLS_KEY_FILE', 'tls.key']]) {
    const src = typeof env[v] === 'string' && secretFileSource(d, c, env[v]);
    if (!src) {
      problems.push(`${v}=${env[v]} is not inside a Secret volume mount`);
      continue;
    }
    if (src.key !== key) problems.push(`${v} comes from key ${src.key}, not ${key}`);
    if (!src.mount.readOnly) problems.push(`TLS mount ${src.mount.mountPath} is not read-only`);
    const p = secretProblem(src.secretName, key, d);
    if (p) problems.push(p);
    const s = find('Secret', src.secretName);
    if (s && s.type !== 'kubernetes.io/tls') problems.push(`Secret ${src.secretName} is of type ${s.type}`);
  }
  if (env.PLANAPI_HTTPS_PORT !== '8443') problems.push(`PLANAPI_HTTPS_PORT=${env.PLANAPI_HTTPS_PORT}`);
  if (!/^https:\/\/[^/]+/.test(env.PLANAPI_PUBLIC_URL ?? '')) problems.push(`PLANAPI_PUBLIC_URL=${env.PLANAPI_PUBLIC_URL}`);
  for (const k of ['PLANAPI_MAX_BODY_BYTES', 'PLANAPI_HEADER_TIMEOUT_SECONDS', 'PLANAPI_IDLE_TIMEOUT_SECONDS', 'PLANAPI_UPSTREAM_DEADLINE_MS', 'PLANAPI_HSTS_MAX_AGE', 'PLANAPI_WEB_ROOT', 'PLANAPI_LOG_LEVEL']) {
    if (typeof env[k] !== 'string' || env[k] === '') problems.push(`${k} unset`);
  }
  for (const svc of BACKENDS) {
    const addr = env[`PLANAPI_${svc.toUpperCase()}_ADDR`];
    // dns:///<service>:50051: gRPC's DNS resolver, so that round_robin sees every pod behind
    // the (headless) Service.
    const m = /^dns:\/\/\/([a-z0-9]([-a-z0-9]*[a-z0-9])?):([0-9]+)$/.exec(String(addr));
    if (!m) {
      problems.push(`PLANAPI_${svc.toUpperCase()}_ADDR=${addr} is not dns:///<service>:<port>`);
      continue;
    }
    const [, host, , port] = m;
    const s = find('Service', host);
    const bd = deploymentOf(svc);
    if (port !== '50051' || !s) problems.push(`PLANAPI_${svc.toUpperCase()}_ADDR=${addr} names no rendered Service on 50051`);
    else if (!(s.spec.ports ?? []).some((p) => p.port === 50051)) problems.push(`Service ${host} has no port 50051`);
    else if (bd && !selectorMatches({ matchLabels: s.spec.selector }, podLabels(bd))) problems.push(`Service ${host} does not select the ${svc} pods`);
  }
  return problems;
});

await check('every Deployment has a Service selecting its pods, on a port its container serves', () => {
  const problems = [];
  for (const d of deployments) {
    const svc = componentOf(d);
    const ss = ofKind('Service').filter((s) => s.spec?.selector && selectorMatches({ matchLabels: s.spec.selector }, podLabels(d)));
    if (ss.length !== 1) {
      problems.push(`${id(d)} is selected by ${ss.length} Services`);
      continue;
    }
    const s = ss[0];
    const names = (mainContainer(d).ports ?? []).flatMap((p) => [p.name, p.containerPort]);
    for (const p of s.spec.ports ?? []) {
      if (!names.includes(p.targetPort ?? p.port)) problems.push(`${id(s)} targets ${p.targetPort}, not served by ${id(d)}`);
    }
    const wantType = svc === 'gateway' ? P.gatewayServiceType : 'ClusterIP';
    if ((s.spec.type ?? 'ClusterIP') !== wantType) problems.push(`${id(s)} is ${s.spec.type}, expected ${wantType}`);
  }
  return problems;
});

await check('backend Services are headless (every pod for the gateway\'s round_robin); the gateway\'s is not', () => {
  const problems = [];
  for (const svc of SERVICES) {
    const d = deploymentOf(svc);
    if (!d) {
      problems.push(`no ${svc} Deployment`);
      continue;
    }
    const ss = ofKind('Service').filter((s) => s.spec?.selector && selectorMatches({ matchLabels: s.spec.selector }, podLabels(d)));
    if (ss.length !== 1) {
      problems.push(`${id(d)} is selected by ${ss.length} Services`);
      continue;
    }
    const s = ss[0];
    const headless = s.spec.clusterIP === 'None';
    if (svc === 'gateway') {
      if (headless || (s.spec.clusterIPs ?? []).includes('None')) problems.push(`${id(s)} is headless: the gateway needs a virtual IP (Ingress, LoadBalancer, port-forward)`);
      continue;
    }
    if (!headless) problems.push(`${id(s)}: clusterIP is ${JSON.stringify(s.spec.clusterIP)}, not None: each gateway would pin its calls to one ${svc} pod`);
    if ((s.spec.type ?? 'ClusterIP') !== 'ClusterIP') problems.push(`${id(s)}: type ${s.spec.type} cannot be headless`);
    if (s.spec.publishNotReadyAddresses) problems.push(`${id(s)}: publishes pods that are not ready (NOT_SERVING) to the gateway`);
    // Clients of a headless Service connect to the pods directly: the Service port must be the
    // port the container listens on, since no targetPort translation happens.
    const containerPorts = (mainContainer(d).ports ?? []).map((p) => p.containerPort);
    for (const p of s.spec.ports ?? []) {
      if (!containerPorts.includes(p.port)) problems.push(`${id(s)}: port ${p.port} is not a container port of ${id(d)} (headless: no port translation)`);
    }
  }
  return problems;
});

await check('HPA (autoscaling/v2, CPU) per Deployment, unless the profile turns it off', () => {
  const problems = [];
  for (const d of deployments) {
    const svc = componentOf(d);
    const hpas = ofKind('HorizontalPodAutoscaler').filter(
      (h) => h.spec?.scaleTargetRef?.kind === 'Deployment' && h.spec.scaleTargetRef.name === d.metadata.name,
    );
    if (P.noHpa.includes(svc)) {
      if (hpas.length) problems.push(`${svc}: has an HPA although autoscaling is off`);
      if (!Number.isInteger(d.spec.replicas)) problems.push(`${svc}: no HPA and no spec.replicas`);
      continue;
    }
    if (hpas.length !== 1) {
      problems.push(`${svc}: ${hpas.length} HPAs`);
      continue;
    }
    const h = hpas[0];
    if (h.apiVersion !== 'autoscaling/v2') problems.push(`${id(h)}: ${h.apiVersion}`);
    if (h.spec.scaleTargetRef.apiVersion !== 'apps/v1') problems.push(`${id(h)}: target apiVersion ${h.spec.scaleTargetRef.apiVersion}`);
    const cpu = (h.spec.metrics ?? []).find((m) => m.type === 'Resource' && m.resource?.name === 'cpu');
    if (!cpu || cpu.resource.target?.type !== 'Utilization' || !(cpu.resource.target.averageUtilization > 0)) problems.push(`${id(h)}: no CPU utilization target`);
    if (!(h.spec.minReplicas >= P.minReplicasAtLeast)) problems.push(`${id(h)}: minReplicas ${h.spec.minReplicas} < ${P.minReplicasAtLeast}`);
    if (!(h.spec.maxReplicas >= h.spec.minReplicas)) problems.push(`${id(h)}: maxReplicas < minReplicas`);
    // The HPA owns the replica count; a fixed one would be reset on every upgrade.
    if (d.spec.replicas !== undefined) problems.push(`${id(d)}: sets spec.replicas although an HPA scales it`);
  }
  return problems;
});

await check('PDB (policy/v1) per Deployment, selecting its pods, never blocking every eviction', () => {
  const problems = [];
  for (const d of deployments) {
    const pdbs = ofKind('PodDisruptionBudget').filter((p) => selectorMatches(p.spec?.selector, podLabels(d)));
    if (pdbs.length !== 1) {
      problems.push(`${id(d)}: ${pdbs.length} PDBs select its pods`);
      continue;
    }
    const pdb = pdbs[0];
    if (pdb.apiVersion !== 'policy/v1') problems.push(`${id(pdb)}: ${pdb.apiVersion}`);
    const hpa = ofKind('HorizontalPodAutoscaler').find((h) => h.spec?.scaleTargetRef?.name === d.metadata.name);
    const floor = hpa ? hpa.spec.minReplicas : d.spec.replicas ?? 1;
    const minAv = pdb.spec.minAvailable;
    if (typeof minAv === 'number' && minAv >= floor) {
      problems.push(`${id(pdb)}: minAvailable ${minAv} >= the minimum of ${floor} replicas: node drains would block`);
    }
    if (pdb.spec.maxUnavailable === 0 || pdb.spec.maxUnavailable === '0%') problems.push(`${id(pdb)}: maxUnavailable 0`);
  }
  return problems;
});

await check('NetworkPolicy: gateway open on 8443 only; backends only from the chart\'s gateway/backend pods on 50051', () => {
  const problems = [];
  const policies = ofKind('NetworkPolicy');
  const selecting = (labels) => policies.filter((np) => selectorMatches(np.spec?.podSelector, labels));
  for (const np of policies) {
    if ((np.spec.policyTypes ?? []).includes('Egress')) problems.push(`${id(np)} restricts egress (DNS/database need it open)`);
  }
  // Gateway: every ingress rule is on 8443; some rule admits any source.
  const gw = deploymentOf('gateway');
  if (gw) {
    const rules = selecting(podLabels(gw)).flatMap((np) => ((np.spec.policyTypes ?? ['Ingress']).includes('Ingress') ? np.spec.ingress ?? [] : []));
    if (rules.length === 0) problems.push('no NetworkPolicy selects the gateway');
    for (const r of rules) {
      const ports = (r.ports ?? []).map((p) => p.port);
      if (ports.length === 0 || ports.some((p) => p !== 8443 && p !== 'https')) problems.push(`gateway rule admits ports ${ports.length ? ports : 'all'}`);
    }
    if (!rules.some((r) => !r.from || r.from.length === 0)) problems.push('gateway is not reachable from outside the namespace');
  }
  // Backends: selected by an Ingress policy; every rule names sources, all of them chart pods.
  const chartPods = SERVICES.map((s) => deploymentOf(s)).filter(Boolean).map(podLabels);
  for (const svc of BACKENDS) {
    const d = deploymentOf(svc);
    if (!d) continue;
    const pols = selecting(podLabels(d)).filter((np) => (np.spec.policyTypes ?? ['Ingress']).includes('Ingress'));
    if (pols.length === 0) {
      problems.push(`no NetworkPolicy selects the ${svc} pods`);
      continue;
    }
    const rules = pols.flatMap((np) => np.spec.ingress ?? []);
    let gatewayAdmitted = false;
    const peersAdmitted = new Set();
    for (const r of rules) {
      const ports = (r.ports ?? []).map((p) => p.port);
      if (ports.length === 0 || ports.some((p) => p !== 50051 && p !== 'grpc')) problems.push(`${svc}: rule admits ports ${ports.length ? ports : 'all'}`);
      if (!r.from || r.from.length === 0) {
        problems.push(`${svc}: a rule admits every source`);
        continue;
      }
      for (const peer of r.from) {
        // The test profiles add no networkPolicy.backendsExtraFrom: any other peer is a leak.
        if (peer.ipBlock || peer.namespaceSelector || !peer.podSelector) {
          problems.push(`${svc}: admits a peer outside the chart: ${JSON.stringify(peer)}`);
          continue;
        }
        if (Object.keys(peer.podSelector).length === 0 || !peer.podSelector.matchLabels?.[LABEL.instance]) {
          problems.push(`${svc}: podSelector not limited to this release: ${JSON.stringify(peer.podSelector)}`);
        }
        if (gw && selectorMatches(peer.podSelector, podLabels(gw))) gatewayAdmitted = true;
        BACKENDS.forEach((b) => deploymentOf(b) && selectorMatches(peer.podSelector, podLabels(deploymentOf(b))) && peersAdmitted.add(b));
      }
    }
    if (!gatewayAdmitted) problems.push(`${svc}: the gateway pods are not admitted`);
    const missing = BACKENDS.filter((b) => !peersAdmitted.has(b));
    if (missing.length) problems.push(`${svc}: backends not admitted: ${missing}`);
  }
  if (chartPods.length !== SERVICES.length) problems.push('not all six Deployments rendered');
  return problems;
});

await check(`migrations: one hook Job per backend (${P.hookEvents.join(',')}) running planapi-<svc> --migrate`, () => {
  const problems = [];
  const jobs = ofKind('Job');
  for (const svc of BACKENDS) {
    const js = jobs.filter((j) => (podSpec(j).containers ?? []).some((c) => (c.command ?? [])[0] === `/usr/local/bin/planapi-${svc}`));
    if (js.length !== 1) {
      problems.push(`${svc}: ${js.length} migration Jobs`);
      continue;
    }
    const j = js[0];
    const events = hookEvents(j);
    for (const e of P.hookEvents) if (!events.includes(e)) problems.push(`${id(j)}: hook ${events} lacks ${e}`);
    for (const e of events) if (!P.hookEvents.includes(e)) problems.push(`${id(j)}: unexpected hook event ${e}`);
    const policy = j.metadata.annotations?.['helm.sh/hook-delete-policy'] ?? '';
    if (!policy.includes('before-hook-creation')) problems.push(`${id(j)}: without before-hook-creation the next upgrade fails on the old Job`);
    const c = podSpec(j).containers.find((x) => x.command?.[0] === `/usr/local/bin/planapi-${svc}`);
    const argv = [...c.command.slice(1), ...(c.args ?? [])];
    if (argv.length !== 1 || argv[0] !== '--migrate') problems.push(`${id(j)}: argv ${argv}`);
    if (podSpec(j).restartPolicy !== 'Never' && podSpec(j).restartPolicy !== 'OnFailure') problems.push(`${id(j)}: restartPolicy ${podSpec(j).restartPolicy}`);
    // Same configuration as the service (the Job cannot use the ConfigMap: hooks run first).
    const d = deploymentOf(svc);
    if (d) {
      const want = containerEnv(mainContainer(d));
      const got = containerEnv(c);
      for (const [k, v] of Object.entries(want)) {
        // The auth keys are not needed to migrate (the Secret may not exist before install).
        if (k === 'PLANAPI_CLIENT_SECRET_KEY_FILE' || k === 'PLANAPI_SIGNING_KEYS_FILE') continue;
        if (JSON.stringify(got[k]) !== JSON.stringify(v)) problems.push(`${id(j)}: ${k}=${JSON.stringify(got[k])}, service has ${JSON.stringify(v)}`);
      }
      if ((c.envFrom ?? []).length) problems.push(`${id(j)}: uses envFrom (the ConfigMap does not exist before install)`);
      if (podSpec(j).serviceAccountName && events.includes('pre-install') && !P.externalSecrets.includes(podSpec(j).serviceAccountName)) {
        const sa = find('ServiceAccount', podSpec(j).serviceAccountName);
        if (sa && !isHook(sa)) problems.push(`${id(j)}: uses ServiceAccount ${sa.metadata.name}, created only after pre-install hooks`);
      }
      const src = secretFileSource(j, c, got.PLANAPI_DATABASE_URL_FILE ?? '');
      if (!src) problems.push(`${id(j)}: database URL file not mounted from a Secret`);
      else if (!P.externalSecrets.includes(src.secretName)) {
        const s = find('Secret', src.secretName);
        if (!s) problems.push(`${id(j)}: Secret ${src.secretName} not rendered`);
        else if (events.includes('pre-install')) {
          // At pre-install only hook objects with a lower weight exist.
          const w = (o) => Number(o.metadata.annotations?.['helm.sh/hook-weight'] ?? 0);
          if (!hookEvents(s).includes('pre-install') || !(w(s) < w(j))) problems.push(`${id(j)}: Secret ${src.secretName} does not exist yet at pre-install`);
        }
      }
    }
  }
  // Pods that migrate at start (in-cluster database): an init container running --migrate with
  // the service's own configuration; otherwise none.
  for (const svc of BACKENDS) {
    const d = deploymentOf(svc);
    if (!d) continue;
    const inits = (podSpec(d).initContainers ?? []).filter((c) => (c.command ?? [])[0] === `/usr/local/bin/planapi-${svc}`);
    if (!P.migrateInitContainers) {
      if (inits.length) problems.push(`${id(d)}: migrates in an init container although hooks do it`);
      continue;
    }
    if (inits.length !== 1) {
      problems.push(`${id(d)}: ${inits.length} migrating init containers`);
      continue;
    }
    const c = inits[0];
    if (JSON.stringify([...c.command.slice(1), ...(c.args ?? [])]) !== '["--migrate"]') problems.push(`${id(d)}: init argv ${c.command}`);
    if (JSON.stringify(containerEnv(c)) !== JSON.stringify(containerEnv(mainContainer(d)))) problems.push(`${id(d)}: init container env differs from the service's`);
    const src = secretFileSource(d, c, containerEnv(c).PLANAPI_DATABASE_URL_FILE ?? '');
    if (!src) problems.push(`${id(d)}: init container has no database URL file`);
  }
  const others = jobs.filter((j) => !BACKENDS.some((svc) => podSpec(j).containers?.some((c) => c.command?.[0] === `/usr/local/bin/planapi-${svc}`)));
  for (const j of others) problems.push(`unexpected ${id(j)}`);
  return problems;
});

await check('every Secret and ConfigMap the workloads reference is rendered or provided outside', () => {
  const problems = [];
  for (const w of workloads) {
    for (const v of podSpec(w).volumes ?? []) {
      if (v.secret) {
        for (const it of v.secret.items ?? [{}]) {
          const p = secretProblem(v.secret.secretName, it.key, w);
          if (p) problems.push(p);
        }
      }
      if (v.configMap && !find('ConfigMap', v.configMap.name)) problems.push(`${id(w)}: ConfigMap ${v.configMap.name} missing`);
    }
    for (const c of allContainers(w)) {
      for (const e of c.env ?? []) {
        const ref = e.valueFrom?.secretKeyRef;
        if (ref) {
          const p = secretProblem(ref.name, ref.key, w);
          if (p) problems.push(p);
        }
      }
    }
    const sa = podSpec(w).serviceAccountName;
    if (sa && !find('ServiceAccount', sa)) problems.push(`${id(w)}: ServiceAccount ${sa} missing`);
  }
  return problems;
});

await check('every Deployment mounts the service key file it names (internal calls need a service identity)', () => {
  const problems = [];
  for (const d of deployments) {
    const c = mainContainer(d);
    const path = containerEnv(c).PLANAPI_SERVICE_KEY_FILE;
    if (typeof path !== 'string' || !path) {
      problems.push(`${id(d)}: no PLANAPI_SERVICE_KEY_FILE`);
      continue;
    }
    const src = secretFileSource(d, c, path);
    if (!src) {
      problems.push(`${id(d)}: ${path} is not a file of a mounted Secret`);
      continue;
    }
    const p = secretProblem(src.secretName, src.key, d);
    if (p) problems.push(p);
  }
  if (deployments.length < 6) problems.push(`only ${deployments.length} Deployments`);
  return problems;
});

await check(`gateway exposure: ${P.ingress ? `Ingress${P.passthrough ? ' (ssl passthrough)' : ''}` : 'no Ingress'}, Service ${P.gatewayServiceType}`, () => {
  const problems = [];
  const ings = ofKind('Ingress');
  const gwSvc = ofKind('Service').find((s) => componentOf(s) === 'gateway');
  if (!gwSvc) return ['no gateway Service'];
  if ((gwSvc.spec.type ?? 'ClusterIP') !== P.gatewayServiceType) problems.push(`gateway Service type ${gwSvc.spec.type}`);
  if (!P.ingress) {
    if (ings.length) problems.push(`${ings.length} Ingresses rendered`);
    return problems;
  }
  if (ings.length !== 1) return [...problems, `${ings.length} Ingresses (want 1)`];
  const ing = ings[0];
  const ann = ing.metadata.annotations ?? {};
  if (ing.apiVersion !== 'networking.k8s.io/v1') problems.push(`Ingress apiVersion ${ing.apiVersion}`);
  if (ann['nginx.ingress.kubernetes.io/backend-protocol'] !== 'HTTPS') problems.push('backend-protocol is not HTTPS');
  if ((ann['nginx.ingress.kubernetes.io/ssl-passthrough'] === 'true') !== P.passthrough) problems.push(`ssl-passthrough annotation: ${ann['nginx.ingress.kubernetes.io/ssl-passthrough']}`);
  const tls = ing.spec.tls ?? [];
  if (tls.length === 0 || !tls[0].secretName) problems.push('Ingress has no TLS secret');
  else {
    const p = secretProblem(tls[0].secretName, 'tls.crt', ing);
    if (p) problems.push(p);
  }
  const hosts = (ing.spec.rules ?? []).map((r) => r.host);
  if (hosts.some((h) => !h) || hosts.some((h) => !(tls[0]?.hosts ?? []).includes(h))) problems.push(`rule hosts ${hosts} not all covered by TLS hosts`);
  const gwEnv = deploymentOf('gateway') && containerEnv(mainContainer(deploymentOf('gateway')));
  if (gwEnv && !hosts.includes(new URL(gwEnv.PLANAPI_PUBLIC_URL).hostname)) problems.push(`Ingress hosts ${hosts} do not include the public URL's host`);
  for (const r of ing.spec.rules ?? []) {
    for (const p of r.http?.paths ?? []) {
      const b = p.backend?.service;
      if (b?.name !== gwSvc.metadata.name) problems.push(`Ingress path ${p.path} goes to ${b?.name}, not the gateway`);
      else if (!(gwSvc.spec.ports ?? []).some((sp) => sp.name === b.port?.name || sp.port === b.port?.number)) problems.push(`Ingress backend port ${JSON.stringify(b.port)} not on the gateway Service`);
    }
  }
  return problems;
});

await check(P.inCluster ? 'in-cluster PostgreSQL 15: StatefulSet + Service + PVC, URL and password wired' : 'no in-cluster PostgreSQL', () => {
  const problems = [];
  const sts = ofKind('StatefulSet');
  if (!P.inCluster) {
    if (sts.length) problems.push(`${sts.length} StatefulSets rendered`);
    return problems;
  }
  if (sts.length !== 1) return [`${sts.length} StatefulSets (want 1)`];
  const s = sts[0];
  const c = podSpec(s).containers?.[0] ?? {};
  if (!/^(docker\.io\/(library\/)?)?postgres:15(\.|$|-)/.test(c.image ?? '')) problems.push(`image ${c.image}`);
  if (s.spec.replicas !== 1) problems.push(`replicas ${s.spec.replicas}`);
  if (!(s.spec.volumeClaimTemplates ?? []).length) problems.push('no volumeClaimTemplates (PVC)');
  if (!(c.readinessProbe && c.livenessProbe)) problems.push('PostgreSQL lacks probes');
  const svc = find('Service', s.spec.serviceName);
  if (!svc || !selectorMatches({ matchLabels: svc.spec.selector }, podLabels(s))) problems.push(`governing Service ${s.spec.serviceName} missing or not selecting the pod`);
  const pw = (c.env ?? []).find((e) => e.name === 'POSTGRES_PASSWORD')?.valueFrom?.secretKeyRef;
  if (!pw) problems.push('POSTGRES_PASSWORD not from a Secret');
  // Every backend: URL Secret points at this Service; PGPASSWORD from the same Secret.
  const urlSecret = find('Secret', `${s.metadata.name.replace(/-postgresql$/, '')}-database`);
  const url = urlSecret?.stringData?.url ?? (urlSecret?.data?.url && Buffer.from(urlSecret.data.url, 'base64').toString());
  if (!url) problems.push('database URL Secret not rendered');
  else if (new URL(url).hostname !== s.spec.serviceName) problems.push(`database URL ${url} does not point at ${s.spec.serviceName}`);
  for (const b of BACKENDS) {
    const d = deploymentOf(b);
    const ref = d && mainContainer(d).env?.find((e) => e.name === 'PGPASSWORD')?.valueFrom?.secretKeyRef;
    if (!ref || !pw || ref.name !== pw.name || ref.key !== pw.key) problems.push(`${b}: PGPASSWORD not from the PostgreSQL password Secret`);
  }
  const np = ofKind('NetworkPolicy').find((n) => selectorMatches(n.spec.podSelector, podLabels(s)));
  if (!np) problems.push('no NetworkPolicy protects PostgreSQL');
  return problems;
});

if (P.externalSecrets.length) {
  await check('production: the chart generates no credentials (all Secrets come from outside)', () => {
    const problems = [];
    for (const s of ofKind('Secret')) problems.push(`renders ${id(s)}`);
    if (ofKind('Ingress').length !== 1) problems.push('no Ingress');
    return problems;
  });
}

finish();
