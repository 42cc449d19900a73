/**
 * Names of all recording rules, gathered from the area files that define them: dashboards query
 * these, so a panel and the alert beside it read the very same series.
 */
import type { BundleConfig } from '../config.js';
import { applicationRecordNames } from './applications.js';
import { dynamicAllocationRecordNames } from './dynamic-allocation.js';
import { executorRecordNames } from './executors.js';
import { memoryRecordNames } from './memory.js';
import { quotaRecordNames } from './quotas.js';
import { sparkRecordNames } from './spark.js';

export function recordNames(cfg: BundleConfig) {
  return {
    ...executorRecordNames(cfg.windows),
    ...dynamicAllocationRecordNames(cfg.windows),
    ...memoryRecordNames(cfg.windows),
    ...quotaRecordNames(),
    ...applicationRecordNames(cfg.windows),
    ...sparkRecordNames(),
  } as const;
}

export type RecordNames = ReturnType<typeof recordNames>;
