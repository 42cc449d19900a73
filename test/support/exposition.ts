export * from '../../src/metrics/parse-exposition.js';
