/**
 * How each catalogue family is derived from the model: one renderer per metric name, checked by
 * the compiler to cover the whole catalogue (adding a metric is adding a catalogue entry and its
 * renderer here, as in kube-state-metrics' family generators).
 */
import {
  CATALOGUE,
  EXIT_REASONS,
  POD_PHASES,
  ROLES,
  type MetricDef,
  type MetricName,
} from '../catalogue/metrics.js';
import type { AppState } from '../domain/app-state.js';
import type { Histogram } from '../domain/histogram.js';
import type { Model } from '../domain/model.js';
import { headroomExecutors } from '../domain/quota.js';
import type { ExpositionWriter, LabelEncoder } from './exposition.js';
import { RESOURCES, type SelfStats } from '../source/self-stats.js';

export interface RenderContext {
  readonly model: Model;
  readonly self: SelfStats;
  readonly w: ExpositionWriter;
  readonly enc: LabelEncoder;
  readonly nowMs: number;
  readonly churnWindowMs: number;
  /** Encoded `namespace,team,app_id,app_name` labels per app, built once per scrape. */
  readonly appLabels: Map<AppState, string>;
  readonly renderHistogram: Histogram;
}

type Renderer = (ctx: RenderContext, def: MetricDef) => void;

const PHASE_INDEX = new Map<string, number>(POD_PHASES.map((p, i) => [p, i]));
const ROLE_INDEX = new Map<string, number>(ROLES.map((r, i) => [r, i]));

function appLabels(ctx: RenderContext, app: AppState): string {
  let s = ctx.appLabels.get(app);
  if (s === undefined) {
    s = ctx.enc.pairs(['namespace', 'team', 'app_id', 'app_name'], [app.namespace, ctx.model.teamOf(app), app.appId, app.appName]);
    ctx.appLabels.set(app, s);
  }
  return s;
}

function forApps(ctx: RenderContext, fn: (app: AppState, labels: string) => void): void {
  for (const app of ctx.model.apps.values()) fn(app, appLabels(ctx, app));
}

