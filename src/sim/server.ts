/**
 * The HTTP(S) face of the simulator: routes Kubernetes API paths onto the world's store, with
 * list pagination, watches, server-side Table printing, bearer-token or client-certificate auth,
 * the kubelet's /metrics/cadvisor for its pods (cadvisor.ts)
 * and fault injection.
 */
import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { randomBytes } from 'node:crypto';
import { ApiError, badRequest, statusBody } from './errors.js';
import { ALL_SPARK_CRDS, CORE_RESOURCES, SPARK_CRDS, apiVersionOf, storeOf, type ResourceDef } from './resources.js';
import { coreResources, coreVersions, groupDocument, groupList, groupResources, version } from './discovery.js';
import { cadvisorExposition } from './cadvisor.js';
import { SelectorError, matchesFields, matchesLabels, parseFieldSelector, parseLabelSelector, type FieldRequirement, type LabelRequirement } from './selectors.js';
import { tableOf, type IncludeObject } from './table.js';
import { parseNewObject } from './parse.js';
import { keyOf, type StoreEvent } from './store.js';
import type { World } from './world.js';
import type { KObject, Pod } from './types.js';
import { isRecord } from './types.js';

export interface ServerOptions {
  host: string;
  port: number;
  tls: { cert: string; key: string } | undefined;
  token: string | undefined;
  /** With TLS: a client certificate signed by this CA authenticates instead of the token. */
  clientCa?: string | undefined;
  /** Installed operator CRDs by store name (sparkapplications, scheduledsparkapplications, sparkapplications.spark.apache.org). */
  crds: Set<string>;
  bookmarkIntervalMs: number;
  /** Unsent bytes a watch may hold before it waits for its reader (default WATCH_BUFFER_BYTES). */
  watchBufferBytes?: number;
}

interface Watcher {
  res: http.ServerResponse;
  def: ResourceDef;
  namespace: string | undefined;
  labels: LabelRequirement[];
  fields: FieldRequirement[];
  table: boolean;
  include: IncludeObject;
  bookmarks: boolean;
  timers: NodeJS.Timeout[];
  close: () => void;
  /** resourceVersion of the last event this watcher has been written (or skipped as not its own). */
  sentRv: number;
  /** Its socket holds more than WATCH_BUFFER_BYTES unsent: events wait in the history until it drains. */
  blocked: boolean;
}

/**
 * Unsent bytes a watch may hold before it waits for its reader. The API server's watch cache
 * does the same (a watcher's channel is bounded; the events stay in the cache); writing without
 * it queued hundreds of MB on a slow reader's socket until the kernel refused (ENOBUFS) and cut
 * the watch, as the 150k bench's turnovers did.
 */
export const WATCH_BUFFER_BYTES = 8 << 20;

interface Snapshot {
  items: KObject[];
  rv: number;
  expires: number;
}

const SNAPSHOT_TTL_MS = 5 * 60_000;
/** Requests remembered for tests that check what a client asked for (order, selectors, paging). */
const REQUEST_LOG_SIZE = 10_000;

export class ApiServer {
  private server: http.Server | https.Server;
  private readonly sockets = new Set<Socket>();
  private readonly watchers = new Set<Watcher>();
  private readonly snapshots = new Map<string, Snapshot>();
  /**
   * Objects serialised ahead of a list (serialiseAhead): the bench times a consumer's list
   * against pages already serialised, as an API server's watch cache serves them, so the
   * simulator's JSON.stringify is not what both sides wait on. Stored objects are replaced on
   * every change, never mutated, so an object's bytes are its own for as long as it is stored.
   */
  private readonly serialised = new WeakMap<object, string>();
  private failQueue: Array<500 | 429> = [];
  private stalled = false;
  private downTimer: NodeJS.Timeout | undefined;
  readonly counts: Record<string, number> = {};
  /** Recent requests (at least the last REQUEST_LOG_SIZE) as `path?query`, oldest first. */
  readonly requests: string[] = [];
  port = 0;

