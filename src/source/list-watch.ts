/**
 * One resource's list-then-watch loop, the reflector pattern: a paginated list, then a watch from
 * the list's resourceVersion with bookmarks; on 410 Expired a fresh list; on errors a jittered
 * exponential backoff; on silence (no event, no bookmark) longer than the idle timeout the watch is
 * declared stalled and restarted, since a half-open connection otherwise never ends.
 *
 * This file is the state machine only. Decoding the stream is watch-decoder.ts (every line is
 * untrusted and becomes an event or a counted rejection), retry delays backoff.ts, time clock.ts
 * and HTTP transport.ts: each is injected or pure, so the loop runs under a fake clock in tests.
 */
import type { Logger } from 'pino';
import type { Resource, SelfStats } from './self-stats.js';
import { HttpStatusError, statusError, readBody } from './kube-http.js';
import type { ListWatchTransport } from './transport.js';
import { realClock, type Clock, type Timer } from './clock.js';
import { Backoff } from './backoff.js';
import { countedType, decodeLine, LineFramer, type ObjectEventType, type WatchEventType } from './watch-decoder.js';
import { continueFromHead, decodeListPage, type ListHead, type ListPage } from './list-page.js';

/** One list page asked for: its answer, and what its first bytes said about the next page. */
class PageFetch {
  head: ListHead | undefined;
  /** Called once the head is known, if set by then. */
  onHead: (() => void) | undefined;
  readonly body: Promise<unknown>;

  constructor(
    /** The continue token it was asked with (none: the list's first page). */
    readonly cont: string | undefined,
    get: (onHead: (head: string) => void) => Promise<unknown>,
  ) {
    this.body = get((text) => {
      this.head = continueFromHead(text);
      this.onHead?.();
    });
    // Awaited later, maybe after other awaits, or never (a list that failed meanwhile): until
    // then a rejection is not unhandled.
    this.body.catch(() => undefined);
  }
}

export type ListMode = 'initial' | 'relist' | 'audit';

export interface ListWatchHandlers {
  /**
   * Reduces one listed object to what onList needs (undefined drops it), page by page as the list
   * arrives: a relist of a large cluster then never holds every raw object at once, only the
   * compact views and one page of raw JSON. Without it onList gets the raw objects.
   */
  prepare?(raw: unknown): unknown;
  /** A complete list; `mode` says whether it is this loop's first, a recovery, or an audit. */
  onList(items: unknown[], mode: ListMode): void;
  onEvent(type: ObjectEventType, object: unknown): void;
  /** The resource is absent (404, e.g. a CRD not installed) or forbidden (403): said once per episode. */
  onUnavailable?(status: number, message: string): void;
}

export interface ListWatchOptions {
  readonly resource: Resource;
  /** Collection path, e.g. `/api/v1/pods` or `/api/v1/namespaces/x/pods`. */
  readonly path: string;
  readonly labelSelector?: string | undefined;
  readonly pageSize: number;
  readonly idleTimeoutMs: number;
  readonly watchTimeoutSeconds: number;
  readonly backoffInitialMs: number;
  readonly backoffMaxMs: number;
}

/** What the loop takes from its surroundings; real ones by default, fakes in tests. */
export interface ListWatchEnv {
  readonly clock?: Clock;
  /** Uniform in [0, 1), for backoff jitter and the spread of watch timeouts. */
  readonly random?: () => number;
}

/**
 * How the loop talks to the API server, as client-go's reflector does; not user settings (page
 * size and idle timeout are flags, with their defaults in the flag table).
 */
export const LIST_WATCH_PROTOCOL = {
  watchTimeoutSeconds: 300,
  backoffInitialMs: 500,
  backoffMaxMs: 30_000,
} as const;

interface BufferedEvent {
  readonly type: WatchEventType;
  readonly object: unknown;
  readonly rv: string | undefined;
}

interface AuditInFlight {
  /** Watch events received since the audit's list was requested, in order, not yet applied. */
  readonly buffer: BufferedEvent[];
  readonly ctl: AbortController;
  /** The list, once it has arrived, with its resourceVersion as a number. */
  listed?: { items: unknown[]; at: number };
  timer?: Timer;
}

