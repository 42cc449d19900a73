/**
 * The exporter's defaults, read from the `serve` flag table so a default changes in one place
 * (and the README and --help change with it). A leaf module: the model and list-watch can import
 * these without importing the exporter that imports them.
 */
import { flagDefaults } from './flags.js';
import { SERVE_FLAGS } from './serve-flags.js';

export const SERVE_DEFAULTS = flagDefaults(SERVE_FLAGS);

export const EXPORTER_DEFAULTS = {
  retentionMs: SERVE_DEFAULTS['retention'],
  churnWindowMs: SERVE_DEFAULTS['churn-window'],
  gapGraceMs: SERVE_DEFAULTS['executor-id-grace'],
  pageSize: SERVE_DEFAULTS['page-size'],
  watchIdleTimeoutMs: SERVE_DEFAULTS['watch-idle-timeout'],
} as const;
