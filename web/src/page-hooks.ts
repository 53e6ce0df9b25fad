// What the page exposes for tests and benchmarks, besides data-* attributes on <body>.
import type { CompareReport, Report } from '../../src/index.js';
import type { AnalysisTiming } from './protocol.js';
import type { TimeSeries } from './timeseries.js';

export interface ChartView {
  datasets: string[];
  /** tick labels of the value axis, with the values they stand at */
  ticks: { value: number; label: string }[];
}

declare global {
  interface Window {
    /** the finished report: the JSON export, parsed */
    fibscopeReport?: Report;
    /** how long the worker took */
    fibscopeTiming?: AnalysisTiming;
    fibscopeSeries?: TimeSeries;
    /** what the charts show: each chart's dataset labels and axis tick labels */
    fibscopeCharts?: () => { topRoutes?: ChartView; timeSeries?: ChartView };
    /** the what-if comparison in view: the JSON of `fibscope compare -f json`, parsed */
    fibscopeCompare?: CompareReport;
  }
}

export {};
