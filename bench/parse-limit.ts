/**
 * The parse limit: read the same list pages and watch events the exporter reads, over the same
 * loopback HTTP, and JSON.parse them with nothing else done. No JavaScript exporter can beat it.
 */
import http from 'node:http';
import { gcMemory, serveIpc } from './ipc.js';
import { HEAD_BYTES } from '../src/source/kube-http.js';
import { continueFromHead } from '../src/source/list-page.js';

const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });

function get(url: string, signal?: AbortSignal): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent, headers: { Accept: 'application/json' }, signal }, resolve);
    req.on('error', reject);
  });
}

/** One page asked for, and the continue token its head carried, once it has arrived. */
class PageFetch {
  headSeen = false;
  token: string | undefined;
  onHead: (() => void) | undefined;
  readonly body: Promise<string>;

  constructor(readonly cont: string, url: string) {
    this.body = get(url).then((res) =>
      readAll(res, (head) => {
        const h = continueFromHead(head);
        this.token = h.known ? h.continueToken : undefined;
        this.headSeen = true;
        this.onHead?.();
      }),
    );
    this.body.catch(() => undefined);
  }
}

function readAll(res: http.IncomingMessage, onHead?: (head: string) => void): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    res.on('data', (c: Buffer) => {
      chunks.push(c);
      size += c.length;
      if (onHead && size >= HEAD_BYTES) {
        onHead(Buffer.concat(chunks).toString('utf8', 0, HEAD_BYTES));
        onHead = undefined;
      }
    });
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.on('error', reject);
  });
}

let events = 0;
let watching: AbortController | undefined;
let rv = '';

/** Counts and parses watch lines, resuming from the last resourceVersion whenever the server ends the watch. */
async function watchLoop(server: string, selector: string, signal: AbortSignal): Promise<void> {
  while (!signal.aborted) {
    try {
      const res = await get(`${server}/api/v1/pods?watch=1&allowWatchBookmarks=true&labelSelector=${encodeURIComponent(selector)}&resourceVersion=${rv}`, signal);
      res.setEncoding('utf8');
      let buf = '';
      await new Promise<void>((resolve) => {
        res.on('data', (chunk: string) => {
          buf += chunk;
          let nl: number;
          while ((nl = buf.indexOf('\n')) >= 0) {
            const line = buf.slice(0, nl);
            buf = buf.slice(nl + 1);
            if (!line) continue;
            const ev = JSON.parse(line) as { type?: string; object?: { metadata?: { resourceVersion?: string } } };
            if (ev.object?.metadata?.resourceVersion) rv = ev.object.metadata.resourceVersion;
            if (ev.type !== 'BOOKMARK') events++;
          }
        });
        res.on('end', resolve);
        res.on('close', resolve);
        res.on('error', () => resolve());
      });
    } catch {
      if (!signal.aborted) await new Promise((r) => setTimeout(r, 100));
    }
  }
}

serveIpc({
  /**
   * Reads ahead as the exporter does (src/source/list-watch.ts): page n+1 is asked for as soon as
   * page n's first bytes carry its continue token, so the floor does not wait on the server where
   * the exporter does not.
   */
  async list(a: { server: string; selector: string; pageSize: number }) {
    const t0 = performance.now();
    const url = (cont: string) => `${a.server}/api/v1/pods?labelSelector=${encodeURIComponent(a.selector)}&limit=${a.pageSize}${cont ? `&continue=${encodeURIComponent(cont)}` : ''}`;
    let items = 0;
    let bytes = 0;
    let pages = 0;
    let current: PageFetch | undefined = new PageFetch('', url(''));
    while (current) {
      const k: PageFetch = current;
      // One page ahead at most, as the exporter: page n+2 is asked for once n+1 is the one read.
      let ahead: PageFetch | undefined;
      const fromHead = (): void => {
        if (!ahead && k.token) ahead = new PageFetch(k.token, url(k.token));
      };
      if (k.headSeen) fromHead();
      else k.onHead = fromHead;
      const body = await k.body;
      k.onHead = undefined;
      bytes += body.length;
      pages++;
      const list = JSON.parse(body) as { items?: unknown[]; metadata?: { continue?: string; resourceVersion?: string } };
      items += list.items?.length ?? 0;
      rv = list.metadata?.resourceVersion ?? rv;
      const cont = list.metadata?.continue ?? '';
      if (ahead && ahead.cont !== cont) ahead = undefined;
      if (!ahead && cont) ahead = new PageFetch(cont, url(cont));
      current = ahead;
    }
    return { ms: performance.now() - t0, items, bytes, pages, rv };
  },

  watch(a: { server: string; selector: string }) {
    watching?.abort();
    watching = new AbortController();
    void watchLoop(a.server, a.selector, watching.signal);
    return {};
  },

  events() {
    return { events };
  },

  memory() {
    return gcMemory();
  },

  stop() {
    watching?.abort();
    agent.destroy();
    return {};
  },
});
