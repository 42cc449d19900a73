/**
 * `demo --prometheus` as a user runs it, on the `oom` scenario: it prints the address of a real
 * Prometheus that has every generated rule group loaded, scrapes the exporter, the simulated kubelet and the simulated
 * drivers, fires an OOM alert, and goes away with the demo on Ctrl-C.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { freePort } from '../support/ports.js';
import { after, describe, it } from 'node:test';
import { buildRules } from '../../src/bundle/rules.js';
import { DEFAULT_BUNDLE_CONFIG } from '../../src/bundle/config.js';
import { scaled, timeScaled } from '../../src/bundle/timescale.js';
import { REPO, tool } from '../bundle/paths.js';

const SPEED = 20;

async function json(url: string): Promise<unknown> {
  const res = await fetch(url, { signal: AbortSignal.timeout(3000) });
  return res.json();
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface RuleGroups {
  data: { groups: Array<{ name: string; rules: Array<{ name: string; type: string }> }> };
}
interface Alerts {
  data: { alerts: Array<{ state: string; labels: Record<string, string> }> };
}
interface Query {
  data: { result: Array<{ metric: Record<string, string> }> };
}

describe('demo --prometheus', { timeout: 180_000 }, () => {
  it('scales windows and for durations to the simulated speed', () => {
    assert.equal(scaled('10m', 20), '30s');
    assert.equal(scaled('0m', 20), '0s');
    assert.equal(scaled('5s', 20), '1s');
    const cfg = timeScaled(DEFAULT_BUNDLE_CONFIG, 20);
    assert.equal(cfg.windows.events, '30s');
    assert.equal(cfg.alerts.SparkExecutorsPendingTooLong?.for, '15s');
  });

  it('runs a Prometheus with the generated rules on the oom scenario, and an OOM alert fires', async () => {
    tool('prometheus'); // fails (never skips) without it, like the other tool tests
    const promPort = await freePort();
    const child = spawn(process.execPath, ['dist/src/cli/main.js', 'demo', '--scenario', 'oom', '--speed', String(SPEED), '--port', '0', '--prometheus', '--prometheus-port', String(promPort), '--refresh', '5s'], {
      cwd: REPO,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    after(() => child.kill('SIGKILL'));

    const deadline = Date.now() + 120_000;
    let prom: string | undefined;
    while (!prom && Date.now() < deadline && child.exitCode === null) {
      prom = /prometheus: (http:\/\/\S+)/.exec(out)?.[1];
      await sleep(200);
    }
    assert.ok(prom, `no Prometheus address printed:\n${out}`);
    assert.equal(prom, `http://127.0.0.1:${promPort}`);

    // Every generated group, with every rule, as generated for this speed.
    const want = buildRules(timeScaled(DEFAULT_BUNDLE_CONFIG, SPEED)).groups;
    const rules = (await json(`${prom}/api/v1/rules`)) as RuleGroups;
    assert.deepEqual(
      rules.data.groups.map((g) => [g.name, g.rules.length]).sort(),
      want.map((g) => [g.name, g.rules.length]).sort(),
    );

    let firing: string[] = [];
    let drivers = 0;
    while (Date.now() < deadline) {
      const alerts = (await json(`${prom}/api/v1/alerts`).catch(() => ({ data: { alerts: [] } }))) as Alerts;
      firing = alerts.data.alerts.filter((a) => a.state === 'firing').map((a) => a.labels['alertname'] ?? '');
      drivers = ((await json(`${prom}/api/v1/query?query=${encodeURIComponent('up{endpoint="spark-ui"} == 1')}`).catch(() => ({ data: { result: [] } }))) as Query).data.result.length;
      if (firing.some((a) => a === 'SparkExecutorOOMKilled' || a === 'SparkDriverOOMKilled') && drivers > 0) break;
      await sleep(1000);
    }
    assert.ok(firing.includes('SparkExecutorOOMKilled') || firing.includes('SparkDriverOOMKilled'), `no OOM alert fired; firing: ${firing.join(', ')}\n${out}`);
    assert.ok(drivers > 0, 'the simulated drivers were not scraped');
    const up = (await json(`${prom}/api/v1/query?query=${encodeURIComponent('up{job="spark-k8s-exporter"}')}`)) as Query;
    assert.equal(up.data.result.length, 1, 'the exporter is scraped');
    // The simulated kubelet, as kube-prometheus-stack labels it, joined to Spark pods as the memory rules join it.
    const joined = (await json(`${prom}/api/v1/query?query=${encodeURIComponent('count(container_memory_working_set_bytes{job="kubelet", metrics_path="/metrics/cadvisor", container!="", container!="POD"} * on(namespace, pod, container) group_left() max by (namespace, pod, container) (spark_k8s_pod_info))')}`)) as Query;
    assert.equal(joined.data.result.length, 1, 'cAdvisor series of Spark pods are scraped and join spark_k8s_pod_info');

    child.kill('SIGINT');
    assert.equal(await exited, 0, out);
    // Prometheus went with the demo.
    const gone = await fetch(`${prom}/-/ready`, { signal: AbortSignal.timeout(2000) }).then(() => false, () => true);
    assert.ok(gone, 'Prometheus still running after the demo stopped');
  });
});
