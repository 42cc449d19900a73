/**
 * The bundle on simulated time (`generate --speed N`, used by `demo --prometheus`): the simulator
 * runs N times faster than the wall clock Prometheus keeps, so every window and `for` is divided by
 * N (at least 1s; `0s` stays immediate) and an alert waits as long in the scenario as it would in a
 * cluster.
 */
import { ALERTS } from './alerts/index.js';
import { mergeConfig, type BundleConfig } from './config.js';

const UNITS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86_400, w: 604_800, y: 31_536_000 };

/** Seconds of a Prometheus duration such as `1h30m`. */
export function durationSeconds(d: string): number {
  let total = 0;
  for (const m of d.matchAll(/(\d+)(ms|s|m|h|d|w|y)/g)) total += Number(m[1]) * (UNITS[m[2] ?? 's'] ?? 1);
  return total;
}

export function scaled(d: string, speed: number): string {
  const s = durationSeconds(d);
  return s === 0 ? '0s' : `${Math.max(1, Math.round(s / speed))}s`;
}

export function timeScaled(base: BundleConfig, speed: number): BundleConfig {
  if (!(speed > 0) || !Number.isFinite(speed)) throw new Error(`speed must be a positive number, got ${speed}`);
  const w = base.windows;
  return mergeConfig(
    {
      windows: { events: scaled(w.events, speed), churn: scaled(w.churn, speed), forecast: scaled(w.forecast, speed) },
      alerts: Object.fromEntries(ALERTS.map((a) => [a.name, { for: scaled(base.alerts[a.name]?.for ?? a.for, speed) }])),
    },
    base,
  );
}