  constructor(
    private readonly world: World,
    private readonly opts: ServerOptions,
  ) {
    this.server = this.makeServer();
    world.cluster.store.subscribe((ev) => this.broadcast(ev));
  }

  private makeServer(): http.Server | https.Server {
    const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => {
      this.handle(req, res).catch((e: unknown) => this.sendError(res, e));
    };
    // Client certificates are asked for, not required: token clients send none and are judged by their token.
    const clientAuth = this.opts.clientCa ? { requestCert: true, rejectUnauthorized: false, ca: [this.opts.clientCa] } : {};
    const s = this.opts.tls ? https.createServer({ cert: this.opts.tls.cert, key: this.opts.tls.key, ...clientAuth }, handler) : http.createServer(handler);
    s.keepAliveTimeout = 30_000;
    s.on(this.opts.tls ? 'secureConnection' : 'connection', (sock: Socket) => {
      this.sockets.add(sock);
      sock.on('close', () => this.sockets.delete(sock));
    });
    return s;
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.opts.port === 0 && this.port ? this.port : this.opts.port, this.opts.host, () => {
        this.server.off('error', reject);
        const addr = this.server.address();
        if (addr && typeof addr === 'object') this.port = addr.port;
        resolve();
      });
    });
  }

  url(): string {
    const host = this.opts.host.includes(':') ? `[${this.opts.host}]` : this.opts.host;
    return `${this.opts.tls ? 'https' : 'http'}://${host}:${this.port}`;
  }

  async close(): Promise<void> {
    if (this.downTimer) clearTimeout(this.downTimer);
    this.dropWatches();
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ---- faults -------------------------------------------------------------------------------

  dropWatches(): void {
    for (const w of [...this.watchers]) w.close();
  }

  failNext(n: number, code: 500 | 429): void {
    for (let i = 0; i < n; i++) this.failQueue.push(code);
  }

  stallWatches(on: boolean): void {
    this.stalled = on;
  }

  /** Installs or removes operator CRDs (all three when `which` is omitted): discovery and routes follow at once. */
  setCrd(on: boolean, which: readonly string[] = ALL_SPARK_CRDS): void {
    for (const c of which) {
      if (on) this.opts.crds.add(c);
      else this.opts.crds.delete(c);
    }
  }

  /** Refuses connections for `ms`: closes the listener and every socket, then listens again on the same port. */
  down(ms: number): Promise<void> {
    this.dropWatches();
    for (const s of this.sockets) s.destroy();
    return new Promise((resolve) => {
      this.server.close(() => {
        this.downTimer = setTimeout(() => {
          this.server = this.makeServer();
          this.listen().then(resolve, (e: unknown) => {
            process.stderr.write(`simulator could not listen again on port ${this.port}: ${String(e)}\n`);
            resolve();
          });
        }, ms);
      });
    });
  }

  // ---- request handling ---------------------------------------------------------------------

  private count(kind: string): void {
    this.counts[kind] = (this.counts[kind] ?? 0) + 1;
  }

  private send(res: http.ServerResponse, code: number, body: unknown, headers: Record<string, string> = {}): void {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    res.writeHead(code, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', ...headers });
    res.end(text);
  }

  private sendError(res: http.ServerResponse, e: unknown): void {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    if (e instanceof ApiError) {
      const headers: Record<string, string> = {};
      if (e.details?.retryAfterSeconds) headers['Retry-After'] = String(e.details.retryAfterSeconds);
      this.send(res, e.code, statusBody(e.code, e.reason, e.message, e.details), headers);
      return;
    }
    if (e instanceof SelectorError) {
      this.send(res, 400, statusBody(400, 'BadRequest', e.message));
      return;
    }
    this.send(res, 500, statusBody(500, 'InternalError', `Internal error occurred: ${e instanceof Error ? e.message : String(e)}`));
  }

  private async readBody(req: http.IncomingMessage): Promise<unknown> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const c of req) {
      const b = c as Buffer;
      size += b.length;
      if (size > 3 * 1024 * 1024) throw new ApiError(413, 'RequestEntityTooLarge', 'Request entity too large: limit is 3145728');
      chunks.push(b);
    }
    const text = Buffer.concat(chunks).toString('utf8');
    if (text.trim() === '') return undefined;
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw badRequest('the request body is not valid JSON');
    }
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sim');
    this.requests.push(`${url.pathname}${url.search}`);
    // Trimmed in batches: one splice per REQUEST_LOG_SIZE requests, not one per request.
    if (this.requests.length >= 2 * REQUEST_LOG_SIZE) this.requests.splice(0, REQUEST_LOG_SIZE);
    if (this.opts.token !== undefined) {
      const auth = req.headers['authorization'];
      const byCert = this.opts.clientCa !== undefined && (req.socket as TLSSocket).authorized === true;
      if (!byCert && auth !== `Bearer ${this.opts.token}`) {
        this.count('unauthorized');
        this.send(res, 401, statusBody(401, 'Unauthorized', 'Unauthorized'));
        return;
      }
    }
    const injected = this.failQueue.shift();
    if (injected === 429) {
      this.count('fault-429');
      this.send(res, 429, statusBody(429, 'TooManyRequests', 'Too many requests, please try again later.', { retryAfterSeconds: 1 }), { 'Retry-After': '1' });
      return;
    }
    if (injected === 500) {
      this.count('fault-500');
      this.send(res, 500, statusBody(500, 'InternalError', 'Internal error occurred: injected fault'));
      return;
    }
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const method = req.method ?? 'GET';
    if (method === 'GET' && path === '/metrics/cadvisor') {
      this.count('cadvisor');
      const spark = this.world.spark;
      const body = cadvisorExposition(this.world.cluster.store.list('pods') as Iterable<Pod>, this.world.now(), Date.now(), (p) => spark.memoryPlan(p.metadata.namespace ?? '', p.metadata.name));
      res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8', 'Cache-Control': 'no-cache, private' });
      res.end(body);
      return;
    }
    // Discovery.
    if (method === 'GET') {
      const doc = this.discovery(path);
      if (doc) {
        this.count('discovery');
        this.send(res, 200, doc);
        return;
      }
    }
    const route = this.route(path);
    if (!route) {
      this.count('notfound');
      this.send(res, 404, statusBody(404, 'NotFound', 'the server could not find the requested resource'));
      return;
    }
    const { def, namespace, name } = route;
    const q = url.searchParams;
    const accept = String(req.headers['accept'] ?? '');
    const table = /as=Table/.test(accept);
    const include = (q.get('includeObject') as IncludeObject | null) ?? 'Metadata';
    if (method === 'GET' && name === undefined) {
      const labels = parseLabelSelector(q.get('labelSelector') ?? '');
      const fields = parseFieldSelector(q.get('fieldSelector') ?? '', def.fieldSelectors);
      const watch = route.watch || q.get('watch') === 'true' || q.get('watch') === '1';
      if (watch) {
        this.count('watch');
        this.count(`watch ${storeOf(def)}`);
        this.watch(req, res, { def, namespace, labels, fields, table, include, q });
        return;
      }
      this.count('list');
      this.count(`list ${storeOf(def)}`);
      this.list(res, { def, namespace, labels, fields, table, include, q });
      return;
    }
    if (method === 'GET' && name !== undefined) {
      this.count('get');
      const obj = this.world.cluster.store.get(storeOf(def), def.namespaced ? namespace : undefined, name);
      if (!obj) throw new ApiError(404, 'NotFound', `${qualified(def)} "${name}" not found`, { name, group: def.group || undefined, kind: def.resource });
      if (table) this.send(res, 200, tableOf(storeOf(def), [obj], this.world.now(), include, { resourceVersion: obj.metadata.resourceVersion }));
      else this.send(res, 200, obj);
      return;
    }
    if (method === 'POST' && name === undefined) {
      this.count('create');
      const body = await this.readBody(req);
      const c = this.world.cluster;
      const obj = parseNewObject(body, def, namespace, c.uid(), c.now, () => randomBytes(3).toString('hex').slice(0, 5));
      const created = def.resource === 'pods' ? c.createPod(obj as Parameters<typeof c.createPod>[0]) : c.createObject(storeOf(def), obj);
      c.flushQuotas();
      this.send(res, 201, created);
      return;
    }
    if (method === 'DELETE' && name !== undefined) {
      this.count('delete');
      const body = await this.readBody(req);
      let grace: number | undefined;
      const gq = q.get('gracePeriodSeconds');
      if (gq !== null && gq !== '') grace = Number(gq);
      if (isRecord(body) && typeof body['gracePeriodSeconds'] === 'number') grace = body['gracePeriodSeconds'];
      if (grace !== undefined && (!Number.isFinite(grace) || grace < 0)) throw badRequest('gracePeriodSeconds must be a non-negative integer');
      const gone = this.world.cluster.deleteObject(storeOf(def), def.namespaced ? namespace : undefined, name, grace);
      this.world.cluster.flushQuotas();
      this.send(res, 200, gone);
      return;
    }
    if (method === 'PATCH' && name !== undefined) {
      this.count('patch');
      const ct = String(req.headers['content-type'] ?? '');
      const body = await this.readBody(req);
      let patch: unknown = body;
      if (ct.startsWith('application/json-patch+json')) patch = jsonPatchToMerge(body);
      else if (!ct.startsWith('application/merge-patch+json') && !ct.startsWith('application/strategic-merge-patch+json')) {
        throw new ApiError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json`);
      }
      this.send(res, 200, this.world.cluster.patchMetadata(storeOf(def), def.namespaced ? namespace : undefined, name, patch));
      return;
    }
    this.count('method-not-allowed');
    throw new ApiError(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource`);
  }

  private discovery(path: string): Record<string, unknown> | undefined {
    switch (path) {
      case '/version':
        return version();
      case '/api':
        return coreVersions(`${this.opts.host}:${this.port}`);
      case '/api/v1':
        return coreResources();
      case '/apis':
        return groupList(this.opts.crds);
      case '/healthz':
      case '/readyz':
      case '/livez':
        return undefined;
      default: {
        const seg = path.split('/').filter(Boolean);
        if (seg[0] !== 'apis' || seg.length < 2 || seg.length > 3 || !seg[1]) return undefined;
        return seg.length === 2 ? groupDocument(this.opts.crds, seg[1]) : groupResources(this.opts.crds, seg[1], seg[2] ?? '');
      }
    }
  }

  private route(path: string): { def: ResourceDef; namespace: string | undefined; name: string | undefined; watch: boolean } | undefined {
    const seg = path.split('/').filter(Boolean).map(decodeURIComponent);
    let rest: string[];
    let defs: ResourceDef[];
    if (seg[0] === 'api' && seg[1] === 'v1') {
      rest = seg.slice(2);
      defs = CORE_RESOURCES;
    } else if (seg[0] === 'apis') {
      defs = SPARK_CRDS.filter((d) => d.group === seg[1] && d.version === seg[2] && this.opts.crds.has(storeOf(d)));
      if (defs.length === 0) return undefined;
      rest = seg.slice(3);
    } else return undefined;
    let watch = false;
    if (rest[0] === 'watch') {
      watch = true;
      rest = rest.slice(1);
    }
    const find = (r: string | undefined): ResourceDef | undefined => defs.find((d) => d.resource === r);
    if (rest[0] === 'namespaces' && rest.length >= 3) {
      const def = find(rest[2]);
      if (!def || !def.namespaced || rest.length > 5 || (rest.length === 5 && rest[4] !== 'status')) return undefined;
      return { def, namespace: rest[1], name: rest[3], watch };
    }
    const def = find(rest[0]);
    if (!def || rest.length > 3 || (rest.length === 3 && rest[2] !== 'status')) return undefined;
    if (def.namespaced && rest.length > 1) return undefined;
    return { def, namespace: undefined, name: rest[1], watch };
  }

  private matching(def: ResourceDef, namespace: string | undefined, labels: LabelRequirement[], fields: FieldRequirement[]): KObject[] {
    const out: KObject[] = [];
    for (const o of this.world.cluster.store.list(storeOf(def), def.namespaced ? namespace : undefined)) {
      if ((labels.length === 0 || matchesLabels(labels, o.metadata.labels)) && (fields.length === 0 || matchesFields(fields, o))) out.push(o);
    }
    out.sort((a, b) => {
      const ka = keyOf(a.metadata.namespace, a.metadata.name);
      const kb = keyOf(b.metadata.namespace, b.metadata.name);
      return ka < kb ? -1 : ka > kb ? 1 : 0;
    });
    return out;
  }

  private list(res: http.ServerResponse, a: { def: ResourceDef; namespace: string | undefined; labels: LabelRequirement[]; fields: FieldRequirement[]; table: boolean; include: IncludeObject; q: URLSearchParams }): void {
    const limitText = a.q.get('limit');
    const limit = limitText ? Number(limitText) : 0;
    if (!Number.isInteger(limit) || limit < 0) throw badRequest(`invalid limit: ${limitText ?? ''}`);
    const token = a.q.get('continue');
    let items: KObject[];
    let rv: number;
    let offset = 0;
    let snapId: string | undefined;
    const now = Date.now();
    for (const [id, s] of this.snapshots) if (s.expires < now) this.snapshots.delete(id);
    if (token) {
      const parsed = decodeContinue(token);
      const snap = parsed ? this.snapshots.get(parsed.id) : undefined;
      if (!parsed || !snap) throw new ApiError(410, 'Expired', 'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.');
      items = snap.items;
      rv = snap.rv;
      offset = parsed.offset;
      snapId = parsed.id;
    } else {
      items = this.matching(a.def, a.namespace, a.labels, a.fields);
      rv = this.world.cluster.store.currentRv();
    }
    const page = limit > 0 ? items.slice(offset, offset + limit) : items.slice(offset);
    const next = offset + page.length;
    const meta: Record<string, unknown> = { resourceVersion: String(rv) };
    if (limit > 0 && next < items.length) {
      if (!snapId) {
        snapId = randomBytes(8).toString('hex');
        this.snapshots.set(snapId, { items, rv, expires: now + SNAPSHOT_TTL_MS });
      }
      meta['continue'] = encodeContinue(snapId, next, rv);
      meta['remainingItemCount'] = items.length - next;
    } else if (snapId) {
      this.snapshots.delete(snapId);
    }
    if (a.table) {
      this.send(res, 200, tableOf(storeOf(a.def), page, this.world.now(), a.include, meta));
      return;
    }
    // Serialise item by item so a 500-pod page is one string join, not one giant object walk.
    const head = JSON.stringify({ kind: `${a.def.kind}List`, apiVersion: apiVersionOf(a.def), metadata: meta });
    const parts: string[] = [];
    for (const o of page) parts.push(this.serialised.get(o) ?? JSON.stringify(o));
    this.send(res, 200, `${head.slice(0, -1)},"items":[${parts.join(',')}]}`);
  }

  private watch(req: http.IncomingMessage, res: http.ServerResponse, a: { def: ResourceDef; namespace: string | undefined; labels: LabelRequirement[]; fields: FieldRequirement[]; table: boolean; include: IncludeObject; q: URLSearchParams }): void {
    const store = this.world.cluster.store;
    const rvText = a.q.get('resourceVersion') ?? '';
    res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
    res.flushHeaders();
    const w: Watcher = {
      res, def: a.def, namespace: a.def.namespaced ? a.namespace : undefined, labels: a.labels, fields: a.fields, table: a.table, include: a.include,
      bookmarks: a.q.get('allowWatchBookmarks') === 'true' || a.q.get('allowWatchBookmarks') === '1', timers: [],
      sentRv: 0, blocked: false,
      close: () => {
        if (!this.watchers.delete(w)) return;
        for (const t of w.timers) clearInterval(t);
        if (!res.writableEnded) res.end();
      },
    };
    const write = (type: string, object: KObject): void => {
      res.write(this.line(w, type, object) + '\n');
    };
    const rv = rvText === '' ? 0 : Number(rvText);
    if (rvText !== '' && rvText !== '0') {
      if (!Number.isInteger(rv) || rv < 0) {
        res.end(JSON.stringify({ type: 'ERROR', object: statusBody(400, 'BadRequest', `invalid resource version: ${rvText}`) }) + '\n');
        return;
      }
      if (rv < store.oldestResumableRv()) {
        res.end(this.expired(rv));
        return;
      }
      this.watchers.add(w);
      w.sentRv = rv;
      this.catchUp(w);
    } else {
      this.watchers.add(w);
      w.sentRv = store.currentRv();
      for (const o of this.matching(a.def, w.namespace, a.labels, a.fields)) write('ADDED', o);
    }
    if (w.bookmarks) {
      w.timers.push(setInterval(() => {
        // Not while events wait for it: a bookmark past them would tell the client to skip them.
        if (this.stalled || w.blocked) return;
        res.write(JSON.stringify({ type: 'BOOKMARK', object: { kind: a.def.kind, apiVersion: apiVersionOf(a.def), metadata: { resourceVersion: String(store.currentRv()) } } }) + '\n');
      }, this.opts.bookmarkIntervalMs));
    }
    const timeout = Number(a.q.get('timeoutSeconds') ?? '');
    if (Number.isFinite(timeout) && timeout > 0) w.timers.push(setTimeout(() => w.close(), timeout * 1000));
    req.on('close', () => w.close());
    res.on('error', () => w.close());
  }

  private accepts(w: Watcher, ev: StoreEvent): boolean {
    if (ev.resource !== storeOf(w.def)) return false;
    if (w.namespace !== undefined && ev.obj.metadata.namespace !== w.namespace) return false;
    if (w.labels.length && !matchesLabels(w.labels, ev.obj.metadata.labels)) return false;
    if (w.fields.length && !matchesFields(w.fields, ev.obj)) return false;
    return true;
  }

  private line(w: Watcher, type: string, obj: KObject): string {
    const object = w.table ? tableOf(storeOf(w.def), [obj], this.world.now(), w.include, { resourceVersion: obj.metadata.resourceVersion }) : obj;
    return JSON.stringify({ type, object });
  }

  private broadcast(ev: StoreEvent): void {
    if (this.stalled || this.watchers.size === 0) return;
    for (const w of this.watchers) {
      // A blocked watcher reads this event from the history when it drains; one that caught up
      // from the history has been sent it already.
      if (w.blocked || ev.rv <= w.sentRv) continue;
      w.sentRv = ev.rv;
      if (this.accepts(w, ev)) this.send1(w, ev);
    }
  }

  private send1(w: Watcher, ev: StoreEvent): void {
    w.res.write((w.table ? this.line(w, ev.type, ev.obj) : watchLine(ev)) + '\n');
    if (w.res.writableLength > (this.opts.watchBufferBytes ?? WATCH_BUFFER_BYTES) && !w.blocked) {
      w.blocked = true;
      w.res.once('drain', () => {
        w.blocked = false;
        this.catchUp(w);
      });
    }
  }

  /**
   * Writes the history after what `w` was sent until its socket is full again. Events compacted
   * away before it read them end the watch with 410, as the API server ends a watcher that fell
   * out of its cache's window.
   */
  private catchUp(w: Watcher): void {
    if (!this.watchers.has(w) || this.stalled) return;
    const store = this.world.cluster.store;
    const kept = store.eachSince(w.sentRv, (ev) => {
      w.sentRv = ev.rv;
      if (this.accepts(w, ev)) this.send1(w, ev);
      return !w.blocked;
    });
    if (!kept) {
      w.res.write(this.expired(w.sentRv));
      w.close();
    }
  }

  /** The watch line of a 410 for `rv`, counted: a watch from before the history or one that fell out of it. */
  private expired(rv: number): string {
    this.count('watch-expired');
    return JSON.stringify({ type: 'ERROR', object: statusBody(410, 'Expired', `too old resource version: ${rv} (${this.world.cluster.store.oldestResumableRv() + 1})`) }) + '\n';
  }

  /** Serialises every stored object of `resource` now; later lists send those bytes. */
  serialiseAhead(resource: string): number {
    let n = 0;
    for (const o of this.world.cluster.store.list(resource)) {
      if (!this.serialised.has(o)) this.serialised.set(o, JSON.stringify(o));
      n++;
    }
    return n;
  }

  openWatches(): number {
    return this.watchers.size;
  }

  /** The most bytes any open watch holds unsent (bounded by WATCH_BUFFER_BYTES plus one event). */
  watchBacklogBytes(): number {
    let max = 0;
    for (const w of this.watchers) max = Math.max(max, w.res.writableLength);
    return max;
  }
}

