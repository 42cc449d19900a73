/**
 * A minimal API server speaking Kubernetes list/watch (pagination, resourceVersion, bookmarks,
 * 410 Expired) for the exporter's own integration tests; the full simulator lives in src/sim.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

type Obj = Record<string, unknown>;
interface Event { rv: number; type: string; resource: string; object: Obj }

const COLLECTIONS: Record<string, RegExp> = {
  pods: /^\/api\/v1\/(?:namespaces\/([^/]+)\/)?pods$/,
  resourcequotas: /^\/api\/v1\/(?:namespaces\/([^/]+)\/)?resourcequotas$/,
  namespaces: /^\/api\/v1\/namespaces$/,
  sparkapplications: /^\/apis\/sparkoperator\.k8s\.io\/v1beta2\/(?:namespaces\/([^/]+)\/)?sparkapplications$/,
  scheduledsparkapplications: /^\/apis\/sparkoperator\.k8s\.io\/v1beta2\/(?:namespaces\/([^/]+)\/)?scheduledsparkapplications$/,
  'sparkapplications.spark.apache.org': /^\/apis\/spark\.apache\.org\/v1\/(?:namespaces\/([^/]+)\/)?sparkapplications$/,
};
const CRDS = new Set(['sparkapplications', 'scheduledsparkapplications', 'sparkapplications.spark.apache.org']);

export class FakeApiServer {
  private rv = 100;
  private readonly objects = new Map<string, Map<string, Obj>>();
  private readonly events: Event[] = [];
  private compactedBefore = 0;
  private readonly watchers = new Set<{ resource: string; ns: string | undefined; res: http.ServerResponse }>();
  private server: http.Server | undefined;
  /** Whether the three Spark operator CRDs are served. */
  crd = true;
  requests: string[] = [];
  url = '';

  key(o: Obj): string {
    const m = o['metadata'] as Obj;
    return `${String(m['namespace'] ?? '')}/${String(m['name'])}`;
  }

  private store(resource: string): Map<string, Obj> {
    let s = this.objects.get(resource);
    if (!s) this.objects.set(resource, (s = new Map()));
    return s;
  }

  /** Creates or updates an object, emitting ADDED or MODIFIED. */
  put(resource: string, obj: Obj): void {
    const o = structuredClone(obj);
    (o['metadata'] as Obj)['resourceVersion'] = String(++this.rv);
    const s = this.store(resource);
    const type = s.has(this.key(o)) ? 'MODIFIED' : 'ADDED';
    s.set(this.key(o), o);
    this.emit({ rv: this.rv, type, resource, object: o });
  }

  remove(resource: string, obj: Obj): void {
    const s = this.store(resource);
    const cur = s.get(this.key(obj));
    if (!cur) return;
    s.delete(this.key(obj));
    const o = structuredClone(obj);
    (o['metadata'] as Obj)['resourceVersion'] = String(++this.rv);
    this.emit({ rv: this.rv, type: 'DELETED', resource, object: o });
  }

  /** Forgets history: watches from older versions get 410 Expired. */
  compact(): void {
    // Even a watcher that has seen everything resumes from an expired version.
    this.compactedBefore = this.rv + 1;
    this.events.length = 0;
  }

  dropWatches(): void {
    for (const w of this.watchers) w.res.destroy();
    this.watchers.clear();
  }

  private emit(e: Event): void {
    this.events.push(e);
    for (const w of this.watchers) {
      if (w.resource === e.resource && matchNs(e.object, w.ns)) w.res.write(`${JSON.stringify({ type: e.type, object: e.object })}\n`);
    }
  }

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => this.handle(req, res));
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.dropWatches();
    this.server?.closeAllConnections();
    await new Promise<void>((r) => this.server?.close(() => r()));
  }

  kubeconfig(): string {
    const dir = mkdtempSync(join(tmpdir(), 'fake-kube-'));
    const file = join(dir, 'kubeconfig');
    writeFileSync(
      file,
      `apiVersion: v1\nkind: Config\nclusters:\n- name: fake\n  cluster:\n    server: ${this.url}\nusers:\n- name: u\n  user:\n    token: test-token\ncontexts:\n- name: fake\n  context:\n    cluster: fake\n    user: u\ncurrent-context: fake\n`,
    );
    return file;
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://x');
    this.requests.push(`${url.pathname}${url.search}`);
    for (const [resource, re] of Object.entries(COLLECTIONS)) {
      const m = re.exec(url.pathname);
      if (!m) continue;
      if (CRDS.has(resource) && !this.crd) return status(res, 404, 'NotFound', 'the server could not find the requested resource');
      const ns = m[1];
      const q = url.searchParams;
      if (q.get('watch') === '1' || q.get('watch') === 'true') return this.watch(resource, ns, q, res);
      return this.list(resource, ns, q, res);
    }
    status(res, 404, 'NotFound', 'not found');
  }

  private list(resource: string, ns: string | undefined, q: URLSearchParams, res: http.ServerResponse): void {
    const selector = q.get('labelSelector');
    const all = [...this.store(resource).values()]
      .filter((o) => matchNs(o, ns))
      .filter((o) => !selector || hasLabel(o, selector))
      .sort((a, b) => (this.key(a) < this.key(b) ? -1 : 1));
    const limit = Number(q.get('limit') ?? 0) || all.length;
    const start = Number(q.get('continue') ?? 0);
    const page = all.slice(start, start + limit);
    const next = start + limit < all.length ? String(start + limit) : '';
    res.setHeader('Content-Type', 'application/json');
    res.end(JSON.stringify({ kind: 'List', apiVersion: 'v1', metadata: { resourceVersion: String(this.rv), continue: next }, items: page }));
  }

  private watch(resource: string, ns: string | undefined, q: URLSearchParams, res: http.ServerResponse): void {
    const from = Number(q.get('resourceVersion') ?? 0);
    res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
    if (from < this.compactedBefore) {
      res.end(`${JSON.stringify({ type: 'ERROR', object: { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Expired', code: 410, message: `too old resource version: ${from} (${this.compactedBefore})` } })}\n`);
      return;
    }
    for (const e of this.events) {
      if (e.rv > from && e.resource === resource && matchNs(e.object, ns)) res.write(`${JSON.stringify({ type: e.type, object: e.object })}\n`);
    }
    const w = { resource, ns, res };
    this.watchers.add(w);
    res.on('close', () => this.watchers.delete(w));
  }
}

function matchNs(o: Obj, ns: string | undefined): boolean {
  return ns === undefined || (o['metadata'] as Obj)['namespace'] === ns;
}

function hasLabel(o: Obj, selector: string): boolean {
  const labels = ((o['metadata'] as Obj)['labels'] ?? {}) as Record<string, string>;
  return selector.split(',').every((term) => (term.includes('=') ? labels[term.split('=')[0]!] === term.split('=')[1] : term in labels));
}

function status(res: http.ServerResponse, code: number, reason: string, message: string): void {
  res.writeHead(code, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason, message, code }));
}
