/**
 * The simulator as a bench child: scale mode over loopback, plus the event bursts and the app
 * turnover the bench measures with.
 *
 * Bursts are generated while no watch is open and serialised into the simulator's watch cache
 * (watchLine), then replayed to the consumer's resumed watch from the simulator's history, so the
 * replay measures the exporter rather than the serialisation (~60 µs a pod here).
 */
import { randomBytes } from 'node:crypto';
import { startSimulator, type RunningSimulator } from '../src/sim/index.js';
import { watchLine } from '../src/sim/server.js';
import { gcMemory, serveIpc } from './ipc.js';

let sim: RunningSimulator | undefined;
/** The turnover round each rerun app was created in (apps built by the simulator: round 0). */
const rounds = new Map<string, number>();
const queue: { round: number; apps: Array<Array<[string | undefined, string]>> } = { round: 0, apps: [] };

function running(): RunningSimulator {
  if (!sim) throw new Error('simulator not started');
  return sim;
}

interface StartArgs {
  readonly scenario: 'scale' | 'empty';
  readonly pods: number;
  readonly apps: number;
  readonly kubeconfig: string;
  readonly seed: number;
}

/** Forgets the serialised lines of every event sent so far; a watch resumed from them re-serialises. */
function dropServedLines(): void {
  const store = running().cluster.world.cluster.store;
  const upTo = store.currentRv();
  store.eachSince(store.oldestResumableRv(), (ev) => {
    if (ev.rv > upTo) return false;
    delete ev.line;
    return true;
  });
}

