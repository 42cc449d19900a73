/**
 * `npm run soak [-- --sim-hours 3 --speed 20 --fault-every 30 --seed 7 --scenario demo --out FILE]`:
 * the long fault soak behind docs/reliability.md (about 9 real minutes at the defaults). The
 * exporter runs as its own `serve` process against the simulator; watches are dropped and 500s /
 * 429s injected every `--fault-every` real seconds; at the end every counter is compared with the
 * simulator's truth. Prints progress, then one JSON report; exits 1 when anything differs.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { runFaultSoak } from '../test/support/fault-soak.js';

function positive(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!(n > 0) || !Number.isFinite(n)) throw new Error(`--${name}: expected a positive number, got "${text}"`);
  return n;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      'sim-hours': { type: 'string' },
      speed: { type: 'string' },
      'fault-every': { type: 'string' },
      seed: { type: 'string' },
      scenario: { type: 'string' },
      out: { type: 'string' },
    },
  });
  const simHours = positive('sim-hours', values['sim-hours'], 3);
  const report = await runFaultSoak({
    scenario: values.scenario ?? 'demo',
    speed: positive('speed', values.speed, 20),
    simSeconds: simHours * 3600,
    faultEveryS: positive('fault-every', values['fault-every'], 30),
    seed: positive('seed', values.seed, 7),
    sampleEveryS: 30,
    progress: (line) => process.stderr.write(`${line}\n`),
  });
  const json = JSON.stringify(report, null, 2);
  if (values.out) writeFileSync(values.out, `${json}\n`);
  process.stdout.write(`${json}\n`);
  process.stderr.write(report.exact ? '# soak: every counter equals the truth\n' : '# soak: counters DIFFER from the truth (see truth / exporter above)\n');
  return report.exact ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(2);
  },
);
