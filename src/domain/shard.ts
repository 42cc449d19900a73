/**
 * Horizontal sharding, as kube-state-metrics does it (FNV-64a + jump consistent hash), but keyed on
 * the namespace: every series we export carries a namespace and several aggregate across the apps
 * of one (startup histograms, quotas, SparkApplication states), so a namespace must live in exactly
 * one shard for the shards' union to equal one unsharded exporter and for HA `max` dedup to hold.
 */

const FNV_OFFSET = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;
const MASK = 0xffffffffffffffffn;

export function fnv64a(s: string): bigint {
  let h = FNV_OFFSET;
  for (const byte of Buffer.from(s, 'utf8')) {
    h ^= BigInt(byte);
    h = (h * FNV_PRIME) & MASK;
  }
  return h;
}

/** Lamping & Veach's jump consistent hash: adding a shard moves only 1/n of the keys. */
export function jumpHash(key: bigint, buckets: number): number {
  let b = -1n;
  let j = 0n;
  let k = key;
  while (j < BigInt(buckets)) {
    b = j;
    k = (k * 2862933555777941757n + 1n) & MASK;
    j = BigInt(Math.floor(Number(b + 1n) * (2 ** 31 / Number((k >> 33n) + 1n))));
  }
  return Number(b);
}

export function shardOf(namespace: string, totalShards: number): number {
  return totalShards <= 1 ? 0 : jumpHash(fnv64a(namespace), totalShards);
}

/** A memoised ownership test: namespaces are few, the test runs per object. */
export function namespaceOwner(shard: number, totalShards: number): (namespace: string) => boolean {
  if (totalShards <= 1) return () => true;
  const cache = new Map<string, boolean>();
  return (ns) => {
    let owned = cache.get(ns);
    if (owned === undefined) cache.set(ns, (owned = shardOf(ns, totalShards) === shard));
    return owned;
  };
}
