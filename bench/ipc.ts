/**
 * Request/response over Node's IPC channel between the bench and its child processes (simulator,
 * exporter, parse limit, obvious build): each runs in its own process so memory and CPU are its own.
 */
import { fork, type ChildProcess } from 'node:child_process';

interface Request {
  readonly id: number;
  readonly op: string;
  readonly args: unknown;
}

type Reply = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: string };

export type Handlers = Record<string, (args: never) => unknown>;

/** Child side: answers the parent's requests with the named handlers, one reply per request. */
export function serveIpc(handlers: Handlers): void {
  if (!process.send) throw new Error('this file is a bench child process: run it through bench/run');
  process.on('message', (m: unknown) => {
    const req = m as Request;
    if (typeof req !== 'object' || req === null || typeof req.op !== 'string') return;
    const h = handlers[req.op] as ((a: unknown) => unknown) | undefined;
    const reply = (r: Reply): void => {
      process.send?.(r);
    };
    if (!h) return reply({ id: req.id, ok: false, error: `unknown op ${req.op}` });
    Promise.resolve()
      .then(() => h(req.args))
      .then(
        (result) => reply({ id: req.id, ok: true, result: result ?? null }),
        (e: unknown) => reply({ id: req.id, ok: false, error: e instanceof Error ? (e.stack ?? e.message) : String(e) }),
      );
  });
  // The parent going away must not leave a simulator or exporter behind.
  process.on('disconnect', () => process.exit(0));
  // An orderly exit on SIGTERM, so --cpu-prof and friends get to write their files.
  process.on('SIGTERM', () => process.exit(0));
}

/** Forces two full GCs (the second collects what the first's finalisers freed) and reads memory. */
export function gcMemory(): NodeJS.MemoryUsage {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with --expose-gc');
  gc();
  gc();
  return process.memoryUsage();
}

export class ChildHandle {
  private next = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  private readonly stderrTail: string[] = [];
  readonly exited: Promise<number | null>;
  private exitCode: number | null | undefined;

  private constructor(
    readonly name: string,
    readonly child: ChildProcess,
  ) {
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (d: string) => {
      this.stderrTail.push(d);
      if (this.stderrTail.length > 40) this.stderrTail.shift();
      if (process.env['BENCH_VERBOSE']) process.stderr.write(`[${name}] ${d}`);
    });
    // A send to a child killed by the budget's hard stop must fail that call, not the whole run.
    child.on('error', () => undefined);
    child.on('message', (m: unknown) => {
      const r = m as Reply;
      const p = this.pending.get(r.id);
      if (!p) return;
      this.pending.delete(r.id);
      clearTimeout(p.timer);
      if (r.ok) p.resolve(r.result);
      else p.reject(new Error(`${name}: ${r.error}`));
    });
    this.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        this.exitCode = code;
        const why = new Error(`${name} exited (${code ?? signal})${this.stderr() ? `: ${this.stderr()}` : ''}`);
        for (const p of this.pending.values()) {
          clearTimeout(p.timer);
          p.reject(why);
        }
        this.pending.clear();
        resolve(code);
      }),
    );
  }

  static start(name: string, file: string, execArgv: string[], env: NodeJS.ProcessEnv = {}): ChildHandle {
    const child = fork(file, [], { execArgv, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    return new ChildHandle(name, child);
  }

  stderr(): string {
    return this.stderrTail.join('').slice(-2000).trim();
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  call<T>(op: string, args: unknown = {}, timeoutMs = 60_000): Promise<T> {
    if (this.exitCode !== undefined || !this.child.connected) return Promise.reject(new Error(`${this.name} has exited: ${this.stderr()}`));
    const id = this.next++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${this.name}: ${op} timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
      this.child.send({ id, op, args } satisfies Request, (e: Error | null) => {
        if (!e) return;
        clearTimeout(timer);
        this.pending.delete(id);
        reject(new Error(`${this.name}: ${op} not sent: ${e.message}`));
      });
    });
  }

  /** Asks politely, then kills: a bench must never leave a process behind. */
  async stop(): Promise<void> {
    if (this.exitCode !== undefined) return;
    this.child.kill('SIGTERM');
    const t = setTimeout(() => this.child.kill('SIGKILL'), 3000);
    await this.exited;
    clearTimeout(t);
  }
}
