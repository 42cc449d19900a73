/**
 * Body buffers reused from scrape to scrape. On the bench machine, writing 50 MB into a fresh
 * allocation took 250-370 ms (a page fault per 4 KiB page: the kernel maps and zeroes each) and
 * into reused memory 3-4 ms, so a new buffer per scrape cost more than everything else a scrape
 * does (docs/scale.md, "Profile"). A buffer comes back only when the HTTP layer says the response
 * that sent it has finished, and is not handed out while a render cache still copies from it.
 */
export class BodyPool {
  private readonly ours = new WeakSet<ArrayBufferLike>();
  private readonly free: Buffer[] = [];

  /** `keep`: spare buffers held at most (two bodies alternate: one being read, one written). */
  constructor(private readonly keep = 2) {}

  /** A buffer of at least `bytes`, none whose memory `busy` says is still read. */
  alloc(bytes: number, busy: (memory: ArrayBufferLike) => boolean): Buffer {
    const i = this.free.findIndex((b) => b.length >= bytes && !busy(b.buffer));
    const reused = i >= 0 ? this.free.splice(i, 1)[0] : undefined;
    if (reused) return reused;
    // Slow: its own memory, never a slice of Node's shared pool that other buffers live in. A
    // quarter more than asked, so a body that grows a little is still written into reused memory:
    // sized exactly, every body a byte longer than the last missed the pool and paid the faults.
    const b = Buffer.allocUnsafeSlow(bytes + (bytes >> 2));
    this.ours.add(b.buffer);
    return b;
  }

  /** A body this pool's memory backs is no longer sent: its memory may be written again. */
  release(body: Buffer): void {
    const memory = body.buffer;
    if (!this.ours.has(memory) || this.free.some((b) => b.buffer === memory)) return;
    this.free.push(Buffer.from(memory, 0, memory.byteLength));
    // The oldest spare goes first: bodies grow and shrink slowly, so it is the likeliest misfit.
    if (this.free.length > this.keep) this.free.shift();
  }
}