// Most events an audit may hold back; beyond it the audit is abandoned (the list is stuck).
const MAX_AUDIT_BUFFER = 100_000;
// How long an audit waits for the watch to reach the list's resourceVersion (a bookmark at the
// latest: API servers send one about every minute) before giving up for this round.
export const AUDIT_CATCH_UP_MS = 150_000;
/** How often an absent (404) or forbidden resource is asked for again. */
export const UNAVAILABLE_RETRY_MS = 60_000;
/** After the first of a kind, a rejected line is logged once per this many. */
const REJECT_LOG_EVERY = 1000;

/** A resourceVersion as a number when it is one (etcd revisions are); undefined when opaque. */
function revision(rv: string | undefined): number | undefined {
  return rv !== undefined && /^\d{1,15}$/.test(rv) ? Number(rv) : undefined;
}

class WatchEnd extends Error {
  constructor(readonly reason: 'expired' | 'closed' | 'stalled' | 'stopped' | 'audit' | 'error', message: string) {
    super(message);
  }
}

export class ListWatch {
  private running = false;
  private listedOnce = false;
  private resourceVersion: string | undefined;
  private abort: AbortController | undefined;
  private auditRequested = false;
  private wake: (() => void) | undefined;
  private loopDone: Promise<void> | undefined;
  /** A watch is open and streaming: an audit can list beside it instead of ending it. */
  private watchLive = false;
  /** An audit beside the live watch, holding back its events until the comparison. */
  private audit: AuditInFlight | undefined;
  private auditPending = false;
  unavailable = false;
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly rejectsSeen = new Map<string, number>();
  private settle: () => void = () => undefined;
  /** Resolves after the first list attempt, whether it landed or failed. */
  readonly settled = new Promise<void>((resolve) => (this.settle = resolve));

  get resource(): Resource {
    return this.opts.resource;
  }

  constructor(
    private readonly http: ListWatchTransport,
    private readonly opts: ListWatchOptions,
    private readonly handlers: ListWatchHandlers,
    private readonly self: SelfStats,
    private readonly log: Logger,
    env: ListWatchEnv = {},
  ) {
    this.clock = env.clock ?? realClock;
    this.random = env.random ?? Math.random;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loopDone = this.loop();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.abandonAudit();
    this.abort?.abort();
    this.wake?.();
    await this.loopDone;
  }

  /**
   * A drift audit: a full list compared with the model. With a live watch the list is taken
   * beside it and the watch's events are held back until the watch has reached the list's
   * resourceVersion; then the events the list already reflects are applied, the list is compared
   * (so model and list describe the same moment and every difference is a lost event, not churn),
   * and the rest follow. Nothing is applied twice, so nothing is counted twice. Without a live
   * watch, or with resourceVersions that are not numbers, the watch is ended and a relist compared.
   */
  requestAudit(): void {
    if (!this.listedOnce || this.audit || this.auditRequested) return;
    if (this.watchLive) void this.auditBesideWatch();
    // Between watches (reconnecting, backing off): wait for the next one rather than relisting,
    // since a relist cannot tell what the events it skipped would have said (an OOMKill).
    else this.auditPending = true;
  }

  private async auditBesideWatch(): Promise<void> {
    const audit: AuditInFlight = { buffer: [], ctl: new AbortController() };
    this.audit = audit;
    let listed: { items: unknown[]; resourceVersion: string };
    try {
      listed = await this.listAll(audit.ctl);
    } catch (e) {
      if (this.audit !== audit) return; // abandoned meanwhile
      this.abandonAudit();
      if (this.running) {
        this.self.list(this.opts.resource, 'error');
        this.log.info({ resource: this.opts.resource, err: (e as Error).message }, 'audit list failed; the next audit tries again');
      }
      return;
    }
    if (this.audit !== audit) return;
    this.self.list(this.opts.resource, 'success');
    const at = revision(listed.resourceVersion);
    if (at === undefined) {
      // Opaque resourceVersions cannot be ordered: fall back to ending the watch and relisting.
      this.abandonAudit();
      this.auditRequested = true;
      this.abort?.abort();
      return;
    }
    audit.listed = { items: listed.items, at };
    audit.timer = this.clock.setTimeout(
      () => {
        if (this.audit !== audit) return;
        this.log.info({ resource: this.opts.resource }, 'watch did not reach the audit list\'s resourceVersion in time; skipping this audit');
        this.abandonAudit();
      },
      AUDIT_CATCH_UP_MS,
      { background: true },
    );
    this.completeAuditIfCaughtUp();
  }

