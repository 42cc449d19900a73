/**
 * The watch streams that feed the model: pods (Spark's only, by a server-side label selector),
 * ResourceQuotas, namespaces (for team labels), and where their CRDs are served kubeflow's
 * SparkApplications and ScheduledSparkApplications and Apache's SparkApplications (each CRD on its
 * own: any subset may be installed, a missing one is logged once and looked for again). Each
 * object is parsed into a compact view at once; what cannot be parsed is counted and skipped.
 */
import type { Logger } from 'pino';
import type { Model } from '../domain/model.js';
import { parseNamespace } from '../domain/namespaces-model.js';
import { parseQuota } from '../domain/quota.js';
import { relist, type Store } from '../domain/relist.js';
import { parseApacheSparkApplication } from '../domain/apache-spark-application.js';
import { parseScheduledSparkApplication } from '../domain/scheduled-spark-application.js';
import { parseSparkApplication, type SparkApplicationView } from '../domain/spark-application.js';
import { parseSparkPod, type ParseResult } from '../domain/spark-pod.js';
import type { KubeHttp } from './kube-http.js';
import { ListWatch, type ListMode, type ListWatchOptions } from './list-watch.js';
import type { Resource, SelfStats } from './self-stats.js';

export const SPARK_POD_SELECTOR = 'spark-role';

export interface SourcesOptions {
  readonly namespaces: readonly string[];
  readonly teamLabel: string;
  readonly listWatch: Omit<ListWatchOptions, 'resource' | 'path' | 'labelSelector'>;
  readonly now: () => number;
}

interface ResourceSpec<T> {
  readonly resource: Resource;
  readonly path: (ns: string | undefined) => string;
  readonly labelSelector?: string;
  readonly parse: (raw: unknown) => ParseResult<T> | { ok: false; reason: string; detail: string };
  /** The model's part holding this resource. */
  readonly store: Store<T>;
  /** Whether /readyz waits for it. */
  readonly required: boolean;
}

export class Sources {
  readonly watches: ListWatch[] = [];
  private readonly rejectLogged = new Map<string, number>();

  constructor(
    private readonly http: KubeHttp,
    private readonly model: Model,
    private readonly self: SelfStats,
    private readonly log: Logger,
    private readonly opts: SourcesOptions,
  ) {}

  /**
   * Starts every watch at once: teams are resolved when rendering, so the order in which
   * namespaces and pods arrive no longer matters.
   */
  start(): void {
    const { model, opts } = this;
    const team = opts.teamLabel;
    const nsPath = (group: string, plural: string) => (ns: string | undefined) => (ns ? `${group}/namespaces/${encodeURIComponent(ns)}/${plural}` : `${group}/${plural}`);

    this.add({
      resource: 'pods',
      path: nsPath('/api/v1', 'pods'),
      labelSelector: SPARK_POD_SELECTOR,
      parse: (raw) => parseSparkPod(raw, team),
      store: model.pods,
      required: true,
    });
    this.add({
      resource: 'resourcequotas',
      path: nsPath('/api/v1', 'resourcequotas'),
      parse: (raw) => {
        const r = parseQuota(raw, team);
        if (r.ok && r.value.badQuantities.length > 0) {
          this.self.reject('resourcequotas', 'bad_quantity');
          this.log.warn({ quota: `${r.value.namespace}/${r.value.name}`, quantities: r.value.badQuantities }, 'skipping quota quantities that do not parse');
        }
        return r;
      },
      store: model.quotas,
      required: true,
    });
    // Namespaces are cluster-scoped: with --namespaces each is watched by name.
    this.add({
      resource: 'namespaces',
      path: () => '/api/v1/namespaces',
      parse: (raw) => parseNamespace(raw, team),
      store: model.namespaces,
      required: false,
    });
    const applications = (r: ReturnType<typeof parseSparkApplication>): ReturnType<typeof parseSparkApplication> => {
      if (r.ok && r.value.executors.bad.length > 0) this.onceFor(`${r.value.uid}/${r.value.executors.bad.join(',')}`, () => this.log.warn({ application: `${r.value.namespace}/${r.value.name}`, settings: r.value.executors.bad }, 'SparkApplication settings Spark would refuse: left out of spark_k8s_application_dynamic_allocation'));
      return r;
    };
    this.add<SparkApplicationView>({
      resource: 'sparkapplications',
      path: nsPath('/apis/sparkoperator.k8s.io/v1beta2', 'sparkapplications'),
      parse: (raw) => applications(parseSparkApplication(raw, team)),
      store: model.sparkApps.of('kubeflow'),
      required: false,
    });
    this.add({
      resource: 'scheduledsparkapplications',
      path: nsPath('/apis/sparkoperator.k8s.io/v1beta2', 'scheduledsparkapplications'),
      parse: (raw) => parseScheduledSparkApplication(raw, team),
      store: model.scheduledApps,
      required: false,
    });
    // Apache spark-kubernetes-operator: v1 is its storage version (v1beta1 is served beside it).
    this.add<SparkApplicationView>({
      resource: 'sparkapplications.spark.apache.org',
      path: nsPath('/apis/spark.apache.org/v1', 'sparkapplications'),
      parse: (raw) => applications(parseApacheSparkApplication(raw, team)),
      store: model.sparkApps.of('apache'),
      required: false,
    });
    for (const w of this.watches) w.start();
  }

