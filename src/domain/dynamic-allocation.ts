/**
 * The executor settings a SparkApplication runs with: dynamic allocation (from the operator's
 * `spec.dynamicAllocation` and `spec.sparkConf`, the operator's field winning where both are set,
 * as its spark-submit puts its own `--conf` last) with Spark's defaults, and the floor of executors
 * the application should always have.
 */
import { obj, type Json } from './json.js';
import { sparkBool, sparkCount, sparkMinorVersion, sparkTimeMs } from './spark-conf.js';

export const DYNAMIC_ALLOCATION_SETTINGS = [
  'enabled',
  'min_executors',
  'max_executors',
  'initial_executors',
  'executor_idle_timeout_seconds',
  'shuffle_tracking',
  'decommission',
] as const;
export type DynamicAllocationSetting = (typeof DYNAMIC_ALLOCATION_SETTINGS)[number];

export interface ExecutorSettings {
  /** Every setting's effective value (booleans as 0/1); a setting whose value did not parse is absent. */
  readonly dynamicAllocation: ReadonlyMap<DynamicAllocationSetting, number>;
  /** Executors the application should always have: instances without dynamic allocation, else min, else initial. */
  readonly floor: number | undefined;
  /** `key=value` of settings Spark would refuse: logged, never exported. */
  readonly bad: readonly string[];
}

// Spark's defaults (core/.../internal/config/package.scala).
const DEFAULT_IDLE_TIMEOUT_S = 60;
// Int.MaxValue, as Spark itself holds "unbounded" (and a finite value graphs and compares everywhere).
const MAX_EXECUTORS_DEFAULT = 2_147_483_647;

export function executorSettings(spec: Json | undefined): ExecutorSettings {
  const conf = obj(spec?.['sparkConf']) ?? {};
  const da = obj(spec?.['dynamicAllocation']);
  const bad: string[] = [];
  const refused = new Set<DynamicAllocationSetting>();
  /** A value from the operator's field, else sparkConf, parsed; a refused one is noted, and its setting left out. */
  const read = <T>(setting: DynamicAllocationSetting | undefined, field: string | undefined, key: string, parse: (raw: unknown) => T | undefined): T | undefined => {
    for (const [where, raw] of [[`dynamicAllocation.${field}`, field && da ? da[field] : undefined], [key, conf[key]]] as const) {
      if (raw === undefined || raw === null) continue;
      const v = parse(raw);
      if (v !== undefined) return v;
      bad.push(`${where}=${String(raw).slice(0, 40)}`);
      if (setting) refused.add(setting);
      return undefined;
    }
    return undefined;
  };

  const enabled = read('enabled', 'enabled', 'spark.dynamicAllocation.enabled', sparkBool) ?? false;
  const min = read('min_executors', 'minExecutors', 'spark.dynamicAllocation.minExecutors', sparkCount);
  const max = read('max_executors', 'maxExecutors', 'spark.dynamicAllocation.maxExecutors', sparkCount);
  const initialSet = read('initial_executors', 'initialExecutors', 'spark.dynamicAllocation.initialExecutors', sparkCount);
  const instances = sparkCount(obj(spec?.['executor'])?.['instances']) ?? read(undefined, undefined, 'spark.executor.instances', sparkCount);
  const idleMs = read('executor_idle_timeout_seconds', undefined, 'spark.dynamicAllocation.executorIdleTimeout', (raw) => sparkTimeMs(raw, 1000));
  // Spark 3.4 turned shuffle tracking on by default; the operator always sets it with dynamic allocation.
  const version = sparkMinorVersion(spec?.['sparkVersion']);
  const trackingDefault = (da !== undefined && enabled) || version === undefined || version[0] > 3 || (version[0] === 3 && version[1] >= 4);
  const tracking = read('shuffle_tracking', 'shuffleTrackingEnabled', 'spark.dynamicAllocation.shuffleTracking.enabled', sparkBool) ?? trackingDefault;
  const decommission = read('decommission', undefined, 'spark.decommission.enabled', sparkBool) ?? false;

  const minN = min ?? 0;
  // Spark starts max(min, initial, spark.executor.instances) executors (Utils.getDynamicAllocationInitialExecutors).
  const initial = Math.max(minN, initialSet ?? minN, instances ?? 0);
  const settings = new Map<DynamicAllocationSetting, number>([
    ['enabled', enabled ? 1 : 0],
    ['min_executors', minN],
    ['max_executors', max ?? MAX_EXECUTORS_DEFAULT],
    ['initial_executors', initial],
    ['executor_idle_timeout_seconds', (idleMs ?? DEFAULT_IDLE_TIMEOUT_S * 1000) / 1000],
    ['shuffle_tracking', tracking ? 1 : 0],
    ['decommission', decommission ? 1 : 0],
  ]);
  for (const s of refused) settings.delete(s);
  // Without dynamic allocation the operator runs one executor unless told otherwise (api/v1beta2/defaults.go).
  const floor = enabled ? (min !== undefined ? min : initialSet ?? instances) : instances ?? (refused.size === 0 ? 1 : undefined);
  return { dynamicAllocation: settings, floor, bad };
}
