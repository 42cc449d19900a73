/**
 * An in-memory ListWatchTransport: each list page and watch request is answered by a function the
 * test sets, and each opened watch is a stream the test writes lines into, synchronously.
 */
import { EventEmitter } from 'node:events';
import { HEAD_BYTES, HttpStatusError, statusError } from '../../src/source/kube-http.js';
import type { ListWatchTransport, StreamingResponse } from '../../src/source/transport.js';

/** A scripted answer: a status with a JSON body (or raw text), or a transport error. */
export type Reply = { status: number; json?: unknown; text?: string; headers?: Record<string, string> } | { error: Error };

export class FakeStream extends EventEmitter implements StreamingResponse {
  readonly headers: Record<string, string>;
  destroyed = false;
  private queued: string[] = [];
  private endQueued = false;

  constructor(
    readonly statusCode: number,
    headers: Record<string, string> = {},
  ) {
    super();
    this.headers = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  }

  setEncoding(): this {
    return this;
  }

  /** Writes text to the reader at once, or, before anyone reads, once reading starts. */
  write(text: string): void {
    if (this.destroyed) return;
    if (this.listenerCount('data') === 0) this.queued.push(text);
    else this.emit('data', text);
  }

  line(value: unknown): void {
    this.write(`${typeof value === 'string' ? value : JSON.stringify(value)}\n`);
  }

  /** The server ends the response. */
  end(): void {
    if (this.destroyed) return;
    if (this.listenerCount('data') === 0) {
      this.endQueued = true;
      return;
    }
    this.emit('end');
    this.destroy();
  }

  override on(event: string | symbol, listener: (...args: never[]) => void): this {
    super.on(event, listener as (...args: unknown[]) => void);
    // The reader attaches its listeners in one go: deliver what waited once they are all there.
    if (event === 'data' && (this.queued.length > 0 || this.endQueued)) {
      queueMicrotask(() => {
        const q = this.queued;
        this.queued = [];
        for (const t of q) this.emit('data', t);
        if (this.endQueued) this.end();
      });
    }
    return this;
  }

  resume(): this {
    return this;
  }

  destroy(): this {
    if (!this.destroyed) {
      this.destroyed = true;
      this.emit('close');
    }
    return this;
  }
}

export interface Request {
  readonly path: string;
  readonly query: URLSearchParams;
  readonly watch: boolean;
}

export class FakeTransport implements ListWatchTransport {
  readonly requests: Request[] = [];
  /** Every watch stream opened, in order. */
  readonly watches: FakeStream[] = [];
  /** Answers a list page. */
  list: (q: URLSearchParams) => Reply | Promise<Reply> = () => ({ status: 200, json: { metadata: { resourceVersion: '1' }, items: [] } });
  /** Answers a watch: 'stream' opens a live stream (pushed on `watches`). */
  watch: (q: URLSearchParams) => Reply | 'stream' = () => 'stream';

  private record(path: string): Request {
    const url = new URL(path, 'http://fake');
    const r = { path: url.pathname, query: url.searchParams, watch: url.searchParams.get('watch') === '1' };
    this.requests.push(r);
    return r;
  }

  lists(): Request[] {
    return this.requests.filter((r) => !r.watch);
  }

  watchRequests(): Request[] {
    return this.requests.filter((r) => r.watch);
  }

  /** The most recently opened watch stream. */
  get live(): FakeStream {
    const s = this.watches[this.watches.length - 1];
    if (!s) throw new Error('no watch opened yet');
    return s;
  }

  async getJson(path: string, signal: AbortSignal, onHead?: (head: string) => void): Promise<unknown> {
    const r = await this.list(this.record(path).query);
    if (signal.aborted) throw new Error('aborted');
    if ('error' in r) throw r.error;
    const text = r.text ?? JSON.stringify(r.json ?? null);
    if (r.status < 200 || r.status >= 300) throw statusError(r.status, text, r.headers?.['Retry-After']);
    // As KubeHttp does: the start of the body first, then the whole of it.
    onHead?.(text.slice(0, HEAD_BYTES));
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new HttpStatusError(r.status, 'BadJSON', `${path}: response is not JSON`, undefined);
    }
  }

  async open(path: string, signal: AbortSignal): Promise<StreamingResponse> {
    const r = this.watch(this.record(path).query);
    if (r === 'stream') {
      const s = new FakeStream(200);
      signal.addEventListener('abort', () => s.destroy());
      this.watches.push(s);
      return s;
    }
    if ('error' in r) throw r.error;
    const s = new FakeStream(r.status, r.headers);
    s.write(r.text ?? JSON.stringify(r.json ?? {}));
    s.end();
    return s;
  }
}
