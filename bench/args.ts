/** `npm run bench`'s flags, checked before anything starts. */

export interface BenchArgs {
  readonly sizes: number[];
  readonly quick: boolean;
  readonly out: string | undefined;
  readonly budgetMs: number;
  readonly scrapes: number;
  readonly scrapesLargest: number;
  readonly consumers: ReadonlySet<Consumer>;
  readonly turnovers: number;
}

type Consumer = 'parse-limit' | 'obvious' | 'exporter';
const CONSUMERS: readonly Consumer[] = ['parse-limit', 'obvious', 'exporter'];

export function parseArgs(argv: readonly string[]): BenchArgs {
  let sizes = [1_000, 10_000, 50_000, 150_000];
  let quick = false;
  let out: string | undefined;
  // Under the 12 minutes a full run must fit in (TARGETS.budgetSeconds), with room to stop children.
  let budgetMs = 690_000;
  let scrapes: number | undefined;
  let scrapesLargest: number | undefined;
  let consumers = new Set<Consumer>(CONSUMERS);
  let turnovers = 2;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--quick') {
      quick = true;
      sizes = [1_000, 10_000];
    } else if (a === '--sizes') {
      sizes = next().split(',').map((s) => Number(s));
      if (sizes.some((n) => !Number.isInteger(n) || n < 10)) throw new Error('--sizes takes integers >= 10, comma-separated');
    } else if (a === '--out') out = next();
    else if (a === '--budget-seconds') budgetMs = Number(next()) * 1000;
    else if (a === '--scrapes') scrapes = Number(next());
    else if (a === '--scrapes-largest') scrapesLargest = Number(next());
    else if (a === '--turnovers') turnovers = Number(next());
    else if (a === '--consumers') {
      const want = next().split(',');
      const bad = want.filter((c) => !(CONSUMERS as readonly string[]).includes(c));
      if (bad.length) throw new Error(`--consumers takes ${CONSUMERS.join(',')}; not ${bad.join(',')}`);
      consumers = new Set(want as Consumer[]);
    }
    else throw new Error(`unknown argument ${a} (have --quick, --sizes, --out, --budget-seconds, --scrapes, --scrapes-largest, --turnovers, --consumers)`);
  }
  // 60 per size and 100 at the largest (see HarnessOptions.scrapesLargest); --scrapes alone sets both.
  const largest = scrapesLargest ?? scrapes ?? 100;
  const each = scrapes ?? 60;
  if (!(budgetMs > 0) || !(each >= 1) || !(largest >= 1)) throw new Error('--budget-seconds, --scrapes and --scrapes-largest must be positive');
  if (!(turnovers >= 0 && turnovers <= 2)) throw new Error('--turnovers takes 0, 1 or 2');
  return { sizes, quick, out, budgetMs, scrapes: each, scrapesLargest: largest, consumers, turnovers };
}
