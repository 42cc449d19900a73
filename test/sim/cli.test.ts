/** `simulate`'s flags go through the shared declarative parser: aliases, --no-*, bounds, required. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseFlags, UsageError } from '../../src/cli/flags.js';
import { SIMULATE_FLAGS } from '../../src/sim/cli.js';

const parse = (argv: string[]) => parseFlags(SIMULATE_FLAGS, argv, {}).values;

test('simulate: defaults, the --kubeconfig alias and --no-crd', () => {
  const v = parse(['--scenario', 'demo', '--kubeconfig', '/tmp/k', '--no-crd', '--speed=2.5', '--tls']);
  assert.deepEqual(
    { scenario: v.scenario, port: v.port, out: v['kubeconfig-out'], speed: v.speed, seed: v.seed, tls: v.tls, crd: v.crd, pods: v.pods },
    { scenario: 'demo', port: 0, out: '/tmp/k', speed: 2.5, seed: 1, tls: true, crd: false, pods: undefined },
  );
  assert.equal(parse(['--scenario=scale', '--kubeconfig-out=/x']).crd, true);
});

test('simulate: bad input is a usage error that names the flag', () => {
  const cases: Array<[string[], RegExp]> = [
    [[], /--scenario is required/],
    [['--scenario', 'nope'], /--scenario: "nope" is not one of steady/],
    [['--scenario', 'demo', '--port', '70000'], /--port must be at most 65535/],
    [['--scenario', 'demo', '--pods', '0'], /--pods must be at least 1/],
    [['--scenario', 'demo', '--seed', '1.5'], /--seed: "1.5" is not a whole number/],
    [['--scenario', 'demo', '--speed', 'fast'], /--speed: "fast" is not a number/],
    [['--scenario', 'demo', '--bogus'], /unknown flag --bogus/],
  ];
  for (const [argv, says] of cases) assert.throws(() => parse(argv), (e: unknown) => e instanceof UsageError && says.test(e.message), argv.join(' '));
});

test('simulate: --help needs no --scenario', () => {
  assert.equal(parseFlags(SIMULATE_FLAGS, ['--help'], {}).help, true);
});
