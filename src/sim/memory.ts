/**
 * How much memory a simulated Spark container uses over its life, as a fraction of its limit.
 * A container the workload will OOMKill climbs toward its limit: quickly past 0.9 (a PySpark
 * join's Python workers and Arrow buffers growing with each partition), then creeping up to the
 * limit, which it reaches at the kill. Every other container warms up and settles at 45-70% with a
 * slow wobble, well clear of any near-limit alert.
 */

/** When a container started running and, if the workload is to OOMKill it, when. */
export interface MemoryPlan {
  startedAt: number;
  oomAt: number | undefined;
}

/** Share of the life to the kill spent climbing to HIGH; the rest creeps from HIGH to PEAK. */
const CLIMB_SHARE = 0.3;
const HIGH = 0.92;
const PEAK = 0.995;
const WARM_UP_MS = 60_000;
const WOBBLE_PERIOD_MS = 300_000;

/** `seed` in [0, 1) spreads containers over the settled range and the wobble's phase. */
export function workingSetFraction(plan: MemoryPlan, t: number, seed: number): number {
  const age = Math.max(0, t - plan.startedAt);
  const start = 0.15;
  if (plan.oomAt !== undefined && plan.oomAt > plan.startedAt) {
    const u = Math.min(1, age / (plan.oomAt - plan.startedAt));
    if (u < CLIMB_SHARE) return start + (HIGH - start) * (u / CLIMB_SHARE);
    return HIGH + (PEAK - HIGH) * ((u - CLIMB_SHARE) / (1 - CLIMB_SHARE));
  }
  const settled = 0.45 + 0.22 * seed + 0.03 * Math.sin((2 * Math.PI * age) / WOBBLE_PERIOD_MS + 2 * Math.PI * seed);
  if (age >= WARM_UP_MS) return settled;
  return start + (settled - start) * (age / WARM_UP_MS);
}