  /** Compares once the watch has delivered everything up to the list's resourceVersion. */
  private completeAuditIfCaughtUp(): void {
    const audit = this.audit;
    if (!audit?.listed) return;
    const { at, items } = audit.listed;
    const last = audit.buffer.length > 0 ? revision(audit.buffer[audit.buffer.length - 1]?.rv) : revision(this.resourceVersion);
    if (last === undefined || last < at) return;
    this.audit = undefined;
    audit.timer?.cancel();
    const buffer = audit.buffer;
    let split = 0;
    while (split < buffer.length && (revision(buffer[split]?.rv) ?? Infinity) <= at) split++;
    for (let i = 0; i < split; i++) this.applyEvent(buffer[i]!);
    this.handlers.onList(items, 'audit');
    for (let i = split; i < buffer.length; i++) this.applyEvent(buffer[i]!);
  }

  /** Gives up an audit in flight, applying the events it held back, in order. */
  private abandonAudit(): void {
    const audit = this.audit;
    if (!audit) return;
    this.audit = undefined;
    audit.timer?.cancel();
    audit.ctl.abort();
    for (const ev of audit.buffer) this.applyEvent(ev);
  }

  private applyEvent(ev: BufferedEvent): void {
    if (ev.type !== 'BOOKMARK') this.handlers.onEvent(ev.type, ev.object);
    if (ev.rv) this.resourceVersion = ev.rv;
  }

  /**
   * One full list handed to the store. Its own frame, not a block of `loop`: a suspended async
   * function keeps its registers, so the listed items (at 150k pods ~400 B each) stayed reachable
   * from the loop for as long as the watch after them ran.
   */
  private async listStep(backoff: Backoff): Promise<void> {
    const mode: ListMode = !this.listedOnce ? 'initial' : this.auditRequested ? 'audit' : 'relist';
    this.auditRequested = false;
    let listed: { items: unknown[]; resourceVersion: string };
    try {
      listed = await this.listAll();
    } catch (e) {
      // Every failed list counts, refused connections included, not only HTTP errors.
      if (this.running && !this.auditRequested) this.self.list(this.opts.resource, 'error');
      throw e;
    }
    const { items, resourceVersion } = listed;
    this.self.list(this.opts.resource, 'success');
    // The API server answers again: the next failure starts from a short delay.
    backoff.reset();
    this.handlers.onList(items, mode);
    this.settle();
    this.listedOnce = true;
    this.resourceVersion = resourceVersion;
    if (this.unavailable) this.log.info({ resource: this.opts.resource }, 'resource available again');
    this.unavailable = false;
  }

