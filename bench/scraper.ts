/**
 * The bench's scraper: GET /metrics over one kept-alive connection per target, read into one
 * reused buffer, as Prometheus reads into pooled buffers. Node's HTTP client allocates a fresh
 * buffer for every read: 48 MiB of them per scrape at 150k pods made the bench process run a
 * major collection every second or so, whose threads took the core the scrapes were timed on
 * (docs/scale.md, "Issue 13, fourth pass"). Only what a scrape needs is parsed: the status, the
 * framing (Content-Length or chunked) and the end of the body.
 */
import net from 'node:net';

export interface Scrape {
  readonly status: number;
  /** From the request's first byte written to the body's last byte read. */
  readonly ms: number;
  readonly bytes: number;
  /** The body, when asked for (a copy: the read buffer is reused). */
  readonly body?: Buffer;
}

const READ_BUFFER_BYTES = 1 << 20;
const LF = 0x0a;

/** Where the response parser is: its head, a chunk-size line, chunk data, or a known length. */
type Phase = 'head' | 'size' | 'data' | 'data-end' | 'trailer' | 'length' | 'done';

class ResponseReader {
  phase: Phase = 'head';
  status = 0;
  bytes = 0;
  private line = '';
  private left = 0;
  private readonly parts: Buffer[] | undefined;
  private chunked = false;
  private readonly headLines: string[] = [];

  constructor(keep: boolean) {
    this.parts = keep ? [] : undefined;
  }

  body(): Buffer | undefined {
    return this.parts ? Buffer.concat(this.parts) : undefined;
  }

  /** Consumes `buf[0, n)`; throws on a response it cannot frame. */
  feed(buf: Buffer, n: number): void {
    let i = 0;
    while (i < n && this.phase !== 'done') {
      if (this.phase === 'data' || this.phase === 'length') {
        const take = Math.min(this.left, n - i);
        this.bytes += take;
        this.parts?.push(Buffer.from(buf.subarray(i, i + take)));
        this.left -= take;
        i += take;
        if (this.left === 0) this.phase = this.phase === 'data' ? 'data-end' : 'done';
        continue;
      }
      // The other phases read lines (the head, chunk sizes, the CRLF after data, trailers).
      const nl = buf.indexOf(LF, i);
      const end = nl < 0 || nl >= n ? n : nl;
      this.line += buf.toString('latin1', i, end);
      i = end;
      if (nl < 0 || nl >= n) break;
      i++;
      const line = this.line.endsWith('\r') ? this.line.slice(0, -1) : this.line;
      this.line = '';
      this.onLine(line);
    }
  }

  private onLine(line: string): void {
    switch (this.phase) {
      case 'head': {
        if (line !== '') {
          this.headLines.push(line);
          return;
        }
        const [statusLine, ...headers] = this.headLines;
        const m = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine ?? '');
        if (!m) throw new Error(`not an HTTP response: ${String(statusLine).slice(0, 80)}`);
        this.status = Number(m[1]);
        const get = (name: string): string | undefined => headers.find((h) => h.toLowerCase().startsWith(`${name}:`))?.slice(name.length + 1).trim();
        this.chunked = /chunked/i.test(get('transfer-encoding') ?? '');
        const length = get('content-length');
        if (this.chunked) this.phase = 'size';
        else if (length !== undefined) {
          this.left = Number(length);
          this.phase = this.left > 0 ? 'length' : 'done';
        } else throw new Error('a response with neither Content-Length nor chunked framing');
        return;
      }
      case 'size': {
        const size = parseInt(line.split(';')[0] ?? '', 16);
        if (!Number.isFinite(size)) throw new Error(`bad chunk size line: ${line.slice(0, 40)}`);
        if (size === 0) this.phase = 'trailer';
        else {
          this.left = size;
          this.phase = 'data';
        }
        return;
      }
      case 'data-end':
        if (line !== '') throw new Error('chunk data not followed by CRLF');
        this.phase = 'size';
        return;
      case 'trailer':
        if (line === '') this.phase = 'done';
        return;
      default:
        throw new Error(`unexpected line in phase ${this.phase}`);
    }
  }
}

/** One target's connection, kept alive between scrapes, reconnected when the server closed it. */
export class Scraper {
  private socket: net.Socket | undefined;
  private readonly buffer = Buffer.allocUnsafe(READ_BUFFER_BYTES);
  private reader: ResponseReader | undefined;
  private settle: ((e?: Error) => void) | undefined;
  private readonly host: string;
  private readonly port: number;
  private readonly path: string;

  constructor(
    url: string,
    private readonly timeoutMs = 30_000,
  ) {
    const u = new URL(url);
    this.host = u.hostname;
    this.port = Number(u.port || 80);
    this.path = `${u.pathname === '/' ? '' : u.pathname}/metrics`;
  }

  /** One scrape; rejects on anything but a whole 200 response. */
  async get(keep = false): Promise<Scrape> {
    const fresh = !this.socket;
    let r: Scrape;
    try {
      r = await this.once(keep);
    } catch (e) {
      // A kept-alive socket the server closed as it was reused: retried once on a new one, as Go's
      // client (Prometheus) retries an idempotent GET; the failed attempt's time is not counted.
      if (fresh) throw e;
      r = await this.once(keep);
    }
    if (r.status !== 200) throw new Error(`GET ${this.path} answered ${r.status}`);
    return r;
  }

  close(): void {
    this.socket?.destroy();
    this.socket = undefined;
  }

  private connect(): net.Socket {
    const socket = net.connect({
      host: this.host,
      port: this.port,
      onread: {
        buffer: this.buffer,
        callback: (n: number, buf: Uint8Array): boolean => {
          try {
            this.reader?.feed(buf as Buffer, n);
            if (this.reader?.phase === 'done') this.settle?.();
          } catch (e) {
            this.settle?.(e as Error);
          }
          return true;
        },
      },
    });
    socket.setNoDelay(true);
    const gone = (e?: Error): void => {
      if (this.socket === socket) this.socket = undefined;
      this.settle?.(e ?? new Error('connection closed before the body ended'));
    };
    socket.on('error', gone);
    socket.on('close', () => gone());
    return socket;
  }

  private once(keep: boolean): Promise<Scrape> {
    const socket = (this.socket ??= this.connect());
    const reader = new ResponseReader(keep);
    this.reader = reader;
    const t = performance.now();
    return new Promise<Scrape>((resolve, reject) => {
      const timer = setTimeout(() => this.settle?.(new Error(`GET ${this.path} timed out after ${this.timeoutMs} ms`)), this.timeoutMs);
      this.settle = (e?: Error): void => {
        this.settle = undefined;
        this.reader = undefined;
        clearTimeout(timer);
        if (e) {
          this.close();
          reject(e);
          return;
        }
        const ms = performance.now() - t;
        const body = reader.body();
        resolve(body ? { status: reader.status, ms, bytes: reader.bytes, body } : { status: reader.status, ms, bytes: reader.bytes });
      };
      socket.write(`GET ${this.path} HTTP/1.1\r\nHost: ${this.host}:${this.port}\r\nAccept: text/plain\r\nConnection: keep-alive\r\n\r\n`);
    });
  }
}
