// The two charts: the top routes by bytes (with their packets), and the traffic of the top
// routes over the capture in equal time bins. Each canvas also gets a text alternative.
import {
  BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip,
} from 'chart.js';
import type { Report } from '../../src/index.js';
import { reportRows, topRows } from '../../src/report/aggregate.js';
import { exact, humanBytes, humanPackets } from './format.js';
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

  /** The top routes by bytes, bytes on the lower axis and packets on the upper one. */
  showTopRoutes(report: Report): void {
    const rows = topRows(reportRows(report, 'route', 'bytes'), BAR_ROUTES);
    this.bar?.destroy();
    this.bar = new Chart(this.barCanvas, {
      type: 'bar',
      data: {
        labels: rows.map((r) => r.prefix),
        datasets: [
          { label: 'bytes', data: rows.map((r) => Number(r.bytes)), xAxisID: 'bytes', backgroundColor: COLOURS[0] },
          { label: 'packets', data: rows.map((r) => Number(r.packets)), xAxisID: 'packets', backgroundColor: COLOURS[1] },
        ],
      },
      options: {
        indexAxis: 'y',
        maintainAspectRatio: false,
        scales: {
          bytes: { type: 'linear', position: 'bottom', beginAtZero: true, ticks: { callback: (v) => humanBytes(Number(v)) } },
          packets: { type: 'linear', position: 'top', beginAtZero: true, grid: { drawOnChartArea: false }, ticks: { callback: (v) => humanPackets(Number(v)) } },
        },
        plugins: {
          tooltip: { callbacks: { label: (item) => `${item.dataset.label}: ${exact(item.parsed.x ?? 0)}` } },
        },
      },
    });
    this.barCanvas.setAttribute('aria-label', rows.length === 0
      ? 'No route matched a counted packet.'
      : `Bar chart of the top ${rows.length} routes by bytes: ${rows.map((r) => `${r.prefix} ${humanBytes(r.bytes)} in ${exact(r.packets)} packets`).join('; ')}.`);
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
          y: { beginAtZero: true, title: { display: true, text: `${metric} per ${formatSeconds(series.binSeconds)}` }, ticks: { callback: (v) => (metric === 'bytes' ? humanBytes : humanPackets)(Number(v)) } },
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

/** 0.002 → "2 ms", 1.5 → "1.5 s", 3600 → "3600 s" (an axis of seconds reads best in one unit). */
export function formatSeconds(seconds: number): string {
  if (seconds === 0) return '0 s';
  if (seconds < 1e-3) return `${+(seconds * 1e6).toPrecision(6)} µs`;
  if (seconds < 1) return `${+(seconds * 1e3).toPrecision(6)} ms`;
  return `${+seconds.toPrecision(9)} s`;
}