  private async loop(): Promise<void> {
    const backoff = new Backoff({ initialMs: this.opts.backoffInitialMs, maxMs: this.opts.backoffMaxMs }, this.random);
    while (this.running) {
      try {
        if (this.resourceVersion === undefined || this.auditRequested) await this.listStep(backoff);
        // A stop() that came as the list step returned found no watch of this round to abort.
        if (!this.running) break;
        this.self.synced.set(this.opts.resource, true);
        await this.watch();
      } catch (e) {
        this.settle();
        if (!this.running) break;
        const end = e instanceof WatchEnd ? e : undefined;
        const status = e instanceof HttpStatusError ? e : undefined;
        if (end?.reason === 'audit' || this.auditRequested) {
          this.self.watchRestart(this.opts.resource, 'audit');
          continue;
        }
        if (end?.reason === 'expired') {
          // Our resourceVersion fell out of the API server's history: only a relist recovers.
          this.self.watchRestart(this.opts.resource, 'expired');
          this.log.info({ resource: this.opts.resource }, 'watch expired (410), relisting');
          this.resourceVersion = undefined;
          continue;
        }
        if (end?.reason === 'closed') {
          // Servers end watches routinely (timeoutSeconds, apiserver rollouts): resume at once.
          this.self.watchRestart(this.opts.resource, 'closed');
          backoff.reset();
          continue;
        }
        if (status && (status.status === 404 || status.status === 403 || status.status === 401)) {
          if (!this.unavailable) this.handlers.onUnavailable?.(status.status, status.message);
          this.unavailable = true;
        }
        const reason = end?.reason ?? (status ? `http_${status.status}` : 'error');
        this.self.watchRestart(this.opts.resource, reason);
        const delay = backoff.next();
        const retryAfterMs = status?.retryAfterSeconds !== undefined ? status.retryAfterSeconds * 1000 : 0;
        // Retry-After is a floor the jitter must not undercut; an absent CRD is checked rarely.
        const waitMs = Math.max(retryAfterMs, delay, this.unavailable ? UNAVAILABLE_RETRY_MS : 0);
        if (!(status && this.unavailable)) {
          const level = backoff.failures > 3 ? 'warn' : 'info';
          this.log[level]({ resource: this.opts.resource, reason, err: (e as Error).message, retryInMs: Math.round(waitMs) }, 'list/watch failed, retrying');
        }
        await this.sleep(waitMs);
      }
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = this.clock.setTimeout(resolve, ms);
      this.wake = () => {
        t.cancel();
        resolve();
      };
    });
  }

  private query(extra: Record<string, string>): string {
    const q = new URLSearchParams();
    if (this.opts.labelSelector) q.set('labelSelector', this.opts.labelSelector);
    for (const [k, v] of Object.entries(extra)) q.set(k, v);
    return `${this.opts.path}?${q.toString()}`;
  }

  /**
   * Pages through the collection; an expired continue token restarts the list from the top.
   * The next page is asked for as soon as the current one's continue token is known: from its
   * first bytes when they carry it (an API server writes `metadata` before `items`), else once it
   * is parsed. The server then makes and sends page n+1 while page n is read, decoded and taken
   * apart, instead of each side waiting on the other (docs/scale.md, "Issue 13, seventh pass").
   * At most one page is asked for ahead.
   */
  private async listAll(controller?: AbortController): Promise<{ items: unknown[]; resourceVersion: string }> {
    const signal = (controller ?? (this.abort = new AbortController())).signal;
    let items: unknown[] = [];
    let rv = '';
    let current: PageFetch | undefined = this.fetchPage(undefined, signal);
    while (current) {
      const k: PageFetch = current;
      let ahead: PageFetch | undefined;
      const fromHead = (): void => {
        if (!ahead && k.head?.known && k.head.continueToken && this.running) ahead = this.fetchPage(k.head.continueToken, signal);
      };
      if (k.head) fromHead();
      else k.onHead = fromHead;
      let page: ListPage & { ok: true };
      try {
        page = this.checkPage(await k.body);
      } catch (e) {
        if (e instanceof HttpStatusError && e.status === 410 && k.cont) {
          items = [];
          current = this.fetchPage(undefined, signal);
          continue;
        }
        throw e;
      } finally {
        k.onHead = undefined;
      }
      rv = page.resourceVersion ?? rv;
      const cont = page.continueToken;
      // The parsed page is the authority: a token read from the head that differs is not used.
      if (ahead && ahead.cont !== cont) ahead = undefined;
      if (!ahead && cont) {
        ahead = this.fetchPage(cont, signal);
        // One turn of the loop, so that request is written before the items below hold the thread.
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      this.takeItems(page.items, items);
      if (ahead && !this.running) throw new WatchEnd('stopped', 'stopped');
      current = ahead;
    }
    return { items, resourceVersion: rv };
  }

  private fetchPage(cont: string | undefined, signal: AbortSignal): PageFetch {
    const q: Record<string, string> = { limit: String(this.opts.pageSize) };
    if (cont) q['continue'] = cont;
    return new PageFetch(cont, (onHead) => this.http.getJson(this.query(q), signal, onHead));
  }

  private checkPage(body: unknown): ListPage & { ok: true } {
    const page = decodeListPage(body);
    if (!page.ok) {
      this.rejected('not_a_list', page.detail);
      // A failed list, retried with backoff: taken as empty it would wipe what the model holds.
      throw new Error(`list response is not a list: ${page.detail}`);
    }
    return page;
  }

  /** Adds one page's items (prepared) to `items`. */
  private takeItems(pageItems: readonly unknown[], items: unknown[]): void {
    const prepare = this.handlers.prepare;
    for (const it of pageItems) {
      const v = prepare ? prepare(it) : it;
      if (v !== undefined) items.push(v);
    }
  }

  private async watch(): Promise<void> {
    this.abort = new AbortController();
    const abort = this.abort;
    const path = this.query({
      watch: '1',
      resourceVersion: this.resourceVersion ?? '',
      allowWatchBookmarks: 'true',
      // Spread the reconnects of many exporters, as client-go does.
      timeoutSeconds: String(Math.round(this.opts.watchTimeoutSeconds * (1 + this.random()))),
    });
    let res;
    try {
      res = await this.http.open(path, abort.signal);
    } catch (e) {
      if (this.auditRequested) throw new WatchEnd('audit', 'audit');
      throw e;
    }
    const status = res.statusCode ?? 0;
    if (status === 410) {
      res.resume();
      throw new WatchEnd('expired', 'watch: 410 Gone');
    }
    if (status < 200 || status >= 300) throw statusError(status, await readBody(res), res.headers['retry-after']);
    const stream = res;

    await new Promise<void>((resolve, reject) => {
      const framer = new LineFramer();
      const idleMs = this.opts.idleTimeoutMs;
      let ended = false;
      let lastData = this.clock.now();
      let idle: Timer | undefined;
      this.watchLive = true;
      if (this.auditPending) {
        this.auditPending = false;
        void this.auditBesideWatch();
      }
      const finish = (err?: Error): void => {
        if (ended) return;
        ended = true;
        this.watchLive = false;
        // The resumed watch starts from the last applied resourceVersion: apply what an audit held.
        this.abandonAudit();
        idle?.cancel();
        stream.removeAllListeners('data');
        stream.destroy();
        if (err) reject(err);
        else resolve();
      };
      // One timer per idle period, not per chunk: it re-arms for whatever silence remains.
      const checkIdle = (): void => {
        const silent = this.clock.now() - lastData;
        if (silent < idleMs) {
          idle = this.clock.setTimeout(checkIdle, idleMs - silent);
          return;
        }
        this.log.warn({ resource: this.opts.resource, idleMs }, 'watch silent past the idle timeout: restarting it');
        finish(new WatchEnd('stalled', 'watch stalled'));
      };
      idle = this.clock.setTimeout(checkIdle, idleMs);
      stream.setEncoding('utf8');
      stream.on('data', (chunk) => {
        lastData = this.clock.now();
        try {
          for (const line of framer.push(typeof chunk === 'string' ? chunk : chunk.toString('utf8'))) {
            const err = this.handleLine(line);
            if (err) return finish(err);
            if (ended) return;
          }
        } catch (e) {
          // A throw here would escape the stream's listener and end the process: end the watch instead.
          this.log.error({ resource: this.opts.resource, err: (e as Error).stack }, 'handling a watch event failed; restarting the watch');
          finish(e instanceof Error ? e : new Error(String(e)));
        }
      });
      stream.on('end', () => finish(new WatchEnd('closed', 'watch closed by server')));
      stream.on('error', (e) => finish(this.auditRequested ? new WatchEnd('audit', 'audit') : e));
      stream.on('close', () => finish(this.auditRequested ? new WatchEnd('audit', 'audit') : new WatchEnd('closed', 'connection closed')));
      abort.signal.addEventListener('abort', () => finish(new WatchEnd(this.auditRequested ? 'audit' : 'stopped', 'aborted')));
    });
  }

  /** Handles one watch line; returns an error that ends the watch, if any. */
  private handleLine(line: string): Error | undefined {
    const d = decodeLine(line);
    const counted = countedType(d);
    if (counted) this.self.watchEvent(this.opts.resource, counted, this.clock.now());
    switch (d.kind) {
      case 'reject':
        this.rejected(d.reason, d.detail);
        return undefined;
      case 'error':
        if (d.expired) return new WatchEnd('expired', 'watch: 410 Expired');
        return new WatchEnd('error', `watch error event: ${d.detail}`);
      case 'event': {
        const ev: BufferedEvent = { type: d.type, object: d.object, rv: d.rv };
        if (this.audit) {
          this.audit.buffer.push(ev);
          if (this.audit.buffer.length > MAX_AUDIT_BUFFER) {
            this.log.warn({ resource: this.opts.resource }, 'audit list too slow: abandoning this audit');
            this.abandonAudit();
          } else {
            this.completeAuditIfCaughtUp();
          }
        } else {
          this.applyEvent(ev);
        }
        return undefined;
      }
    }
  }

  /** Counts an unusable line or list; logs the first of each kind, then rarely, so a flood cannot flood the log. */
  private rejected(reason: string, detail: string): void {
    this.self.reject(this.opts.resource, reason);
    const n = (this.rejectsSeen.get(reason) ?? 0) + 1;
    this.rejectsSeen.set(reason, n);
    if (n !== 1 && n % REJECT_LOG_EVERY !== 0) return;
    const msg = reason === 'bad_json' ? 'skipping a watch line that is not JSON' : reason === 'not_a_list' ? 'a list response is not a list; retrying the list' : 'skipping a watch line that is not a usable event';
    this.log.warn({ resource: this.opts.resource, reason, detail, seen: n }, msg);
  }
}
