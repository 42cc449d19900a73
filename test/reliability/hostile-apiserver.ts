/**
 * A small Kubernetes-shaped API server that serves whatever a test gives it, verbatim: list items
 * that are not objects, watch lines that are not JSON, and 401/403 answers per resource. The
 * shared fake API server assumes well-formed objects; this one exists to be fed garbage.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const COLLECTIONS: Record<string, RegExp> = {
  pods: /^\/api\/v1\/(?:namespaces\/[^/]+\/)?pods$/,
  resourcequotas: /^\/api\/v1\/(?:namespaces\/[^/]+\/)?resourcequotas$/,
  namespaces: /^\/api\/v1\/namespaces$/,
  sparkapplications: /^\/apis\/sparkoperator\.k8s\.io\/v1beta2\/(?:namespaces\/[^/]+\/)?sparkapplications$/,
  scheduledsparkapplications: /^\/apis\/sparkoperator\.k8s\.io\/v1beta2\/(?:namespaces\/[^/]+\/)?scheduledsparkapplications$/,
  'sparkapplications.spark.apache.org': /^\/apis\/spark\.apache\.org\/v1\/(?:namespaces\/[^/]+\/)?sparkapplications$/,
};

export class HostileApiServer {
  readonly lists: Record<string, unknown[]> = { pods: [], resourcequotas: [], namespaces: [], sparkapplications: [], scheduledsparkapplications: [], 'sparkapplications.spark.apache.org': [] };
  /** A raw body to answer a resource's lists with instead of a list of `lists[resource]`. */
  readonly listBodies = new Map<string, string>();
  /** Status to answer for a resource instead of serving it (e.g. 403 for RBAC, 401 for a bad token). */
  readonly deny = new Map<string, { code: number; reason: string; message: string }>();
  /** When set, every request without this bearer token gets 401. */
  token: string | undefined;
  readonly requests: Array<{ method: string; path: string; auth: string | undefined }> = [];
  private readonly watchers = new Map<string, Set<http.ServerResponse>>();
  private server: http.Server | undefined;
  url = '';

  async start(port = 0): Promise<void> {
    this.server = http.createServer((req, res) => this.handle(req, res));
    await new Promise<void>((r) => this.server!.listen(port, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    for (const set of this.watchers.values()) for (const w of set) w.destroy();
    const server = this.server;
    if (!server?.listening) return;
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  }

  kubeconfig(dir: string, token = 'test-token'): string {
    const file = join(dir, 'kubeconfig');
    writeFileSync(file, `apiVersion: v1\nkind: Config\nclusters:\n- name: h\n  cluster:\n    server: ${this.url}\nusers:\n- name: u\n  user:\n    token: ${token}\ncontexts:\n- name: h\n  context:\n    cluster: h\n    user: u\ncurrent-context: h\n`);
    return file;
  }

  /** Writes a raw line to every open watch of the resource. */
  send(resource: string, line: string): number {
    const set = this.watchers.get(resource) ?? new Set();
    for (const w of set) w.write(`${line}\n`);
    return set.size;
  }

  watching(resource: string): number {
    return this.watchers.get(resource)?.size ?? 0;
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://x');
    this.requests.push({ method: req.method ?? '?', path: `${url.pathname}${url.search}`, auth: req.headers.authorization });
    if (this.token !== undefined && req.headers.authorization !== `Bearer ${this.token}`) return status(res, 401, 'Unauthorized', 'Unauthorized');
    for (const [resource, re] of Object.entries(COLLECTIONS)) {
      if (!re.test(url.pathname)) continue;
      const d = this.deny.get(resource);
      if (d) return status(res, d.code, d.reason, d.message);
      const q = url.searchParams;
      if (q.get('watch') === '1' || q.get('watch') === 'true') {
        res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
        res.flushHeaders();
        let set = this.watchers.get(resource);
        if (!set) this.watchers.set(resource, (set = new Set()));
        set.add(res);
        res.on('close', () => set.delete(res));
        return;
      }
      res.writeHead(200, { 'Content-Type': 'application/json' });
      const raw = this.listBodies.get(resource);
      if (raw !== undefined) return void res.end(raw);
      res.end(JSON.stringify({ kind: 'List', apiVersion: 'v1', metadata: { resourceVersion: '10' }, items: this.lists[resource] ?? [] }));
      return;
    }
    status(res, 404, 'NotFound', 'the server could not find the requested resource');
  }
}

function status(res: http.ServerResponse, code: number, reason: string, message: string): void {
  res.writeHead(code, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason, message, code }));
}
