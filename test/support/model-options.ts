/** The model as `serve` builds it with its defaults (from the flag table), unsharded. */
import { EXPORTER_DEFAULTS } from '../../src/cli/serve-defaults.js';
import type { ModelOptions } from '../../src/domain/model.js';

export const TEST_MODEL_OPTIONS: ModelOptions = {
  retentionMs: EXPORTER_DEFAULTS.retentionMs,
  churnWindowMs: EXPORTER_DEFAULTS.churnWindowMs,
  gapGraceMs: EXPORTER_DEFAULTS.gapGraceMs,
  ownsNamespace: () => true,
};