function keyed(ctx: RenderContext, def: MetricDef, m: ReadonlyMap<string, number>, names: readonly string[]): void {
  for (const [key, v] of [...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    ctx.w.sample(def.name, ctx.enc.pairs(names, key.split('\u0000')), v);
  }
}

function perResource(ctx: RenderContext, def: MetricDef, value: (r: (typeof RESOURCES)[number]) => number | undefined): void {
  for (const r of RESOURCES) {
    const v = value(r);
    if (v !== undefined) ctx.w.sample(def.name, `resource="${r}"`, v);
  }
}

function quotaSamples(ctx: RenderContext, def: MetricDef, pick: (hard: number, used: number | undefined) => number | undefined, fromHard: boolean): void {
  const { model, enc, w } = ctx;
  for (const q of model.quotas.values()) {
    if (!model.opts.ownsNamespace(q.namespace)) continue;
    const team = q.team ?? model.teamOfNamespace(q.namespace);
    const keys = fromHard ? q.hard.keys() : q.used.keys();
    for (const resource of keys) {
      const v = pick(q.hard.get(resource) ?? NaN, q.used.get(resource));
      if (v === undefined || Number.isNaN(v)) continue;
      w.sample(def.name, enc.pairs(['namespace', 'team', 'quota', 'resource'], [q.namespace, team, q.name, resource]), v);
    }
  }
}

const RENDERERS: Record<MetricName, Renderer> = {
  spark_k8s_pods(ctx, def) {
    const counts = new Array<number>(ROLES.length * POD_PHASES.length);
    forApps(ctx, (app, labels) => {
      counts.fill(0);
      for (const p of app.pods) {
        const i = (ROLE_INDEX.get(p.role) ?? 0) * POD_PHASES.length + (PHASE_INDEX.get(p.phase) ?? 4);
        counts[i] = (counts[i] ?? 0) + 1;
      }
      for (let r = 0; r < ROLES.length; r++) {
        for (let ph = 0; ph < POD_PHASES.length; ph++) {
          const n = counts[r * POD_PHASES.length + ph] ?? 0;
          if (n > 0) ctx.w.sample(def.name, `${labels},role="${ROLES[r]}",phase="${POD_PHASES[ph]}"`, n);
        }
      }
    });
  },
  spark_k8s_executors_pending(ctx, def) {
    forApps(ctx, (app, labels) => {
      const byReason = new Map<string, number>();
      for (const p of app.pods) {
        if (p.role === 'executor' && p.phase === 'Pending' && !p.deleting) {
          const r = p.pendingReason ?? 'other';
          byReason.set(r, (byReason.get(r) ?? 0) + 1);
        }
      }
      for (const [reason, n] of [...byReason].sort()) ctx.w.sample(def.name, `${labels},reason="${reason}"`, n);
    });
  },
  spark_k8s_executor_pending_oldest_age_seconds(ctx, def) {
    forApps(ctx, (app, labels) => {
      let oldest = -1;
      for (const p of app.pods) {
        if (p.role !== 'executor' || p.phase !== 'Pending' || p.deleting) continue;
        // Age by the object's clock, but never less than what this process has itself watched.
        const age = Math.max(ctx.nowMs - p.firstSeenMs, p.createdMs !== undefined ? ctx.nowMs - p.createdMs : 0);
        if (age > oldest) oldest = age;
      }
      if (oldest >= 0) ctx.w.sample(def.name, labels, oldest / 1000);
    });
  },
  spark_k8s_executor_starts_total(ctx, def) {
    forApps(ctx, (app, labels) => ctx.w.sample(def.name, labels, app.starts));
  },
  spark_k8s_executor_exits_total(ctx, def) {
    forApps(ctx, (app, labels) => {
      for (let i = 0; i < EXIT_REASONS.length; i++) ctx.w.sample(def.name, `${labels},reason="${EXIT_REASONS[i]}"`, app.exits[i] ?? 0);
    });
  },
  spark_k8s_executor_churn_per_minute(ctx, def) {
    const minutes = ctx.churnWindowMs / 60_000;
    const cutoff = ctx.nowMs - ctx.churnWindowMs;
    for (const s of ctx.model.names.values()) {
      let n = 0;
      for (let i = s.exitTimes.length - 1; i >= 0 && (s.exitTimes[i] ?? 0) >= cutoff; i--) n++;
      ctx.w.sample(def.name, ctx.enc.pairs(['namespace', 'team', 'app_name'], [s.namespace, s.team, s.appName]), n / minutes);
    }
  },
  spark_k8s_executor_lifetime_seconds(ctx, def) {
    for (const s of ctx.model.names.values()) {
      const h = s.lifetimes;
      ctx.w.histogram(def.name, ctx.enc.pairs(['namespace', 'team', 'app_name'], [s.namespace, s.team, s.appName]), h.buckets, h.cumulative(), h.sum, h.count);
    }
  },
  spark_k8s_pod_startup_seconds(ctx, def) {
    for (const s of ctx.model.startups.values()) {
      const h = s.hist;
      ctx.w.histogram(def.name, ctx.enc.pairs(['namespace', 'team', 'role'], [s.namespace, s.team, s.role]), h.buckets, h.cumulative(), h.sum, h.count);
    }
  },
  spark_k8s_container_oom_kills_total(ctx, def) {
    forApps(ctx, (app, labels) => {
      for (const [key, n] of app.ooms) {
        const sep = key.indexOf('\u0000');
        ctx.w.sample(def.name, `${labels},role="${key.slice(0, sep)}",container="${ctx.enc.value(key.slice(sep + 1))}"`, n);
      }
    });
  },
  spark_k8s_driver_exits_total(ctx, def) {
    forApps(ctx, (app, labels) => {
      if (!app.hasDriver) return;
      for (let i = 0; i < EXIT_REASONS.length; i++) ctx.w.sample(def.name, `${labels},reason="${EXIT_REASONS[i]}"`, app.driverExits[i] ?? 0);
    });
  },
  spark_k8s_driver_spot_eligible(ctx, def) {
    forApps(ctx, (app, labels) => {
      if (app.driverSpotEligible !== undefined) ctx.w.sample(def.name, labels, app.driverSpotEligible ? 1 : 0);
    });
  },
  spark_k8s_executor_memory_overhead_ratio(ctx, def) {
    forApps(ctx, (app, labels) => {
      // Spark always requests heap + overhead: a request below the heap is a malformed pod, not a ratio.
      if (app.heapBytes && app.memoryRequestBytes !== undefined && app.memoryRequestBytes >= app.heapBytes) ctx.w.sample(def.name, labels, (app.memoryRequestBytes - app.heapBytes) / app.heapBytes);
    });
  },
  spark_k8s_executor_ids_skipped_total(ctx, def) {
    forApps(ctx, (app, labels) => ctx.w.sample(def.name, labels, app.skipped));
  },
  spark_k8s_executor_memory_request_bytes(ctx, def) {
    forApps(ctx, (app, labels) => {
      if (app.memoryRequestBytes !== undefined) ctx.w.sample(def.name, labels, app.memoryRequestBytes);
    });
  },
  spark_k8s_quota_hard(ctx, def) {
    quotaSamples(ctx, def, (hard) => hard, true);
  },
  spark_k8s_quota_used(ctx, def) {
    quotaSamples(ctx, def, (_hard, used) => used, false);
  },
  spark_k8s_quota_saturation_ratio(ctx, def) {
    // A zero hard limit would divide to +Inf: such a resource is simply forbidden, not saturated.
    quotaSamples(ctx, def, (hard, used) => (hard > 0 ? (used ?? 0) / hard : undefined), true);
  },
  spark_k8s_quota_headroom_executors(ctx, def) {
    const byNamespace = new Map<string, ReturnType<Model['quotasIn']>>();
    forApps(ctx, (app, labels) => {
      if (app.memoryRequestBytes === undefined && app.cpuRequest === undefined) return;
      let quotas = byNamespace.get(app.namespace);
      if (!quotas) byNamespace.set(app.namespace, (quotas = ctx.model.quotasIn(app.namespace)));
      if (quotas.length === 0) return;
      const n = headroomExecutors(quotas, {
        cpuRequest: app.cpuRequest,
        cpuLimit: app.cpuLimit,
        memoryRequest: app.memoryRequestBytes,
        memoryLimit: app.memoryLimitBytes,
      });
      if (n !== undefined) ctx.w.sample(def.name, labels, n);
    });
  },
  spark_k8s_applications(ctx, def) {
    const counts = new Map<string, number>();
    for (const { view } of ctx.model.sparkApps.values()) {
      const team = view.team ?? ctx.model.teamOfNamespace(view.namespace);
      const key = `${view.namespace}\u0000${team}\u0000${view.state}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    keyed(ctx, def, counts, ['namespace', 'team', 'state']);
  },
  spark_k8s_application_failures_total(ctx, def) {
    for (const f of ctx.model.appFailures.values()) {
      ctx.w.sample(def.name, ctx.enc.pairs(['namespace', 'team', 'app_name', 'state'], [f.namespace, f.team, f.name, f.state]), f.count);
    }
  },
  spark_k8s_exporter_build_info(ctx, def) {
    ctx.w.sample(def.name, ctx.enc.pairs(['version', 'nodejs_version'], [ctx.self.version, process.version]), 1);
  },
  spark_k8s_exporter_watch_events_total(ctx, def) {
    keyed(ctx, def, ctx.self.watchEvents, ['resource', 'type']);
  },
  spark_k8s_exporter_watch_restarts_total(ctx, def) {
    keyed(ctx, def, ctx.self.watchRestarts, ['resource', 'reason']);
  },
  spark_k8s_exporter_list_total(ctx, def) {
    keyed(ctx, def, ctx.self.lists, ['resource', 'result']);
  },
  spark_k8s_exporter_synced(ctx, def) {
    perResource(ctx, def, (r) => (ctx.self.synced.has(r) ? (ctx.self.synced.get(r) ? 1 : 0) : undefined));
  },
  spark_k8s_exporter_tracked_objects(ctx, def) {
    const m = ctx.model;
    const counts = { pods: m.pods.size, resourcequotas: m.quotas.size, namespaces: ctx.self.namespacesSeen, sparkapplications: m.sparkApps.size };
    perResource(ctx, def, (r) => (ctx.self.synced.has(r) ? counts[r] : undefined));
  },
  spark_k8s_exporter_tracked_applications(ctx, def) {
    ctx.w.sample(def.name, '', ctx.model.apps.size);
  },
  spark_k8s_exporter_last_event_timestamp_seconds(ctx, def) {
    perResource(ctx, def, (r) => ctx.self.lastEventSeconds.get(r));
  },
  spark_k8s_exporter_objects_rejected_total(ctx, def) {
    keyed(ctx, def, ctx.self.rejected, ['resource', 'reason']);
  },
  spark_k8s_exporter_audit_drift_total(ctx, def) {
    perResource(ctx, def, (r) => ctx.self.auditDrift.get(r) ?? 0);
  },
  spark_k8s_exporter_metrics_render_seconds(ctx, def) {
    const h = ctx.renderHistogram;
    ctx.w.histogram(def.name, '', h.buckets, h.cumulative(), h.sum, h.count);
  },
  spark_k8s_exporter_shard_ordinal(ctx, def) {
    ctx.w.sample(def.name, '', ctx.self.shard);
  },
  spark_k8s_exporter_total_shards(ctx, def) {
    ctx.w.sample(def.name, '', ctx.self.totalShards);
  },
};

export function renderFamilies(ctx: RenderContext): void {
  for (const def of CATALOGUE as readonly MetricDef[]) {
    ctx.w.family(def);
    RENDERERS[def.name as MetricName](ctx, def);
  }
}