  async stop(): Promise<void> {
    await Promise.all(this.watches.map((w) => w.stop()));
  }

  /** Ends each watch and relists, counting what the lists show that the model did not know. */
  audit(): void {
    for (const w of this.watches) w.requestAudit();
  }

  private add<T>(spec: ResourceSpec<T>): void {
    const scopes: (string | undefined)[] = this.opts.namespaces.length > 0 && spec.resource !== 'namespaces' ? [...this.opts.namespaces] : [undefined];
    if (spec.required) this.self.required.add(spec.resource);
    this.self.synced.set(spec.resource, false);
    for (const ns of scopes) {
      const watch = new ListWatch(
        this.http,
        { ...this.opts.listWatch, resource: spec.resource, path: spec.path(ns), labelSelector: spec.labelSelector },
        {
          prepare: (raw) => this.parseOne(spec, raw),
          onList: (views, mode) => this.onList(spec, views as T[], mode, ns),
          onEvent: (type, object) => this.onEvent(spec, type, object),
          onUnavailable: (status, message) => {
            if (status === 401) {
              this.log.error({ resource: spec.resource, status, message }, 'the API server rejected the exporter\'s credentials (401 Unauthorized): the token is expired, revoked or wrong; check the kubeconfig user or the service account token. Retrying every minute');
            } else if (status === 403 && spec.resource !== 'pods') {
              // Without quotas (or namespaces) the pod metrics still stand: serve them and be ready,
              // or a Service would hide this exporter's endpoint and lose everything.
              this.self.required.delete(spec.resource);
              this.log.warn({ resource: spec.resource, status, message }, `not allowed to list/watch ${spec.resource} (403 Forbidden): carrying on without its metrics; grant get, list, watch on it (see the chart's ClusterRole)`);
            } else if (spec.required) {
              this.log.error({ resource: spec.resource, status, message }, status === 404 ? 'resource not served by the API server' : `not allowed to list/watch ${spec.resource}: grant get, list, watch on it (see the chart's ClusterRole)`);
            } else if (status === 404) {
              this.log.info({ resource: spec.resource }, `${spec.resource} not served (CRD not installed?): carrying on without it, checking again every minute`);
            } else {
              this.log.warn({ resource: spec.resource, status, message }, `not allowed to list/watch ${spec.resource}: carrying on without it`);
            }
          },
        },
        this.self,
        this.log,
      );
      this.watches.push(watch);
    }
  }

  private readonly said = new Set<string>();

  /** Runs `say` the first time a key is seen: a flood of identical objects must not flood the log. */
  private onceFor(key: string, say: () => void): void {
    if (this.said.has(key)) return;
    if (this.said.size > 10_000) this.said.clear();
    this.said.add(key);
    say();
  }

  private parseOne<T>(spec: ResourceSpec<T>, raw: unknown): T | undefined {
    let r: ReturnType<ResourceSpec<T>['parse']>;
    try {
      r = spec.parse(raw);
    } catch (e) {
      r = { ok: false, reason: 'parse_error', detail: (e as Error).message };
    }
    if (r.ok) return r.value;
    this.self.reject(spec.resource, r.reason);
    // Log the first few of each kind, then every thousandth: a flood of bad objects must not flood the log.
    const key = `${spec.resource}/${r.reason}`;
    const n = (this.rejectLogged.get(key) ?? 0) + 1;
    this.rejectLogged.set(key, n);
    if (n <= 5 || n % 1000 === 0) this.log.warn({ resource: spec.resource, reason: r.reason, detail: r.detail, seen: n }, 'skipping an object the exporter cannot use');
    return undefined;
  }

  /** `views` are what parseOne made of each listed object (as `prepare`), the unusable left out. */
  private onList<T>(spec: ResourceSpec<T>, views: T[], mode: ListMode, ns: string | undefined): void {
    const now = this.opts.now();
    const result = this.guard(spec, () => relist(spec.store, views, mode === 'initial' ? 'initial' : 'relist', now, ns));
    if (mode === 'audit' && result) {
      const drift = result.added + result.removed + result.changed;
      this.self.drift(spec.resource, drift);
      if (drift > 0) this.log.warn({ resource: spec.resource, ...result }, 'audit found the model out of step with the API; corrected');
    }
    this.log.debug({ resource: spec.resource, items: views.length, mode }, 'listed');
  }

  private onEvent<T>(spec: ResourceSpec<T>, type: 'ADDED' | 'MODIFIED' | 'DELETED', object: unknown): void {
    const v = this.parseOne(spec, object);
    if (v === undefined) return;
    const now = this.opts.now();
    this.guard(spec, () => (type === 'DELETED' ? spec.store.remove(v, now) : spec.store.upsert(v, 'watch', now)));
  }

  /** A bug in the model must cost one object, not the process and everything it counted. */
  private guard<R>(spec: { readonly resource: Resource }, fn: () => R): R | undefined {
    try {
      return fn();
    } catch (e) {
      this.self.reject(spec.resource, 'model_error');
      this.log.error({ resource: spec.resource, err: (e as Error).stack }, 'model failed on an object; skipped it');
      return undefined;
    }
  }
}
