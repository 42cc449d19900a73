/**
 * The bench harness at a tiny size (200 pods): it runs its three measured processes beside the
 * simulator, exits cleanly, and prints the JSON document the docs and CI read. Shape only: no
 * timing is asserted here (npm test never runs the real benchmark).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { RUNTIME_NODE_FLAGS } from '../../src/cli/runtime-flags.js';

const RUN = fileURLToPath(new URL('../../bench/run.js', import.meta.url));

function runBench(args: string[], timeoutMs: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [RUN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    // SIGTERM lets the bench stop its own children; SIGKILL only if it does not.
    const term = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
    const kill = setTimeout(() => child.kill('SIGKILL'), timeoutMs + 10_000);
    child.on('exit', (code) => {
      clearTimeout(term);
      clearTimeout(kill);
      resolve({ code, stdout, stderr });
    });
  });
}

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

test('the bench at 200 pods prints the whole JSON shape and a summary', { timeout: 180_000 }, async () => {
  const r = await runBench(['--sizes', '200', '--scrapes', '2', '--budget-seconds', '150'], 160_000);
  assert.equal(r.code, 0, `bench failed:\n${r.stderr.slice(-3000)}\n${r.stdout.slice(-3000)}`);
  const cut = r.stdout.indexOf('\n\nSummary');
  assert.ok(cut > 0, 'a human summary follows the JSON');
  const doc = JSON.parse(r.stdout.slice(0, cut)) as Record<string, unknown>;
  const machine = doc['machine'] as Record<string, unknown>;
  assert.ok(isNum(machine['cpus']) && machine['cpus'] > 0);
  assert.match(String(machine['note']), /cores/);
  assert.deepEqual(doc['errors'], []);
  // The document says which Node flags the measured processes ran with: the image's own.
  assert.ok(String((doc['method'] as Record<string, unknown>)['node_flags']).includes(RUNTIME_NODE_FLAGS.join(' ')));
  const sizes = doc['sizes'] as Array<Record<string, unknown>>;
  assert.equal(sizes.length, 1);
  const s = sizes[0]!;
  assert.equal(s['pods'], 200);
  assert.equal(s['apps'], 4);
  for (const k of [
    'sync_seconds', 'parse_limit_sync_seconds', 'obvious_sync_seconds',
    'events_per_second', 'parse_limit_events_per_second', 'obvious_events_per_second',
    'heap_bytes_per_pod', 'obvious_heap_bytes_per_pod', 'rss_bytes',
    'series', 'body_bytes', 'metrics_p50_ms', 'metrics_p99_ms', 'reference_p99_ms', 'metrics_p99_vs_reference',
    'heap_bytes_per_pod_after_scrapes', 'array_buffers_bytes_after_scrapes', 'sim_serialise_ahead_seconds',
  ]) {
    assert.ok(isNum(s[k]), `${k} is a number: ${String(s[k])}`);
  }
  assert.ok((s['sync_seconds'] as number) > 0 && (s['events_per_second'] as number) > 0 && (s['series'] as number) > 0);
  assert.ok((s['metrics_p99_ms'] as number) >= (s['metrics_p50_ms'] as number));
  assert.equal(s['metrics_scrapes'], 2);
  assert.ok((s['events_during_scrapes'] as number) > 0, 'pod events flowed while the scrapes ran');
  const lag = s['event_loop_delay_during_scrapes_ms'] as Record<string, unknown>;
  assert.ok(isNum(lag['p99Ms']) && isNum(lag['maxMs']), 'event-loop delay during scrapes');
  const podInfo = s['pod_info'] as Record<string, unknown>;
  // One series per live pod: 200, plus replacements not yet deleted while the churn runs.
  assert.ok((podInfo['series'] as number) >= 200 && (podInfo['series'] as number) < 300, `spark_k8s_pod_info: ${String(podInfo['series'])} series`);
  assert.ok((podInfo['body_bytes'] as number) > 0 && isNum(podInfo['p99_ms_without']));
  const t = s['after_turnover'] as Record<string, unknown>;
  assert.ok(isNum(t['heap_bytes']) && isNum(t['rss_bytes']) && isNum(t['series']), 'heap, RSS and series after the turnover');
  assert.equal(t['live_apps'], 4, 'the old apps left after the retention; the reruns remain');
  assert.equal((t['rounds'] as unknown[]).length, 2);
  const ratios = s['ratios'] as Record<string, unknown>;
  for (const k of ['sync_vs_parse_limit', 'events_vs_parse_limit', 'sync_vs_obvious', 'heap_per_pod_vs_obvious']) assert.ok(isNum(ratios[k]), `ratio ${k}`);
  const targets = doc['targets'] as { at_pods: number; verdicts: Array<{ target: string }> };
  assert.equal(targets.at_pods, 200);
  // Every target of issue 13 and the obvious-build ratio, then whether the run fit its 12 minutes.
  assert.equal(targets.verdicts.length, 10);
  assert.match(targets.verdicts.at(-1)?.target ?? '', /12 minutes/);
});
