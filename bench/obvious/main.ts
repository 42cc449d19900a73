/**
 * The obvious build, a reference and not shipped: what a user first writes with client-node's stock
 * informer (makeInformer / ListWatch, caching whole typed objects) and prom-client gauges set per
 * object, served by prom-client's registry. The bench runs it on the same simulator to show what
 * the exporter's compact model and pre-rendered exposition buy.
 */
import http from 'node:http';
import { CoreV1Api, KubeConfig, makeInformer, type V1Pod } from '@kubernetes/client-node';
import { Gauge, Registry } from 'prom-client';
import { gcMemory, serveIpc } from '../ipc.js';

const SELECTOR = 'spark-role';
let informer: ReturnType<typeof makeInformer<V1Pod>> | undefined;
let server: http.Server | undefined;
let startedAt = 0;
let readyMs: number | undefined;
let callbacks = 0;
let lastError: string | undefined;
let stopped = false;

function labelsOf(p: V1Pod): Record<string, string> {
  const l = p.metadata?.labels ?? {};
  return {
    namespace: p.metadata?.namespace ?? '',
    pod: p.metadata?.name ?? '',
    app_id: l['spark-app-selector'] ?? '',
    app_name: l['spark-app-name'] ?? l['sparkoperator.k8s.io/app-name'] ?? '',
    team: l['team'] ?? '',
    role: l['spark-role'] ?? '',
    phase: p.status?.phase ?? 'Unknown',
  };
}

serveIpc({
  async start(a: { kubeconfig: string }) {
    startedAt = performance.now();
    const kc = new KubeConfig();
    kc.loadFromFile(a.kubeconfig);
    const api = kc.makeApiClient(CoreV1Api);
    const registry = new Registry();
    const podPhase = new Gauge({ name: 'spark_pod_status_phase', help: 'Spark pod by phase, one series per pod.', labelNames: ['namespace', 'pod', 'app_id', 'app_name', 'team', 'role', 'phase'], registers: [registry] });
    const set = new Map<string, Record<string, string>>();
    let synced = false;
    const inf = makeInformer<V1Pod>(kc, '/api/v1/pods', async () => {
      const list = await api.listPodForAllNamespaces({ labelSelector: SELECTOR });
      // The informer adds the items right after this resolves; the flag flips after that.
      setImmediate(() => {
        synced = true;
        readyMs ??= performance.now() - startedAt;
      });
      return list;
    }, SELECTOR);
    informer = inf;
    const upsert = (p: V1Pod): void => {
      callbacks++;
      const uid = p.metadata?.uid ?? '';
      const old = set.get(uid);
      if (old) podPhase.remove(old);
      const l = labelsOf(p);
      podPhase.set(l, 1);
      set.set(uid, l);
    };
    inf.on('add', upsert);
    inf.on('update', upsert);
    inf.on('delete', (p) => {
      callbacks++;
      const uid = p.metadata?.uid ?? '';
      const old = set.get(uid);
      if (old) podPhase.remove(old);
      set.delete(uid);
    });
    // Per-app aggregate recomputed from the informer cache on every scrape, as the docs suggest.
    new Gauge({
      name: 'spark_k8s_pods',
      help: 'Spark pods by app, role and phase.',
      labelNames: ['namespace', 'team', 'app_id', 'app_name', 'role', 'phase'],
      registers: [registry],
      collect() {
        this.reset();
        for (const p of inf.list()) {
          const { pod: _pod, ...l } = labelsOf(p);
          void _pod;
          this.inc(l);
        }
      },
    });
    inf.on('error', (e: unknown) => {
      lastError = e instanceof Error ? e.message : String(e);
      // The documented pattern: restart the informer after an error.
      if (!stopped) setTimeout(() => void inf.start().catch(() => undefined), 1000);
    });
    server = http.createServer((req, res) => {
      if (req.url === '/metrics') {
        void registry.metrics().then((body) => {
          res.writeHead(200, { 'Content-Type': registry.contentType });
          res.end(body);
        });
      } else if (req.url === '/readyz') {
        res.writeHead(synced ? 200 : 503).end();
      } else res.writeHead(404).end();
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const addr = server.address();
    await inf.start();
    return { url: `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}` };
  },

  ready() {
    return { readyMs: readyMs ?? null, error: lastError ?? null };
  },

  events() {
    return { events: callbacks, pods: informer?.list().length ?? 0, error: lastError ?? null };
  },

  memory() {
    return { ...gcMemory(), pods: informer?.list().length ?? 0 };
  },

  async stop() {
    stopped = true;
    await informer?.stop();
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
    return {};
  },
});
