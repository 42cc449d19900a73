/**
 * Time as the list-watch loop sees it: the current time and timers that can be cancelled. Behind
 * an interface so tests drive the loop with a manually advanced clock instead of real sleeps.
 */

export interface Timer {
  cancel(): void;
}

export interface Clock {
  now(): number;
  /**
   * Runs `fn` once after `ms`. A `background` timer does not keep the process alive (an audit's
   * deadline must not hold up an exit the way a pending retry legitimately does).
   */
  setTimeout(fn: () => void, ms: number, opts?: { background?: boolean }): Timer;
}

export const realClock: Clock = {
  now: () => Date.now(),
  setTimeout(fn, ms, opts) {
    const t = setTimeout(fn, ms);
    if (opts?.background) t.unref();
    return { cancel: () => clearTimeout(t) };
  },
};
