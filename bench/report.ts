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

/** The targets of issue 13, judged at the largest size measured (150k pods in a full run). */
export const TARGETS = {
  p99Ms: 100,
  p50Ms: 40,
  scrapes: 60,
  p99VsReference: 3,
  eventsVsParseLimit: 0.7,
  loopDelayP99Ms: 100,
  syncVsParseLimit: 1.3,
  heapPerPod: 900,
  budgetSeconds: 720,
} as const;

/** The targets, judged at the largest size measured (events at every size). */
export function evaluateTargets(results: readonly SizeResult[]): { at_pods: number | null; verdicts: Verdict[] } {
  const done = results.filter((r) => num(r['sync_seconds']) !== null);
  const r = done.reduce<SizeResult | undefined>((a, b) => (a && Number(a['pods']) > Number(b['pods']) ? a : b), undefined);
  if (!r) return { at_pods: null, verdicts: [] };
  const x = ratiosOf(r);
  const v: Verdict[] = [];
  const T = TARGETS;
  const p99 = num(r['metrics_p99_ms']);
  const p50 = num(r['metrics_p50_ms']);
  const scrapes = num(r['metrics_scrapes']) ?? 0;
  const flowing = (num(r['events_during_scrapes']) ?? 0) > 0;
  const apps = num(r['live_apps']);
  const sampled = scrapes >= T.scrapes && flowing;
  const why = `${scrapes} scrapes, ${r['events_during_scrapes']} pod events during them, ${apps} live apps`;
  v.push({ target: `/metrics p99 <= ${T.p99Ms} ms (>= ${T.scrapes} scrapes while pod events flow)`, met: p99 === null ? null : p99 <= T.p99Ms && sampled, measured: p99, detail: why });
  v.push({ target: `/metrics p50 <= ${T.p50Ms} ms`, met: p50 === null ? null : p50 <= T.p50Ms && sampled, measured: p50, detail: why });
  const vsRef = num(r['metrics_p99_vs_reference']);
  v.push({ target: `/metrics p99 / the physical reference's p99 <= ${T.p99VsReference}`, met: vsRef === null ? null : vsRef <= T.p99VsReference, measured: vsRef, detail: `${p99} ms vs ${r['reference_p99_ms']} ms serving the same ${r['reference_body_bytes']} bytes pre-rendered` });
  const everySize = done.map((s) => ({ pods: s['pods'], ratio: ratiosOf(s).events_vs_parse_limit }));
  const worst = everySize.reduce<number | null>((m, s) => (s.ratio === null ? m : m === null ? s.ratio : Math.min(m, s.ratio)), null);
  v.push({
    target: `sustained pod events >= ${T.eventsVsParseLimit}x the parse limit at every size`,
    met: worst === null || everySize.some((s) => s.ratio === null) ? null : worst >= T.eventsVsParseLimit,
    measured: worst,
    detail: everySize.map((s) => `${s.pods}: ${s.ratio ?? '?'}`).join(', '),
  });
  const lag = r['event_loop_delay_during_scrapes_ms'] as { p99Ms?: number; maxMs?: number } | undefined;
  const lagP99 = num(lag?.p99Ms);
  v.push({ target: `scrapes do not stall the watch: event-loop delay during scrapes p99 <= ${T.loopDelayP99Ms} ms`, met: lagP99 === null ? null : lagP99 <= T.loopDelayP99Ms, measured: lagP99, detail: `max ${lag?.maxMs ?? '?'} ms` });
  const t = r['after_turnover'] as { heap_change_ratio?: number; series_change_ratio?: number; rounds?: unknown[] } | undefined;
  const hc = num(t?.heap_change_ratio);
  const sc = num(t?.series_change_ratio);
  const both = (t?.rounds?.length ?? 0) >= 2;
  v.push({
    target: 'both app turnovers finish, heap and series flat between them',
    met: !both ? false : hc === null || sc === null ? null : hc <= 1.1 && Math.abs(sc - 1) <= 0.02,
    measured: { rounds: t?.rounds?.length ?? 0, heap_change_ratio: hc, series_change_ratio: sc },
    detail: both ? 'second vs first turnover (heap within 10%, series within 2%)' : `turnovers finished: ${t?.rounds?.length ?? 0} of 2 (${((r['notes'] as string[] | undefined) ?? []).join('; ')})`,
  });
  const syncR = x.sync_vs_parse_limit;
  v.push({ target: `initial sync <= ${T.syncVsParseLimit}x the parse limit (pages serialised ahead)`, met: syncR === null ? null : syncR <= T.syncVsParseLimit, measured: syncR, detail: `${r['sync_seconds']} s vs ${r['parse_limit_sync_seconds']} s` });
  const heap = num(r['heap_bytes_per_pod_after_scrapes']) ?? num(r['heap_bytes_per_pod']);
  v.push({ target: `heap per pod <= ${T.heapPerPod} B with the new families (after scrapes: render cache included)`, met: heap === null ? null : heap <= T.heapPerPod, measured: heap, detail: `${r['heap_bytes_per_pod']} B/pod at sync, ${heap} B/pod after scrapes; bodies outside the heap: ${r['array_buffers_bytes_after_scrapes']} B` });
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
  return { at_pods: Number(r['pods']), verdicts: v };
}

/** The whole run's own target: a full run inside the budget of 12 minutes. */
export function budgetVerdict(durationSeconds: number, full: boolean): Verdict {
  return {
    target: `the full bench fits in ${TARGETS.budgetSeconds / 60} minutes`,
    met: full ? durationSeconds <= TARGETS.budgetSeconds : null,
    measured: durationSeconds,
    detail: full ? `${durationSeconds} s` : `${durationSeconds} s, not a full run (sizes or consumers were chosen)`,
  };
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
    const lag = r['event_loop_delay_during_scrapes_ms'] as { p99Ms?: number } | undefined;
    lines.push(`         /metrics p50/p99 ${r['metrics_p50_ms']}/${r['metrics_p99_ms']} ms over ${r['metrics_scrapes']} scrapes (${r['events_during_scrapes']} pod events meanwhile); reference p99 ${r['reference_p99_ms']} ms (x${r['metrics_p99_vs_reference']}); event-loop delay p99 ${lag?.p99Ms ?? '?'} ms`);
    const pi = r['pod_info'] as { series?: number; body_bytes?: number; p99_ms_without?: number; p99_ms_added?: number } | undefined;
    if (pi) lines.push(`         spark_k8s_pod_info: ${pi.series} series, ${bytes(pi.body_bytes ?? 0)} of ${bytes(Number(r['body_bytes']))}; p99 without it ${pi.p99_ms_without} ms (adds ${pi.p99_ms_added} ms)`);
  }
  if (doc.targets.at_pods !== null) {
    lines.push(`Targets at ${doc.targets.at_pods} pods:`);
    for (const v of doc.targets.verdicts) lines.push(`  [${v.met === null ? '?' : v.met ? 'met' : 'MISSED'}] ${v.target}: ${typeof v.measured === 'object' ? JSON.stringify(v.measured) : String(v.measured)} (${v.detail})`);
  }
  for (const e of doc.errors) lines.push(`error: ${e}`);
  return lines.join('\n');
}
