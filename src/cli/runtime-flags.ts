/**
 * The Node flags the exporter is run with: the image's ENTRYPOINT, `npm start` and the bench's
 * exporter and parse-limit children pass exactly these (test/chart/dockerfile.test.ts checks the
 * first two), so what `npm run bench` measures is what ships.
 *
 * `--max-semi-space-size=32`: V8's young generation may grow to 2 × 32 MiB instead of Node 20's
 * 2 × 16 MiB. What the exporter allocates is nearly all short-lived: a list page parsed (500 pods,
 * ~4 MiB of JSON), a watch event, a render's strings. With 16 MiB semi-spaces more of it outlives
 * two scavenges and is promoted, and the old-generation collections that follow were the slowest
 * scrapes. At 150k pods on the bench machine, against two runs without it in the same session:
 * /metrics p99 ×0.6, sync ×0.84, RSS +24 MiB (docs/scale.md, "sixth pass"); 64 MiB gave no more
 * and cost ~90 MiB. V8 grows the semi-space only when survivals call for it, so a small cluster
 * does not pay the memory. Only a command-line or NODE_OPTIONS flag works (set at run time, V8
 * has already sized its heap), and the command line wins over NODE_OPTIONS.
 */
export const RUNTIME_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=32'];
