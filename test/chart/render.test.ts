/**
 * The chart renders with its defaults and with every ci/ values file, every object validates
 * against its schema, and the pieces fit together: RBAC is read-only on exactly the resources the
 * exporter reads, pods are locked down and probed, and Service, ServiceMonitor, NetworkPolicy and
 * PodDisruptionBudget all select what they should.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';
import {
  CHART_DIR,
  NAMESPACE,
  arr,
  at,
  ciValuesFiles,
  ofKind,
  rec,
  render,
  selects,
  str,
  stringMap,
  type K8sObject,
  type Obj,
} from './helm.js';
import { validateObject } from './schemas.js';
import { args, container, envVar, podLabels, podSpec, service, serviceMonitors, workload } from './workload.js';

const VERBS = ['get', 'list', 'watch'];
/** apiGroup -> resources the exporter reads; RBAC may grant nothing else. */
const ALLOWED: ReadonlyMap<string, readonly string[]> = new Map([
  ['', ['namespaces', 'pods', 'resourcequotas']],
  ['sparkoperator.k8s.io', ['sparkapplications', 'scheduledsparkapplications']],
  ['spark.apache.org', ['sparkapplications']],
]);
/** kubectl's `resource.group` spelling: Apache's and kubeflow's SparkApplications share a plural. */
const NAMESPACED = ['pods', 'resourcequotas', 'sparkapplications.sparkoperator.k8s.io', 'scheduledsparkapplications.sparkoperator.k8s.io', 'sparkapplications.spark.apache.org'];

interface Grant {
  readonly group: string;
  readonly resource: string;
}

function rules(role: K8sObject): Obj[] {
  return arr(role['rules'], `${role.kind} ${role.metadata.name} rules`).map((r) => rec(r, 'rule'));
}

/** Every rule is get/list/watch on allowed resources, nothing more; returns what is granted. */
function checkRoleRules(role: K8sObject): Grant[] {
  const grants: Grant[] = [];
  for (const rule of rules(role)) {
    const where = `${role.kind} ${role.metadata.name}`;
    assert.equal(rule['nonResourceURLs'], undefined, `${where}: no nonResourceURLs`);
    assert.equal(rule['resourceNames'], undefined, `${where}: no resourceNames`);
    const verbs = arr(rule['verbs'], 'verbs').map((v) => str(v, 'verb'));
    assert.deepEqual([...verbs].sort(), VERBS, `${where}: verbs must be exactly get, list, watch`);
    for (const group of arr(rule['apiGroups'], 'apiGroups').map((g) => str(g, 'apiGroup'))) {
      const allowed = ALLOWED.get(group);
      assert.ok(allowed, `${where}: apiGroup "${group}" is not one the exporter reads`);
      for (const resource of arr(rule['resources'], 'resources').map((r) => str(r, 'resource'))) {
        assert.notEqual(resource, 'secrets', `${where}: must never grant secrets`);
        assert.ok(allowed.includes(resource), `${where}: ${group || 'core'}/${resource} is not needed`);
        grants.push({ group, resource });
      }
    }
  }
  return grants;
}

function resourcesOf(grants: readonly Grant[]): string[] {
  return [...new Set(grants.map((g) => (g.group === '' ? g.resource : `${g.resource}.${g.group}`)))].sort();
}

interface RbacExpectation {
  /** Namespaces with Roles, or empty for cluster-wide. */
  readonly namespaces: readonly string[];
  readonly namespaceReader: boolean;
}

