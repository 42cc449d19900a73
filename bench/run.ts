/**
 * `npm run bench [-- --quick] [-- --sizes 1000,10000] [-- --out FILE]`: the exporter at 1k, 10k,
 * 50k and 150k Spark pods against the simulator, next to the parse limit and the obvious build.
 * Prints one JSON document, then a short human summary. The whole run is bounded in time and
 * every child process is stopped on the way out, whatever happened.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { RUNTIME_NODE_FLAGS } from '../src/cli/runtime-flags.js';
import type { ChildHandle } from './ipc.js';
import { measureBaseline, PAGE_SIZE, RETENTION_MS, runSize, SCRAPE_SLOT_MS, WARM_UP_SLOTS, type Baseline, type HarnessOptions, type SizeResult } from './harness.js';
import { budgetVerdict, evaluateTargets, ratiosOf, summary } from './report.js';
import { parseArgs, type BenchArgs } from './args.js';


async function main(): Promise<number> {
  let args: BenchArgs;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`bench: ${(e as Error).message}\n`);
    return 2;
  }
  const startedAt = Date.now();
  const deadline = startedAt + args.budgetMs;
  const children = new Set<ChildHandle>();
  const dir = mkdtempSync(join(os.tmpdir(), 'spark-bench-'));
  const log = (m: string): void => {
    process.stderr.write(`[bench ${((Date.now() - startedAt) / 1000).toFixed(0)}s] ${m}\n`);
  };
  const largest = Math.max(...args.sizes);
  const opts: HarnessOptions = { dir, budget: { left: () => deadline - Date.now() }, scrapes: args.scrapes, scrapesLargest: args.scrapesLargest, largest, children, log, consumers: args.consumers, turnovers: args.turnovers, turnoverSizes: new Set([Math.min(...args.sizes), largest]) };
  const cleanup = async (): Promise<void> => {
    await Promise.all([...children].map((c) => c.stop()));
    rmSync(dir, { recursive: true, force: true });
  };
  let interrupted = false;
  const onSignal = (): void => {
    interrupted = true;
    void cleanup().then(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  // The hard bound: whatever hangs, the run ends and takes its children with it.
  const killer = setTimeout(() => {
    log('time budget exhausted: stopping');
    for (const c of children) c.child.kill('SIGKILL');
  }, args.budgetMs + 20_000);
  killer.unref();

  const results: SizeResult[] = [];
  let baseline: Baseline | undefined;
  const errors: string[] = [];
  try {
    log('baseline heaps against an empty cluster');
    baseline = await measureBaseline(opts);
    for (const pods of args.sizes) {
      if (interrupted) break;
      if (Date.now() > deadline - 30_000) {
        results.push({ pods, skipped: 'time budget exhausted before this size' });
        continue;
      }
      try {
        results.push(await runSize(opts, pods, baseline));
        // A run cut short later still leaves the sizes it finished.
        if (args.out) writeFileSync(`${args.out}.partial`, `${JSON.stringify(results, null, 2)}\n`);
      } catch (e) {
        const msg = (e as Error).message.split('\n').slice(0, 3).join(' ');
        errors.push(`${pods}: ${msg}`);
        results.push({ pods, error: msg });
      }
    }
  } catch (e) {
    errors.push((e as Error).message.split('\n').slice(0, 3).join(' '));
  } finally {
    clearTimeout(killer);
    await cleanup();
  }

  const cpus = os.cpus();
  const durationSeconds = Math.round((Date.now() - startedAt) / 1000);
  const full = !args.quick && args.sizes.join(',') === '1000,10000,50000,150000' && args.consumers.size === 3 && args.turnovers === 2;
  const targets = evaluateTargets(results);
  const doc = {
    bench: 'spark-k8s-exporter scale benchmark',
    date: new Date().toISOString(),
    duration_seconds: durationSeconds,
    quick: args.quick,
    machine: {
      cpus: cpus.length,
      cpu_model: cpus[0]?.model ?? 'unknown',
      memory_bytes: os.totalmem(),
      node: process.version,
      platform: `${os.platform()} ${os.release()}`,
      note: `${cpus.length} cores: the simulator and the one process being measured run side by side, one core each; the measured processes run one at a time.`,
    },
    method: {
      page_size: PAGE_SIZE,
      label_selector: 'spark-role',
      pods_per_app: 50,
      sync: 'child start call to /readyz ready (lists of pods, quotas done, watches open), measured inside the child; parse limit: the same paginated list read and JSON.parsed',
      events: 'a burst of pre-serialised pod events (half readiness flaps, half executor replacements) replayed to the consumer\'s resumed watch; rate = events ÷ time from available to the last one counted (exporter: spark_k8s_exporter_watch_events_total, polled over IPC every 20 ms)',
      heap: `heapUsed after two forced GCs, minus the same process against an empty cluster, ÷ tracked pods`,
      metrics: `the simulator settles (served lines dropped, heap collected; it runs without V8's memory reducer), ${WARM_UP_SLOTS} warm-up slots not counted (the first renders fill the render cache and body pool), then a slot every ${SCRAPE_SLOT_MS} ms for --scrapes slots (--scrapes-largest at the largest size: 100 by default, so that its p99 is not the single worst scrape) while the simulator churns 50 pod events/s: GET /metrics (bench/scraper.ts: one kept connection per target, read into one reused buffer, timed from the request to the last byte; series counted from one more scrape after the window) of the exporter, then of the physical reference (a body the exporter rendered, served pre-rendered by the same HTTP stack in the same process), then of the same model rendered with spark_k8s_pod_info off; nearest-rank percentiles; event-loop delay across the exporter's own scrapes only, as the wait of a watch event arriving at a random moment (a 1 ms timer's lateness, weighted by time)`,
      node_flags: `the exporter and the parse limit run with the flags the image runs the exporter with (${RUNTIME_NODE_FLAGS.join(' ')}, src/cli/runtime-flags.ts); the obvious build with Node's defaults`,
      lists: 'the simulator serialises every pod before each consumer starts (serialiseAhead; again after the bursts of the consumer before changed pods), so lists send bytes already made and the consumer, not the server, is timed',
      turnover: `every app replaced by a rerun (same name, new app id, new pods) via DELETED/ADDED events; the exporter runs with --retention ${RETENTION_MS / 1000}s so old apps leave within the run`,
    },
    baseline: baseline ? { exporter_heap_bytes: baseline.exporterHeap, obvious_heap_bytes: baseline.obviousHeap } : null,
    sizes: results.map((r) => (r['sync_seconds'] !== undefined ? { ...r, ratios: ratiosOf(r) } : r)),
    obvious_largest_size: results.filter((r) => (r['obvious'] as { ok?: boolean } | undefined)?.ok).reduce((m, r) => Math.max(m, Number(r['pods'])), 0) || null,
    targets: { ...targets, verdicts: [...targets.verdicts, budgetVerdict(durationSeconds, full)] },
    errors,
  };
  const text = JSON.stringify(doc, null, 2);
  process.stdout.write(`${text}\n\n${summary(doc)}\n`);
  if (args.out) writeFileSync(args.out, `${text}\n`);
  return errors.length ? 1 : 0;
}

void main().then((code) => process.exit(code));
