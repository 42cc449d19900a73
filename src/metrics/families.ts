/**
 * How each catalogue family is derived from the model: one renderer per metric name, checked by
 * the compiler to cover the whole catalogue and to hand each family exactly its labels' values
 * (adding a metric is a catalogue entry and its renderer here, as in kube-state-metrics).
 */
import { EXIT_REASONS, POD_PHASES, ROLES } from '../catalogue/metrics.js';
import type { AppRecord } from '../domain/app-record.js';
import { Histogram } from '../domain/histogram.js';
import { headroomExecutors } from '../domain/quota.js';
import type { ScheduledSparkApplicationView } from '../domain/scheduled-spark-application.js';
import type { QuotaView } from '../domain/quota.js';
import { RESOURCES, type Resource } from '../source/self-stats.js';
import type { RenderContext, Renderers, Samples } from './family.js';

const PHASE_INDEX = new Map<string, number>(POD_PHASES.map((p, i) => [p, i]));
const ROLE_INDEX = new Map<string, number>(ROLES.map((r, i) => [r, i]));

/** `a\u0000b` keys of the exporter's own counters, split back into label values. */
function keyed<V extends readonly string[]>(out: Samples<V>, m: ReadonlyMap<string, number>): void {
  for (const [key, v] of [...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) out.sample(key.split('\u0000') as unknown as V, v);
}

function perResource(out: Samples<readonly [string]>, value: (r: Resource) => number | undefined): void {
  for (const r of RESOURCES) {
    const v = value(r);
    if (v !== undefined) out.sample([r], v);
  }
}

function quotaSamples(ctx: RenderContext, out: Samples<readonly [string, string, string, string]>, pick: (q: QuotaView, resource: string) => number | undefined, fromHard: boolean): void {
  const { model } = ctx;
  for (const q of model.quotas.byUid.values()) {
    if (!model.opts.ownsNamespace(q.namespace)) continue;
    const team = model.team(q.namespace, q.team);
    for (const resource of fromHard ? q.hard.keys() : q.used.keys()) {
      const v = pick(q, resource);
      if (v !== undefined && !Number.isNaN(v)) out.sample([q.namespace, team, q.name, resource], v);
    }
  }
}

/** One sample per ScheduledSparkApplication whose value is known; seconds for timestamps. */
function scheduled(ctx: RenderContext, out: Samples<readonly [string, string, string]>, pick: (s: ScheduledSparkApplicationView) => number | undefined, scale = 1000): void {
  for (const s of ctx.model.scheduledApps.byUid.values()) {
    const v = pick(s);
    if (v !== undefined) out.sample([s.namespace, ctx.model.team(s.namespace, s.team), s.name], v / scale);
  }
}

function pendingExecutors(app: AppRecord) {
  const out = [];
  for (const p of app.pods) if (p.role === 'executor' && p.phase === 'Pending' && !p.deleting) out.push(p);
  return out;
}

export const RENDERERS: Renderers = {
  spark_k8s_pod_info: {
    scope: 'per-app',
    render(app, out, ctx, team) {
      if (!ctx.podInfo) return;
      for (const p of app.pods) out.sample([app.namespace, p.name, team, app.appId, app.appName, p.role, p.container ?? ''], 1);
    },
  },
  spark_k8s_pods: {
    scope: 'app',
    render(app, out) {
      const counts = new Array<number>(ROLES.length * POD_PHASES.length).fill(0);
      for (const p of app.pods) {
        const i = (ROLE_INDEX.get(p.role) ?? 0) * POD_PHASES.length + (PHASE_INDEX.get(p.phase) ?? 4);
        counts[i] = (counts[i] ?? 0) + 1;
      }
      for (let r = 0; r < ROLES.length; r++) {
        for (let ph = 0; ph < POD_PHASES.length; ph++) {
          const n = counts[r * POD_PHASES.length + ph] ?? 0;
          if (n > 0) out.sample([ROLES[r] ?? '', POD_PHASES[ph] ?? ''], n);
        }
      }
    },
  },
  spark_k8s_executors_pending: {
    scope: 'app',
    render(app, out) {
      const byReason = new Map<string, number>();
      for (const p of pendingExecutors(app)) {
        const r = p.pendingReason ?? 'other';
        byReason.set(r, (byReason.get(r) ?? 0) + 1);
      }
      for (const [reason, n] of [...byReason].sort()) out.sample([reason], n);
    },
  },
  spark_k8s_executor_pending_oldest_age_seconds: {
    scope: 'app',
    render(app, out, ctx) {
      let oldest = -1;
      for (const p of pendingExecutors(app)) {
        // Age by the object's clock, but never less than what this process has itself watched.
        const age = Math.max(ctx.nowMs - p.firstSeenMs, p.createdMs !== undefined ? ctx.nowMs - p.createdMs : 0);
        if (age > oldest) oldest = age;
      }
      if (oldest >= 0) out.sample([], oldest / 1000);
    },
  },
  spark_k8s_executor_starts_total: { scope: 'app', render: (app, out) => out.sample([], app.starts) },
  spark_k8s_executor_exits_total: {
    scope: 'app',
    render(app, out) {
      for (let i = 0; i < EXIT_REASONS.length; i++) out.sample([EXIT_REASONS[i] ?? ''], app.exits[i] ?? 0);
    },
  },
  spark_k8s_executor_churn_per_minute: {
    scope: 'cluster',
    render(ctx, out) {
      const minutes = ctx.churnWindowMs / 60_000;
      const cutoff = ctx.nowMs - ctx.churnWindowMs;
      for (const s of ctx.model.pods.names.values()) {
        let n = 0;
        for (let i = s.exitTimes.length - 1; i >= 0 && (s.exitTimes[i] ?? 0) >= cutoff; i--) n++;
        const team = ctx.model.team(s.namespace, s.podTeam);
        // The line is the count in the window and the team: a name whose count did not move is copied.
        out.memo(s, n, team, () => out.sample([s.namespace, team, s.appName], n / minutes));
      }
    },
  },
  spark_k8s_executor_lifetime_seconds: {
    scope: 'cluster',
    render(ctx, out) {
      for (const s of ctx.model.pods.names.values()) {
        const team = ctx.model.team(s.namespace, s.podTeam);
        // A histogram only changes by an observation, which counts: count and team say it all.
        out.memo(s, s.lifetimes.count, team, () => out.histogram([s.namespace, team, s.appName], s.lifetimes));
      }
    },
  },
  spark_k8s_pod_startup_seconds: {
    scope: 'cluster',
    render(ctx, out) {
      // Kept per pod team label, rendered per resolved team: two entries may resolve to one series.
      const merged = new Map<string, { labels: readonly [string, string, string]; hist: Histogram }>();
      for (const s of ctx.model.pods.startups.values()) {
        const labels = [s.namespace, ctx.model.team(s.namespace, s.podTeam), s.role] as const;
        const key = labels.join('\u0000');
        const m = merged.get(key);
        if (!m) merged.set(key, { labels, hist: s.hist });
        else merged.set(key, { labels, hist: sumHistograms(m.hist, s.hist) });
      }
      for (const { labels, hist } of merged.values()) out.histogram(labels, hist);
    },
  },
  spark_k8s_container_oom_kills_total: {
    scope: 'app',
    render(app, out) {
      for (const [key, n] of app.ooms) {
        const sep = key.indexOf('\u0000');
        out.sample([key.slice(0, sep), key.slice(sep + 1)], n);
      }
    },
  },
  spark_k8s_driver_exits_total: {
    scope: 'app',
    render(app, out) {
      if (!app.hasDriver) return;
      for (let i = 0; i < EXIT_REASONS.length; i++) out.sample([EXIT_REASONS[i] ?? ''], app.driverExits[i] ?? 0);
    },
  },
  spark_k8s_driver_spot_eligible: {
    scope: 'app',
    render(app, out) {
      if (app.driverSpotEligible !== undefined) out.sample([], app.driverSpotEligible ? 1 : 0);
    },
  },
  spark_k8s_executor_memory_overhead_ratio: {
    scope: 'app',
    render(app, out) {
      // The OOM bound is the limit: Spark 2.3 set only the limit to heap + overhead, the request to
      // the heap. A bound below the heap is a malformed pod, not a ratio.
      const bound = app.memoryLimitBytes ?? app.memoryRequestBytes;
      if (app.heapBytes && bound !== undefined && bound >= app.heapBytes) out.sample([], (bound - app.heapBytes) / app.heapBytes);
    },
  },
  spark_k8s_executor_ids_skipped_total: { scope: 'app', render: (app, out) => out.sample([], app.ids.skipped) },
  spark_k8s_executor_memory_request_bytes: {
    scope: 'app',
    render(app, out) {
      if (app.memoryRequestBytes !== undefined) out.sample([], app.memoryRequestBytes);
    },
  },
  spark_k8s_executor_memory_limit_bytes: {
    scope: 'app',
    render(app, out) {
      if (app.memoryLimitBytes !== undefined) out.sample([], app.memoryLimitBytes);
    },
  },
  spark_k8s_executor_heap_bytes: {
    scope: 'app',
    render(app, out) {
      if (app.heapBytes !== undefined) out.sample([], app.heapBytes);
    },
  },
  spark_k8s_quota_hard: { scope: 'cluster', render: (ctx, out) => quotaSamples(ctx, out, (q, r) => q.hard.get(r), true) },
  spark_k8s_quota_used: { scope: 'cluster', render: (ctx, out) => quotaSamples(ctx, out, (q, r) => q.used.get(r), false) },
  spark_k8s_quota_saturation_ratio: {
    scope: 'cluster',
    render(ctx, out) {
      // A zero hard limit would divide to +Inf: such a resource is simply forbidden, not saturated.
      quotaSamples(ctx, out, (q, r) => {
        const hard = q.hard.get(r) ?? NaN;
        return hard > 0 ? (q.used.get(r) ?? 0) / hard : undefined;
      }, true);
    },
  },
  spark_k8s_quota_headroom_executors: {
    scope: 'app',
    reads: ['quotas'],
    render(app, out, ctx) {
      if (app.memoryRequestBytes === undefined && app.cpuRequest === undefined) return;
      const quotas = ctx.model.quotas.inNamespace(app.namespace);
      if (quotas.length === 0) return;
      const n = headroomExecutors(quotas, {
        cpuRequest: app.cpuRequest,
        cpuLimit: app.cpuLimit,
        memoryRequest: app.memoryRequestBytes,
        memoryLimit: app.memoryLimitBytes,
      });
      if (n !== undefined) out.sample([], n);
    },
  },
  spark_k8s_executors_missing: {
    scope: 'app',
    reads: ['sparkapps'],
    render(app, out, ctx) {
      const floor = ctx.model.sparkApps.forApp(app.namespace, app.appId, app.appName)?.executors.floor;
      if (floor === undefined) return;
      let driverRunning = false;
      let executors = 0;
      for (const p of app.pods) {
        if (p.exitCounted || p.deleting) continue;
        if (p.role === 'driver') driverRunning ||= p.phase === 'Running';
        else executors++;
      }
      // Before its driver runs, or after it ends, an application is not asking for executors.
      if (driverRunning) out.sample([], Math.max(0, floor - executors));
    },
  },
  spark_k8s_applications: {
    scope: 'cluster',
    render(ctx, out) {
      const counts = new Map<string, number>();
      for (const { view } of ctx.model.sparkApps.records.values()) {
        const key = `${view.namespace}\u0000${ctx.model.team(view.namespace, view.team)}\u0000${view.state}\u0000${view.operator}`;
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
      keyed(out, counts);
    },
  },
  spark_k8s_application_state_seconds: {
    scope: 'cluster',
    render(ctx, out) {
      const apps = ctx.model.sparkApps;
      for (const [uid, { view }] of apps.records) {
        const since = apps.stateSince(uid, ctx.nowMs);
        if (!since) continue;
        const ageMs = Math.max(0, ctx.nowMs - since.ms);
        // Terminal objects pile up by the thousand: only recent ends, and only when their end is known.
        if (view.terminal && (!since.known || ageMs >= ctx.model.opts.retentionMs)) continue;
        out.sample([view.namespace, ctx.model.team(view.namespace, view.team), view.name, view.state, view.operator], ageMs / 1000);
      }
    },
  },
  spark_k8s_application_failures_total: {
    scope: 'cluster',
    render(ctx, out) {
      for (const f of ctx.model.sparkApps.failures.values()) out.sample([f.namespace, ctx.model.team(f.namespace, f.labelTeam), f.name, f.state, f.reason, f.operator], f.count);
    },
  },
  spark_k8s_application_retries_total: {
    scope: 'cluster',
    render(ctx, out) {
      for (const r of ctx.model.sparkApps.retries.values()) out.sample([r.namespace, ctx.model.team(r.namespace, r.labelTeam), r.name, r.operator], r.count);
    },
  },
  spark_k8s_application_driver_status: {
    scope: 'cluster',
    render(ctx, out) {
      for (const { view } of ctx.model.sparkApps.records.values()) {
        if (view.terminal) continue;
        const driver = ctx.model.pods.driverEvidence(view.namespace, view.sparkAppId, view.name);
        out.sample([view.namespace, ctx.model.team(view.namespace, view.team), view.name, view.operator, driver?.status ?? 'none'], 1);
      }
    },
  },
  spark_k8s_application_dynamic_allocation: {
    scope: 'cluster',
    render(ctx, out) {
      // Both operators may name an application alike in one namespace: one set of series per name.
      const seen = new Set<string>();
      for (const { view } of ctx.model.sparkApps.records.values()) {
        const key = `${view.namespace}\u0000${view.name}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const team = ctx.model.team(view.namespace, view.team);
        for (const [setting, v] of view.executors.dynamicAllocation) out.sample([view.namespace, team, view.name, setting], v);
      }
    },
  },
  spark_k8s_scheduled_application_last_run_timestamp_seconds: {
    scope: 'cluster',
    render: (ctx, out) => scheduled(ctx, out, (s) => s.lastRunMs),
  },
  spark_k8s_scheduled_application_next_run_timestamp_seconds: {
    scope: 'cluster',
    render: (ctx, out) => scheduled(ctx, out, (s) => s.nextRunMs),
  },
  spark_k8s_scheduled_application_last_success_timestamp_seconds: {
    scope: 'cluster',
    render(ctx, out) {
      const apps = ctx.model.sparkApps;
      scheduled(ctx, out, (s) => {
        let best = apps.scheduleSuccessMs.get(`${s.namespace}\u0000${s.name}`);
        for (const run of s.pastSuccessfulRunNames) {
          const v = apps.byNameOf('kubeflow', s.namespace, run);
          if (v?.state === 'COMPLETED' && v.terminationMs !== undefined && v.terminationMs > (best ?? 0)) best = v.terminationMs;
        }
        return best;
      });
    },
  },
  spark_k8s_scheduled_application_last_run_state: {
    scope: 'cluster',
    render(ctx, out) {
      for (const s of ctx.model.scheduledApps.byUid.values()) {
        if (!s.lastRunName) continue;
        // The run object may be gone (history limits): the schedule's own lists still say how it ended.
        const state =
          ctx.model.sparkApps.byNameOf('kubeflow', s.namespace, s.lastRunName)?.state ??
          (s.pastFailedRunNames.includes(s.lastRunName) ? 'FAILED' : s.pastSuccessfulRunNames.includes(s.lastRunName) ? 'COMPLETED' : 'UNKNOWN');
        out.sample([s.namespace, ctx.model.team(s.namespace, s.team), s.name, s.lastRunName, state], 1);
      }
    },
  },
  spark_k8s_scheduled_application_suspended: {
    scope: 'cluster',
    render: (ctx, out) => scheduled(ctx, out, (s) => (s.suspended ? 1 : 0), 1),
  },
  spark_k8s_exporter_build_info: { scope: 'cluster', render: (ctx, out) => out.sample([ctx.self.version, process.version], 1) },
  spark_k8s_exporter_watch_events_total: { scope: 'cluster', render: (ctx, out) => keyed(out, ctx.self.watchEvents) },
  spark_k8s_exporter_watch_restarts_total: { scope: 'cluster', render: (ctx, out) => keyed(out, ctx.self.watchRestarts) },
  spark_k8s_exporter_list_total: { scope: 'cluster', render: (ctx, out) => keyed(out, ctx.self.lists) },
  spark_k8s_exporter_synced: {
    scope: 'cluster',
    render: (ctx, out) => perResource(out, (r) => (ctx.self.synced.has(r) ? (ctx.self.synced.get(r) ? 1 : 0) : undefined)),
  },
  spark_k8s_exporter_tracked_objects: {
    scope: 'cluster',
    render(ctx, out) {
      const m = ctx.model;
      const counts: Record<Resource, number> = {
        pods: m.pods.records.size,
        resourcequotas: m.quotas.byUid.size,
        namespaces: m.namespaces.size,
        sparkapplications: m.sparkApps.countOf('kubeflow'),
        scheduledsparkapplications: m.scheduledApps.byUid.size,
        'sparkapplications.spark.apache.org': m.sparkApps.countOf('apache'),
      };
      perResource(out, (r) => (ctx.self.synced.has(r) ? counts[r] : undefined));
    },
  },
  spark_k8s_exporter_tracked_applications: { scope: 'cluster', render: (ctx, out) => out.sample([], ctx.model.pods.apps.size) },
  spark_k8s_exporter_last_event_timestamp_seconds: { scope: 'cluster', render: (ctx, out) => perResource(out, (r) => ctx.self.lastEventSeconds.get(r)) },
  spark_k8s_exporter_objects_rejected_total: { scope: 'cluster', render: (ctx, out) => keyed(out, ctx.self.rejected) },
  spark_k8s_exporter_audit_drift_total: { scope: 'cluster', render: (ctx, out) => perResource(out, (r) => ctx.self.auditDrift.get(r) ?? 0) },
  spark_k8s_exporter_metrics_render_seconds: { scope: 'cluster', render: (ctx, out) => out.histogram([], ctx.renderHistogram) },
  spark_k8s_exporter_shard_ordinal: { scope: 'cluster', render: (ctx, out) => out.sample([], ctx.self.shard) },
  spark_k8s_exporter_total_shards: { scope: 'cluster', render: (ctx, out) => out.sample([], ctx.self.totalShards) },
};

function sumHistograms(a: Histogram, b: Histogram): Histogram {
  const h = new Histogram(a.buckets);
  for (let i = 0; i < h.counts.length; i++) h.counts[i] = (a.counts[i] ?? 0) + (b.counts[i] ?? 0);
  h.sum = a.sum + b.sum;
  h.count = a.count + b.count;
  return h;
}