/**
 * An event's watch line, serialised once and kept with the event in the history: live watchers
 * and watches resuming from a resourceVersion get the same bytes. A real API server serves
 * watches from its cache of already serialised objects, so serialising per watcher would make
 * the simulator, not the consumer, the bottleneck of a replay.
 */
export function watchLine(ev: StoreEvent): string {
  return (ev.line ??= JSON.stringify({ type: ev.type, object: ev.obj }));
}

function qualified(def: ResourceDef): string {
  return def.group ? `${def.resource}.${def.group}` : def.resource;
}

function encodeContinue(id: string, offset: number, rv: number): string {
  return Buffer.from(JSON.stringify({ v: 'sim/1', id, offset, rv })).toString('base64url');
}

function decodeContinue(token: string): { id: string; offset: number } | undefined {
  try {
    const v: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (isRecord(v) && typeof v['id'] === 'string' && typeof v['offset'] === 'number') return { id: v['id'], offset: v['offset'] };
  } catch {
    // fall through: a malformed token is treated like an expired one
  }
  return undefined;
}

/** Supports the JSON-patch ops label tools send (add/replace/remove under /metadata/labels|annotations). */
function jsonPatchToMerge(body: unknown): unknown {
  if (!Array.isArray(body)) throw badRequest('a JSON patch must be an array of operations');
  const labels: Record<string, string | null> = {};
  const annotations: Record<string, string | null> = {};
  for (const op of body) {
    if (!isRecord(op) || typeof op['path'] !== 'string' || typeof op['op'] !== 'string') throw badRequest('invalid JSON patch operation');
    const m = /^\/metadata\/(labels|annotations)\/(.+)$/.exec(op['path']);
    if (!m || m[1] === undefined || m[2] === undefined) throw new ApiError(422, 'Invalid', `the simulator only patches metadata.labels and metadata.annotations, not ${op['path']}`);
    const key = m[2].replace(/~1/g, '/').replace(/~0/g, '~');
    const target = m[1] === 'labels' ? labels : annotations;
    if (op['op'] === 'remove') target[key] = null;
    else if ((op['op'] === 'add' || op['op'] === 'replace') && typeof op['value'] === 'string') target[key] = op['value'];
    else throw badRequest(`unsupported JSON patch operation ${op['op']}`);
  }
  return { metadata: { labels, annotations } };
}
