// The two charts: the top routes by bytes or by packets (one metric at a time: two metrics on
// two axes in one chart read as if comparable), and the traffic of the top routes over the
// capture in equal time bins. Axes tick at round values of their unit (ticks.ts). Each canvas
// also gets a text alternative.
import {
  BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip,
} from 'chart.js';
import type { Report } from '../../src/index.js';
import { reportRows, topRows } from '../../src/report/aggregate.js';
import { exact, humanBytes } from './format.js';
import { tickLabel, tickStep } from './ticks.js';
import type { TimeSeries } from './timeseries.js';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, LineController, LineElement, PointElement, Legend, Tooltip);
Chart.defaults.animation = false; // a report appears at once; animations only delay reading it
Chart.defaults.font.family = 'system-ui, sans-serif';

/** Okabe and Ito's palette: told apart with any colour vision. */
const COLOURS = ['#0072b2', '#e69f00', '#009e73', '#cc79a7', '#56b4e9', '#d55e00', '#f0e442', '#000000'];
const BAR_ROUTES = 10;

export type Metric = 'bytes' | 'packets';

export class Charts {
  private bar: Chart | undefined;
  private line: Chart | undefined;

  constructor(private readonly barCanvas: HTMLCanvasElement, private readonly lineCanvas: HTMLCanvasElement) {}

  /** The top routes by `metric`, with that metric alone on the axis. */
  showTopRoutes(report: Report, metric: Metric): void {
    const rows = topRows(reportRows(report, 'route', metric), BAR_ROUTES);
    const values = rows.map((r) => Number(r[metric]));
    this.bar?.destroy();
    this.bar = new Chart(this.barCanvas, {
      type: 'bar',
      data: {
        labels: rows.map((r) => r.prefix),
        datasets: [{ label: metric, data: values, backgroundColor: COLOURS[metric === 'bytes' ? 0 : 1] }],
      },
      options: {
        indexAxis: 'y',
        maintainAspectRatio: false,
        scales: { x: roundAxis(Math.max(0, ...values), metric) },
        plugins: {
          legend: { display: false },
          tooltip: { callbacks: { label: (item) => `${exact(item.parsed.x ?? 0)} ${metric}` } },
        },
      },
    });
    this.barCanvas.setAttribute('aria-label', rows.length === 0
      ? 'No route matched a counted packet.'
      : `Bar chart of the top ${rows.length} routes by ${metric}: ${rows.map((r) => `${r.prefix} ${metric === 'bytes' ? humanBytes(r.bytes) : `${exact(r.packets)} packets`}`).join('; ')}.`);
  }

  /** The bar chart, for tests: its datasets' labels and the axis's tick labels. */
  get topRoutesChart(): Chart | undefined {
    return this.bar;
  }

  get timeSeriesChart(): Chart | undefined {
    return this.line;
  }

  /** One line per route: its packets or bytes in each bin, against seconds from the first record. */
  showTimeSeries(series: TimeSeries, metric: Metric): void {
    const bins = series.series[0]?.packets.length ?? 0;
    this.line?.destroy();
    this.line = new Chart(this.lineCanvas, {
      type: 'line',
      data: {
        datasets: series.series.map((s, i) => ({
          label: s.prefix,
          data: s[metric].map((y, bin) => ({ x: bin * series.binSeconds, y })),
          borderColor: COLOURS[i % COLOURS.length],
          backgroundColor: COLOURS[i % COLOURS.length],
          borderWidth: 1.5,
          pointRadius: bins > 40 ? 0 : 2,
        })),
      },
      options: {
        maintainAspectRatio: false,
        interaction: { mode: 'index', intersect: false },
        scales: {
          x: {
            type: 'linear',
            min: 0,
            max: Math.max(0, bins - 1) * series.binSeconds,
            title: { display: true, text: `seconds from ${series.start}` },
            ticks: { callback: (v) => `+${formatSeconds(Number(v))}` },
          },
          y: {
            ...roundAxis(Math.max(0, ...series.series.flatMap((s) => s[metric])), metric),
            title: { display: true, text: `${metric} per ${formatSeconds(series.binSeconds)}` },
          },
        },
        plugins: {
          tooltip: { callbacks: { label: (item) => `${item.dataset.label}: ${exact(item.parsed.y ?? 0)} ${metric}` } },
        },
      },
    });
    this.lineCanvas.setAttribute('aria-label', `Line chart of the ${metric} of ${series.series.length} routes in ${bins} bins of ` +
      `${formatSeconds(series.binSeconds)} from ${series.start}: ${series.series.map((s) => `${s.prefix} peaks at ${exact(Math.max(0, ...s[metric]))}`).join('; ')}.`);
  }

  clearTimeSeries(): void {
    this.line?.destroy();
    this.line = undefined;
    this.lineCanvas.removeAttribute('aria-label');
  }
}

/** A linear axis from 0 whose ticks fall on round values of the unit they print in. */
function roundAxis(max: number, metric: Metric) {
  const step = tickStep(max, metric);
  return {
    type: 'linear' as const,
    beginAtZero: true,
    min: 0,
    max: Math.max(step, Math.ceil(max / step) * step),
    ticks: { stepSize: step, callback: (v: number | string) => tickLabel(Number(v), step, metric) },
  };
}

/** 0.002 → "2 ms", 1.5 → "1.5 s", 3600 → "3600 s" (an axis of seconds reads best in one unit). */
export function formatSeconds(seconds: number): string {
  if (seconds === 0) return '0 s';
  if (seconds < 1e-3) return `${+(seconds * 1e6).toPrecision(6)} µs`;
  if (seconds < 1) return `${+(seconds * 1e3).toPrecision(6)} ms`;
  return `${+seconds.toPrecision(9)} s`;
}
