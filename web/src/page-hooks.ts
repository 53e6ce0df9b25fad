// What the page exposes for tests and benchmarks, besides data-* attributes on <body>.
import type { Report } from '../../src/index.js';
import type { AnalysisTiming } from './protocol.js';
import type { TimeSeries } from './timeseries.js';

declare global {
  interface Window {
    /** the finished report: the JSON export, parsed */
    fibscopeReport?: Report;
    /** how long the worker took */
    fibscopeTiming?: AnalysisTiming;
    fibscopeSeries?: TimeSeries;
  }
}

export {};