function checkRbac(objects: readonly K8sObject[], expected: RbacExpectation): void {
  const saName = str(podSpec(workload(objects))['serviceAccountName'], 'serviceAccountName');
  const clusterRoles = ofKind(objects, 'ClusterRole');
  const roles = ofKind(objects, 'Role');

  // Bindings bind the pod's ServiceAccount, and only it, to a role rendered here.
  for (const binding of [...ofKind(objects, 'ClusterRoleBinding'), ...ofKind(objects, 'RoleBinding')]) {
    const subjects = arr(binding['subjects'], 'subjects').map((s) => rec(s, 'subject'));
    assert.deepEqual(subjects, [{ kind: 'ServiceAccount', name: saName, namespace: NAMESPACE }]);
    const ref = rec(binding['roleRef'], 'roleRef');
    const target = binding.kind === 'ClusterRoleBinding' ? clusterRoles : roles;
    assert.ok(
      target.some(
        (r) =>
          r.kind === ref['kind'] &&
          r.metadata.name === ref['name'] &&
          (binding.kind === 'ClusterRoleBinding' || r.metadata['namespace'] === binding.metadata['namespace']),
      ),
      `${binding.kind} ${binding.metadata.name} refers to a role that is not rendered`,
    );
  }
  assert.equal(ofKind(objects, 'ClusterRoleBinding').length, clusterRoles.length);
  assert.equal(ofKind(objects, 'RoleBinding').length, roles.length);

  const clusterGrants = clusterRoles.flatMap(checkRoleRules);
  if (expected.namespaces.length === 0) {
    assert.equal(roles.length, 0, 'cluster-wide mode renders no Roles');
    assert.deepEqual(resourcesOf(clusterGrants), [...NAMESPACED, 'namespaces'].sort());
    return;
  }
  assert.deepEqual(
    resourcesOf(clusterGrants),
    expected.namespaceReader ? ['namespaces'] : [],
    'in namespaced mode the only cluster-wide grant is reading namespaces, if enabled',
  );
  assert.deepEqual(roles.map((r) => r.metadata['namespace']).sort(), [...expected.namespaces].sort());
  for (const role of roles) {
    assert.deepEqual(resourcesOf(checkRoleRules(role)), [...NAMESPACED].sort(), `Role in ${role.metadata['namespace']}`);
  }
}

function checkPod(objects: readonly K8sObject[]): void {
  const w = workload(objects);
  const spec = podSpec(w);
  const c = container(w);
  const labels = podLabels(w);

  assert.ok(selects(stringMap(at(w, 'spec', 'selector', 'matchLabels'), 'selector'), labels), 'workload selects its pods');

  const psc = rec(spec['securityContext'], 'pod securityContext');
  assert.equal(psc['runAsNonRoot'], true);
  assert.ok(typeof psc['runAsUser'] === 'number' && psc['runAsUser'] > 0, 'runs as a non-root uid');
  assert.ok(rec(psc['seccompProfile'], 'seccompProfile')['type'], 'a seccomp profile is set');
  const csc = rec(c['securityContext'], 'container securityContext');
  assert.equal(csc['allowPrivilegeEscalation'], false);
  assert.equal(csc['readOnlyRootFilesystem'], true);
  assert.notEqual(csc['privileged'], true);
  assert.deepEqual(at(csc, 'capabilities', 'drop'), ['ALL']);
  assert.equal(at(csc, 'capabilities', 'add'), undefined);

  assert.equal(arr(c['args'], 'args')[0], 'serve', 'the image runs `serve`');
  const ports = arr(c['ports'], 'ports').map((p) => rec(p, 'port'));
  const metricsPort = ports.find((p) => p['name'] === 'metrics');
  assert.ok(metricsPort, 'container port named metrics');
  assert.ok(args(w).includes(`--port=${String(metricsPort['containerPort'])}`), 'the exporter listens on the metrics port');
  for (const [probe, pathName] of [
    ['livenessProbe', '/healthz'],
    ['readinessProbe', '/readyz'],
  ] as const) {
    const get = rec(at(c, probe, 'httpGet'), probe);
    assert.equal(get['path'], pathName, `${probe} path`);
    assert.equal(get['port'], 'metrics', `${probe} on the metrics port`);
  }
  assert.equal(spec['hostNetwork'], undefined);
  assert.equal(spec['hostPID'], undefined);

  // Service selects exactly these pods, on the named port.
  const svc = service(objects);
  assert.ok(selects(stringMap(at(svc, 'spec', 'selector'), 'service selector'), labels), 'Service selects the pods');
  const svcPorts = arr(at(svc, 'spec', 'ports'), 'service ports').map((p) => rec(p, 'service port'));
  assert.deepEqual(
    svcPorts.map((p) => [p['name'], p['targetPort']]),
    [['metrics', 'metrics']],
  );

  for (const sm of serviceMonitors(objects)) {
    const svcLabels = stringMap(svc.metadata['labels'], 'service labels');
    assert.ok(selects(stringMap(at(sm, 'spec', 'selector', 'matchLabels'), 'sm selector'), svcLabels), 'ServiceMonitor selects the Service');
    assert.deepEqual(at(sm, 'spec', 'namespaceSelector', 'matchNames'), [svc.metadata['namespace']]);
    const endpoints = arr(at(sm, 'spec', 'endpoints'), 'endpoints').map((e) => rec(e, 'endpoint'));
    assert.deepEqual(endpoints.map((e) => e['port']), ['metrics'], 'ServiceMonitor scrapes the named port');
    assert.equal(endpoints[0]?.['path'], '/metrics');
    assert.equal(endpoints[0]?.['honorLabels'], true, "the exporter's namespace label must not become exported_namespace");
    const jobLabel = at(sm, 'spec', 'jobLabel');
    assert.equal(svcLabels[str(jobLabel, 'jobLabel')], 'spark-k8s-exporter', 'job="spark-k8s-exporter"');
  }

  for (const np of ofKind(objects, 'NetworkPolicy')) {
    assert.ok(selects(stringMap(at(np, 'spec', 'podSelector', 'matchLabels'), 'np selector'), labels), 'NetworkPolicy selects the pods');
    const ingress = arr(at(np, 'spec', 'ingress'), 'ingress').map((i) => rec(i, 'ingress rule'));
    const ingressPorts = ingress.flatMap((i) => arr(i['ports'], 'ingress ports').map((p) => rec(p, 'port')['port']));
    assert.deepEqual(ingressPorts, ['metrics'], 'only the metrics port is open');
    assert.ok(arr(at(np, 'spec', 'egress'), 'egress').length > 0, 'egress to the API server is allowed');
  }
  for (const pdb of ofKind(objects, 'PodDisruptionBudget')) {
    assert.ok(selects(stringMap(at(pdb, 'spec', 'selector', 'matchLabels'), 'pdb selector'), labels), 'PDB selects the pods');
  }
}