serveIpc({
  async start(a: StartArgs) {
    const t = performance.now();
    sim = await startSimulator({
      scenario: a.scenario,
      scale: a.scenario === 'scale' ? { pods: a.pods, apps: a.apps } : undefined,
      seed: a.seed,
      kubeconfigOut: a.kubeconfig,
      sparkApplicationCrd: true,
      bookmarkIntervalSeconds: 5,
      // A burst (at most ~215 MB, see burstSize) is queued whole, as before the simulator's watches
      // waited for their readers: with 8 MiB the simulator, its heap at 150k pods ~1.5 GB and its
      // collector's pauses, was on the replay's critical path (3.8k events/s against 8.8k).
      watchBufferBytes: 256 << 20,
    });
    return { url: sim.url, buildMs: performance.now() - t, pods: sim.cluster.world.cluster.store.count('pods') };
  },

  /** Ends every open watch, makes `events` pod events with nobody listening, serialises them once. */
  burst(a: { events: number }) {
    const s = running();
    const scale = s.cluster.world.scale;
    if (!scale) throw new Error('bursts need the scale scenario');
    const store = s.cluster.world.cluster.store;
    s.faults.dropWatches();
    const fromRv = store.currentRv();
    // Earlier bursts' lines (8.5 KB each, up to 100k of them in the history) are served by now:
    // dropped, so the simulator's heap, and its collector's share of the 2 cores, stays that of one
    // burst whoever consumed one before (the exporter's replay after the parse limit's ran at 0.4x).
    dropServedLines();
    const t0 = performance.now();
    let made = 0;
    // churnOnce answers 0 while it drops stale victims; only ever 0 means nothing is left to churn.
    for (let idle = 0; made < a.events && idle < 10_000; ) {
      const n = scale.churnOnce();
      idle = n === 0 ? idle + 1 : 0;
      made += n;
    }
    const genMs = performance.now() - t0;
    const history = store.eventsSince(fromRv);
    if (!history) throw new Error('burst larger than the simulator history');
    let bytes = 0;
    let podEvents = 0;
    for (const ev of history) {
      bytes += watchLine(ev).length + 1;
      if (ev.resource === 'pods') podEvents++;
    }
    const serialiseMs = performance.now() - t0 - genMs;
    // Collected now, before the replay's clock starts, not during it.
    (globalThis as { gc?: () => void }).gc?.();
    return { events: podEvents, bytes, fromRv, toRv: store.currentRv(), generateMs: genMs, serialiseMs, readyAt: Date.now() };
  },

  /**
   * Before the scrape window: the served lines dropped and the heap collected, so the simulator's
   * own collector, ~2 s of marking at 150k pods, does not fall inside scrapes it is not part of.
   */
  settle() {
    dropServedLines();
    return gcMemory();
  },

  /** Live churn at a fixed rate (the simulator's own driver), serialised as it goes. */
  async drive(a: { perSecond: number; seconds: number }) {
    return running().driveEvents(a);
  },

  /**
   * Up to `apps` applications end and a rerun of each (same name, new app id, new pods) starts:
   * pods replaced through ordinary DELETED and ADDED events. Apps already rerun in this `round`
   * are left alone, so repeated calls walk through the whole population. The bench paces the
   * calls by what the exporter has absorbed: a watch that falls more than the simulator's history
   * (100k events) behind is ended with 410, as a real API server ends a watcher that cannot keep up.
   */
  turnover(a: { apps: number; round: number }) {
    const store = running().cluster.world.cluster.store;
    // Indexed once per round (a scan of 150k pods per slice would dominate): app → pod keys.
    if (queue.round !== a.round) {
      const byApp = new Map<string, Array<[string | undefined, string]>>();
      for (const p of store.list('pods')) {
        const id = p.metadata.labels?.['spark-app-selector'];
        if (!id || (rounds.get(id) ?? 0) >= a.round) continue;
        const keys = byApp.get(id) ?? [];
        keys.push([p.metadata.namespace, p.metadata.name]);
        byApp.set(id, keys);
      }
      queue.round = a.round;
      queue.apps = [...byApp.values()];
    }
    const slice = queue.apps.splice(0, a.apps);
    let events = 0;
    for (const keys of slice) {
      const newId = `spark-${randomBytes(16).toString('hex')}`;
      rounds.set(newId, a.round);
      let oldPrefix: string | undefined;
      let newPrefix: string | undefined;
      const driverUid = randomBytes(16).toString('hex');
      let oldDriverUid: string | undefined;
      // Executors before their driver: removing the driver first made the garbage collector delete
      // its executors gracefully (a MODIFIED now, a DELETED 30 simulated s later, for every one),
      // and the copies carried its deletionTimestamp and its uid as owner, so each slice left a
      // flood of events behind that no pacing saw (100k at 150k pods: the watch fell out of the
      // history and relisted).
      const ordered = keys
        .map(([ns, name]) => store.get('pods', ns, name))
        .filter((p): p is NonNullable<typeof p> => p !== undefined)
        .sort((x, y) => Number(x.metadata.labels?.['spark-role'] === 'driver') - Number(y.metadata.labels?.['spark-role'] === 'driver'));
      for (const p of ordered) if (p.metadata.labels?.['spark-role'] === 'driver') oldDriverUid = p.metadata.uid;
      for (const p of ordered) {
        const { namespace: ns, name } = p.metadata;
        oldPrefix ??= /^(.*-[0-9a-f]{16})-(?:exec-\d+|driver)$/.exec(name)?.[1];
        newPrefix ??= oldPrefix ? `${oldPrefix.slice(0, -16)}${randomBytes(8).toString('hex')}` : undefined;
        store.remove('pods', ns, name);
        const newName = oldPrefix && newPrefix ? name.replace(oldPrefix, newPrefix) : `${name}-r`;
        const labels = { ...p.metadata.labels, 'spark-app-selector': newId };
        const isDriver = p.metadata.uid === oldDriverUid;
        const ownerReferences = p.metadata.ownerReferences?.map((o) => (o.uid === oldDriverUid ? { ...o, uid: driverUid, name: o.name.replace(oldPrefix ?? '', newPrefix ?? '') } : o));
        const { deletionTimestamp: _gone, deletionGracePeriodSeconds: _grace, ...meta } = p.metadata;
        // The store stamps the resourceVersion.
        store.put('pods', { ...p, metadata: { ...meta, name: newName, uid: isDriver ? driverUid : randomBytes(16).toString('hex'), labels, ...(ownerReferences ? { ownerReferences } : {}) } });
        events += 2;
      }
    }
    return { apps: slice.length, events, remaining: queue.apps.length };
  },

  /** Every pod serialised now, so the lists timed next send bytes already made (see server.ts). */
  serialiseAhead() {
    const t = performance.now();
    const n = running().serialiseAhead('pods');
    return { objects: n, ms: performance.now() - t };
  },

  rv() {
    return { rv: running().resourceVersion() };
  },

  memory() {
    return gcMemory();
  },

  async close() {
    await sim?.close();
    sim = undefined;
    return {};
  },
});
