/** Ratios, target verdicts and the human summary of a bench document. */
import { bytes, ratio } from './stats.js';
import type { SizeResult } from './harness.js';

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** exporter ÷ parse limit and exporter ÷ obvious build, for each figure that has both sides. */
export interface Ratios {
  readonly sync_vs_parse_limit: number | null;
  readonly events_vs_parse_limit: number | null;
  readonly sync_vs_obvious: number | null;
  readonly events_vs_obvious: number | null;
  readonly heap_per_pod_vs_obvious: number | null;
}

export function ratiosOf(r: SizeResult): Ratios {
  return {
    sync_vs_parse_limit: ratio(num(r['sync_seconds']), num(r['parse_limit_sync_seconds'])),
    events_vs_parse_limit: ratio(num(r['events_per_second']), num(r['parse_limit_events_per_second'])),
    sync_vs_obvious: ratio(num(r['sync_seconds']), num(r['obvious_sync_seconds'])),
    events_vs_obvious: ratio(num(r['events_per_second']), num(r['obvious_events_per_second'])),
    heap_per_pod_vs_obvious: ratio(num(r['heap_bytes_per_pod']), num(r['obvious_heap_bytes_per_pod'])),
  };
}

interface Verdict {
  readonly target: string;
  readonly met: boolean | null;
  readonly measured: unknown;
  readonly detail: string;
}

/** The targets, judged at the largest size measured (150k pods in a full run). */
export function evaluateTargets(results: readonly SizeResult[]): { at_pods: number | null; verdicts: Verdict[] } {
  const done = results.filter((r) => num(r['sync_seconds']) !== null);
  const r = done.reduce<SizeResult | undefined>((a, b) => (a && Number(a['pods']) > Number(b['pods']) ? a : b), undefined);
  if (!r) return { at_pods: null, verdicts: [] };
  const x = ratiosOf(r);
  const v: Verdict[] = [];
  const syncR = x.sync_vs_parse_limit;
  v.push({ target: 'initial sync within 2x the parse limit', met: syncR === null ? null : syncR <= 2, measured: syncR, detail: `${r['sync_seconds']} s vs ${r['parse_limit_sync_seconds']} s` });
  const evR = x.events_vs_parse_limit;
  v.push({ target: 'sustained events/s at least half the parse limit', met: evR === null ? null : evR >= 0.5, measured: evR, detail: `${r['events_per_second']}/s vs ${r['parse_limit_events_per_second']}/s` });
  const heap = num(r['heap_bytes_per_pod']);
  v.push({ target: 'under 1 KiB heap per tracked pod', met: heap === null ? null : heap < 1024, measured: heap, detail: `${heap} B/pod` });
  const obviousHeap = num(r['obvious_heap_bytes_per_pod']);
  const obvious = r['obvious'] as { ok?: boolean; reason?: string } | undefined;
  if (heap !== null && obviousHeap !== null) {
    const k = obviousHeap / heap;
    v.push({ target: 'heap per pod at least 5x less than the obvious build', met: k >= 5, measured: Math.round(k * 10) / 10, detail: `${obviousHeap} vs ${heap} B/pod` });
  } else {
    // Not holding the size at all is the strongest form of "more memory".
    const largest = results.filter((s) => num(s['obvious_heap_bytes_per_pod']) !== null && num(s['heap_bytes_per_pod']) !== null).at(-1);
    const k = largest ? Number(largest['obvious_heap_bytes_per_pod']) / Number(largest['heap_bytes_per_pod']) : null;
    v.push({
      target: 'heap per pod at least 5x less than the obvious build',
      met: obvious?.ok === false ? (k === null ? null : k >= 5) : null,
      measured: k === null ? null : Math.round(k * 10) / 10,
      detail: `obvious build did not hold ${r['pods']} pods (${obvious?.reason ?? 'not measured'}); ratio at ${largest?.['pods'] ?? '?'} pods`,
    });
  }
  const p99 = num(r['metrics_p99_ms']);
  const apps = num(r['live_apps']);
  v.push({ target: '/metrics p99 under 250 ms with 2,000 live apps', met: p99 === null ? null : p99 < 250 && (apps ?? 0) >= 2000, measured: p99, detail: `${p99} ms at ${apps} live apps` });
  const t = r['after_turnover'] as { heap_change_ratio?: number; series_change_ratio?: number } | undefined;
  const hc = num(t?.heap_change_ratio);
  const sc = num(t?.series_change_ratio);
  v.push({
    target: 'memory and series flat after apps turn over',
    met: hc === null || sc === null ? null : hc <= 1.1 && Math.abs(sc - 1) <= 0.02,
    measured: { heap_change_ratio: hc, series_change_ratio: sc },
    detail: 'after vs before the turnover (heap within 10%, series within 2%)',
  });
  return { at_pods: Number(r['pods']), verdicts: v };
}

export function summary(doc: { machine: { cpus: number; cpu_model: string }; sizes: SizeResult[]; targets: { at_pods: number | null; verdicts: Verdict[] }; errors: string[] }): string {
  const lines: string[] = [];
  lines.push(`Summary (${doc.machine.cpus} cores, ${doc.machine.cpu_model})`);
  lines.push('pods     sync s (limit / obvious)      events/s (limit / obvious)     heap B/pod (obvious)   p99 ms  series');
  for (const r of doc.sizes) {
    if (num(r['sync_seconds']) === null) {
      lines.push(`${String(r['pods']).padEnd(8)} ${String(r['error'] ?? r['skipped'] ?? 'not measured')}`);
      continue;
    }
    const ob = r['obvious'] as { ok?: boolean; reason?: string } | undefined;
    const obs = ob?.ok ? `${r['obvious_sync_seconds']}` : 'failed';
    lines.push(
      `${String(r['pods']).padEnd(8)} ${`${r['sync_seconds']} (${r['parse_limit_sync_seconds']} / ${obs})`.padEnd(29)} ${`${r['events_per_second']} (${r['parse_limit_events_per_second']} / ${ob?.ok ? r['obvious_events_per_second'] : '-'})`.padEnd(30)} ${`${r['heap_bytes_per_pod']} (${ob?.ok ? r['obvious_heap_bytes_per_pod'] : '-'})`.padEnd(22)} ${String(r['metrics_p99_ms']).padEnd(7)} ${r['series']}`,
    );
    if (ob && !ob.ok) lines.push(`         obvious build: ${ob.reason ?? 'failed'}`);
    const rss = num(r['rss_bytes']);
    if (rss !== null) lines.push(`         exporter RSS ${bytes(rss)}${num(r['obvious_rss_bytes']) !== null ? `, obvious RSS ${bytes(Number(r['obvious_rss_bytes']))}` : ''}`);
  }
  if (doc.targets.at_pods !== null) {
    lines.push(`Targets at ${doc.targets.at_pods} pods:`);
    for (const v of doc.targets.verdicts) lines.push(`  [${v.met === null ? '?' : v.met ? 'met' : 'MISSED'}] ${v.target}: ${typeof v.measured === 'object' ? JSON.stringify(v.measured) : String(v.measured)} (${v.detail})`);
  }
  for (const e of doc.errors) lines.push(`error: ${e}`);
  return lines.join('\n');
}