function checkCommon(objects: readonly K8sObject[]): void {
  assert.ok(objects.length > 0);
  for (const o of objects) validateObject(o);
  checkPod(objects);
}

describe('chart renders and validates', () => {
  test('defaults: a Deployment with a read-only ClusterRole over the whole cluster', async () => {
    const objects = await render();
    checkCommon(objects);
    checkRbac(objects, { namespaces: [], namespaceReader: true });
    const w = workload(objects);
    assert.equal(w.kind, 'Deployment');
    assert.equal(at(w, 'spec', 'replicas'), 1);
    assert.ok(!args(w).some((a) => a.startsWith('--namespaces')), 'all namespaces by default');
    assert.ok(!args(w).some((a) => a.startsWith('--total-shards')), 'no sharding by default');
    assert.ok(args(w).includes('--team-label=team'));
    assert.deepEqual(rec(podSpec(w)['securityContext'], 'psc'), {
      runAsNonRoot: true,
      runAsUser: 65534,
      runAsGroup: 65534,
      fsGroup: 65534,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    assert.equal(podSpec(w)['automountServiceAccountToken'], true, 'the exporter needs its API token');
    assert.equal(ofKind(objects, 'ServiceAccount').length, 1);
    assert.equal(ofKind(objects, 'ServiceMonitor').length, 0, 'monitors need the operator CRDs: opt-in');
    assert.equal(ofKind(objects, 'PrometheusRule').length, 0, 'rules need the operator CRDs: opt-in');
    assert.equal(ofKind(objects, 'NetworkPolicy').length, 0);
    assert.equal(ofKind(objects, 'PodDisruptionBudget').length, 0);
  });

  test('every ci values file renders, validates and fits together', async (t) => {
    const files = await ciValuesFiles();
    assert.ok(files.length >= 6, 'ci/ has the example values files');
    for (const file of files) {
      await t.test(path.basename(file), async () => {
        checkCommon(await render({ valuesFiles: [file] }));
      });
    }
  });

  test('namespaced mode: Roles in each watched namespace and --namespaces', async () => {
    const objects = await render({ valuesFiles: [path.join(CHART_DIR, 'ci', '01-namespaced-values.yaml')] });
    const expected = ['spark-jobs', 'spark-batch', NAMESPACE];
    checkRbac(objects, { namespaces: expected, namespaceReader: true });
    const a = args(workload(objects));
    assert.ok(a.includes(`--namespaces=${expected.join(',')}`), `args: ${a.join(' ')}`);
    assert.ok(a.includes('--team-label=owner'));
    assert.ok(a.includes('--log-level=debug'));
  });

  test('namespaced mode without the namespace reader renders no cluster-scoped RBAC', async () => {
    const objects = await render({
      setJson: { 'config.watchNamespaces': ['spark', 'spark'], 'rbac.namespaceReader': false },
    });
    checkRbac(objects, { namespaces: ['spark'], namespaceReader: false });
    assert.equal(ofKind(objects, 'ClusterRole').length, 0);
    assert.equal(ofKind(objects, 'ClusterRoleBinding').length, 0);
    assert.ok(args(workload(objects)).includes('--namespaces=spark'), 'duplicates are dropped');
  });

  test('rbac.create=false and an existing ServiceAccount render no RBAC and no ServiceAccount', async () => {
    const objects = await render({
      setJson: { 'rbac.create': false, 'serviceAccount.create': false, 'serviceAccount.name': 'spark-reader' },
    });
    for (const kind of ['ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding', 'ServiceAccount']) {
      assert.equal(ofKind(objects, kind).length, 0, kind);
    }
    assert.equal(podSpec(workload(objects))['serviceAccountName'], 'spark-reader');
  });

  test('autosharding: a StatefulSet of N shards passing --total-shards=N and POD_NAME', async () => {
    const objects = await render({ valuesFiles: [path.join(CHART_DIR, 'ci', '06-autosharding-values.yaml')] });
    const w = workload(objects);
    assert.equal(w.kind, 'StatefulSet');
    assert.equal(at(w, 'spec', 'replicas'), 3);
    assert.equal(at(w, 'spec', 'serviceName'), service(objects).metadata.name);
    const a = args(w);
    assert.deepEqual(a.filter((x) => x.startsWith('--total-shards')), ['--total-shards=3']);
    assert.ok(!a.some((x) => x.startsWith('--shard=')), 'each pod takes its shard from its ordinal');
    assert.deepEqual(at(envVar(w, 'POD_NAME'), 'valueFrom', 'fieldRef', 'fieldPath'), 'metadata.name');

    const other = workload(await render({ setJson: { 'autosharding.enabled': true, replicas: 5 } }));
    assert.ok(args(other).includes('--total-shards=5'), 'the shard count follows replicas');
  });

  test('custom security context is used as given and stays non-root', async () => {
    const objects = await render({ valuesFiles: [path.join(CHART_DIR, 'ci', '05-security-context-values.yaml')] });
    const psc = rec(podSpec(workload(objects))['securityContext'], 'psc');
    assert.equal(psc['runAsUser'], 1000);
    assert.deepEqual(psc['seccompProfile'], { type: 'Localhost', localhostProfile: 'profiles/node.json' });
    assert.deepEqual(rec(container(workload(objects))['resources'], 'resources')['limits'], { memory: '512Mi' });
  });

  test('TLS and bearer token: mounted, passed as flags, and used by the ServiceMonitor', async () => {
    const objects = await render({ valuesFiles: [path.join(CHART_DIR, 'ci', '07-tls-auth-values.yaml')] });
    const w = workload(objects);
    const a = args(w);
    assert.ok(a.includes('--tls-cert-file=/etc/spark-k8s-exporter/tls/tls.crt'));
    assert.ok(a.includes('--tls-key-file=/etc/spark-k8s-exporter/tls/tls.key'));
    assert.ok(a.includes('--auth-token-file=/etc/spark-k8s-exporter/auth/token'));
    assert.equal(at(container(w), 'livenessProbe', 'httpGet', 'scheme'), 'HTTPS');
    const endpoint = rec(arr(at(serviceMonitors(objects)[0], 'spec', 'endpoints'), 'endpoints')[0], 'endpoint');
    assert.equal(endpoint['scheme'], 'https');
    assert.deepEqual(endpoint['authorization'], {
      type: 'Bearer',
      credentials: { name: 'spark-k8s-exporter-token', key: 'token' },
    });
    assert.equal(at(endpoint, 'tlsConfig', 'serverName'), 'spark-k8s-exporter.monitoring.svc');
  });

  test('extraArgs, extraEnv and the config block reach the container', async () => {
    const objects = await render({
      setJson: {
        extraArgs: ['--context=other'],
        extraEnv: [{ name: 'NODE_OPTIONS', value: '--max-old-space-size=384' }],
        config: { churnWindow: '10m', retention: '1h', labelValueMaxLength: 64, logFormat: 'pretty' },
      },
    });
    const w = workload(objects);
    const a = args(w);
    for (const expected of ['--context=other', '--churn-window=10m', '--retention=1h', '--label-value-max-length=64', '--log-format=pretty']) {
      assert.ok(a.includes(expected), `${expected} in ${a.join(' ')}`);
    }
    assert.equal(envVar(w, 'NODE_OPTIONS')?.['value'], '--max-old-space-size=384');
  });
});
