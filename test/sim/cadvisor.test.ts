/**
 * The simulator's kubelet /metrics/cadvisor: cAdvisor's exposition (label set, pod cgroup and
 * pause series, Go float formatting, stamped working set, unstamped limit), and the memory story
 * the bundle's alerts are proven on: every OOMKilled executor spent minutes above 0.9 of its limit
 * before the kill, and nothing in `steady` comes near it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { World } from '../../src/sim/world.js';
import { cadvisorExposition, goFloat } from '../../src/sim/cadvisor.js';
import type { Pod } from '../../src/sim/types.js';
import type { ScenarioName } from '../../src/sim/scenarios.js';

const START = Date.UTC(2025, 0, 1);
const STAMP = 1_735_689_600_123;

interface Line {
  metric: string;
  labels: Record<string, string>;
  value: number;
  stamp: string | undefined;
}

function parse(text: string): Line[] {
  const out: Line[] = [];
  for (const l of text.split('\n')) {
    if (l === '' || l.startsWith('#')) continue;
    const m = /^([a-z_]+)\{(.*)\} (\S+)(?: (\d+))?$/.exec(l);
    assert.ok(m, `malformed line: ${l}`);
    const labels: Record<string, string> = {};
    for (const p of (m[2] ?? '').matchAll(/([a-z_]+)="((?:[^"\\]|\\.)*)"/g)) labels[p[1] ?? ''] = p[2] ?? '';
    out.push({ metric: m[1] ?? '', labels, value: Number(m[3]), stamp: m[4] });
  }
  return out;
}

function scrape(w: World): Line[] {
  return parse(cadvisorExposition(w.cluster.store.list('pods') as Iterable<Pod>, w.now(), STAMP, (p) => w.spark.memoryPlan(p.metadata.namespace ?? '', p.metadata.name)));
}

test('Go float formatting as the Prometheus Go client prints', () => {
  assert.equal(goFloat(0), '0');
  assert.equal(goFloat(405504), '405504');
  assert.equal(goFloat(1470353408), '1.470353408e+09');
  assert.equal(goFloat(4.0415232e7), '4.0415232e+07');
  assert.equal(goFloat(1e9), '1e+09');
});

test('cAdvisor exposition: label set, pod cgroup, pause sandbox, Spark container, stamps', () => {
  const w = new World({ scenario: 'oom', seed: 5, startMs: START });
  w.advance(120_000);
  const text = cadvisorExposition(w.cluster.store.list('pods') as Iterable<Pod>, w.now(), STAMP, () => undefined);
  assert.match(text, /^# HELP container_memory_working_set_bytes Current working set in bytes\.\n# TYPE container_memory_working_set_bytes gauge\n/);
  assert.match(text, /\n# HELP container_spec_memory_limit_bytes Memory limit for the container\.\n# TYPE container_spec_memory_limit_bytes gauge\n/);
  const lines = parse(text);
  for (const l of lines) assert.deepEqual(Object.keys(l.labels), ['container', 'id', 'image', 'name', 'namespace', 'pod']);
  for (const l of lines) assert.equal(l.stamp, l.metric === 'container_memory_working_set_bytes' ? String(STAMP) : undefined);
  const running = ([...w.cluster.store.list('pods')] as Pod[]).filter((p) => p.status.phase === 'Running' && !p.metadata.deletionTimestamp);
  assert.ok(running.length >= 4, `running pods: ${running.length}`);
  const ws = lines.filter((l) => l.metric === 'container_memory_working_set_bytes');
  assert.ok(ws.some((l) => l.labels['id'] === '/' && l.labels['pod'] === ''), 'root cgroup, no pod');
  for (const pod of running) {
    const mine = ws.filter((l) => l.labels['pod'] === pod.metadata.name);
    const cgroup = mine.find((l) => l.labels['container'] === '' && l.labels['image'] === '');
    const pause = mine.find((l) => l.labels['container'] === '' && l.labels['image'] === 'registry.k8s.io/pause:3.9');
    const spark = mine.find((l) => l.labels['container'] === pod.spec.containers[0]?.name);
    assert.ok(cgroup && pause && spark, `${pod.metadata.name}: pod cgroup, pause and Spark container`);
    assert.equal(mine.length, 3);
    assert.equal(cgroup.value, pause.value + spark.value, 'the pod cgroup holds both');
    assert.ok(spark.labels['id']?.startsWith(`${cgroup.labels['id']}/cri-containerd-`));
    assert.equal(spark.value % 4096, 0, 'whole pages');
    const limit = lines.find((l) => l.metric === 'container_spec_memory_limit_bytes' && l.labels['pod'] === pod.metadata.name && l.labels['container'] === spark.labels['container']);
    assert.ok(limit && limit.value > spark.value, 'below its limit');
    const pauseLimit = lines.find((l) => l.metric === 'container_spec_memory_limit_bytes' && l.labels['id'] === pause.labels['id']);
    assert.equal(pauseLimit?.value, 0, 'the pause container is unlimited (0)');
  }
  const names = new Set(ws.map((l) => l.labels['pod']).filter((p) => p !== ''));
  assert.deepEqual([...names].sort(), running.map((p) => p.metadata.name).sort(), 'only running pods');
});

/** Highest working set / limit each executor reached, sampled every 20s of simulated time. */
function peaks(scenario: ScenarioName, minutes: number): { peak: Map<string, number>; aboveBeforeKill: Map<string, number>; killed: Set<string>; doomed: Set<string> } {
  const w = new World({ scenario, seed: 5, startMs: START });
  const killed = new Set<string>();
  w.cluster.store.subscribe((ev) => {
    const p = ev.obj as Pod;
    if (ev.resource === 'pods' && p.status?.containerStatuses?.[0]?.state.terminated?.reason === 'OOMKilled') killed.add(p.metadata.name);
  });
  const peak = new Map<string, number>();
  const aboveBeforeKill = new Map<string, number>();
  /** Containers the workload has planned to OOMKill (whether or not it happened within the run). */
  const doomed = new Set<string>();
  for (let t = 0; t < minutes * 60_000; t += 20_000) {
    w.advance(20_000);
    const lines = scrape(w);
    for (const l of lines) {
      if (l.metric !== 'container_memory_working_set_bytes' || l.labels['container'] === '') continue;
      const limit = lines.find((x) => x.metric === 'container_spec_memory_limit_bytes' && x.labels['id'] === l.labels['id'])?.value ?? 0;
      const pod = l.labels['pod'] ?? '';
      if (w.spark.memoryPlan(l.labels['namespace'] ?? '', pod)?.oomAt !== undefined) doomed.add(pod);
      const r = l.value / limit;
      peak.set(pod, Math.max(peak.get(pod) ?? 0, r));
      if (r > 0.9 && !killed.has(pod)) aboveBeforeKill.set(pod, (aboveBeforeKill.get(pod) ?? 0) + 20);
    }
  }
  return { peak, aboveBeforeKill, killed, doomed };
}

test('oom: every OOMKilled container climbed past 0.9 of its limit for minutes before the kill', () => {
  const { peak, aboveBeforeKill, killed, doomed } = peaks('oom', 20);
  assert.ok(killed.size >= 3, `OOMKills: ${killed.size}`);
  for (const pod of killed) {
    assert.ok((aboveBeforeKill.get(pod) ?? 0) >= 120, `${pod}: ${aboveBeforeKill.get(pod) ?? 0}s above 0.9 before its kill`);
    assert.ok((peak.get(pod) ?? 0) <= 1, `${pod} never exceeds its limit`);
  }
  const survivors = [...peak].filter(([p]) => !doomed.has(p));
  assert.ok(survivors.length > 0 && survivors.every(([, r]) => r < 0.75), 'containers that are not killed stay well below');
});

test('steady: no container comes near its limit', () => {
  const { peak } = peaks('steady', 20);
  assert.ok(peak.size >= 8);
  for (const [pod, r] of peak) assert.ok(r < 0.75 && r > 0.1, `${pod}: ${r}`);
});
