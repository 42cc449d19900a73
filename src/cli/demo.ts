/** Placeholder replaced below once the simulator's API is in. */
export async function runDemo(_argv: string[]): Promise<number> {
  process.stderr.write('demo: not yet wired\n');
  return 1;
}
