// The page: wires the inputs to the worker and draws what comes back. The finished report is
// `window.fibscopeReport` (the JSON export, parsed) and the worker's timing `window.fibscopeTiming`,
// for tests and benchmarks; `body[data-analyses]` counts finished analyses, `body[data-filter]` and
// `body[data-ruleset]` say whether a filter and rules are in use (none, loading, set/loaded, error).
import type { Chart } from 'chart.js';
import type { Report } from '../../src/index.js';
import { Charts, formatSeconds, type Metric } from './charts.js';
import { csvArguments, csvText, download, exportName } from './export.js';
import { exact, humanBytes } from './format.js';
import { wireClassifyInputs, wireInputs } from './inputs.js';
import { wireLookup } from './lookup.js';
import type { ChartView } from './page-hooks.js';
import { linkTypeName } from '../../src/report/link-type-names.js';
import type { AnalysisTiming, RulesSummary, Source } from './protocol.js';
import { renderAnomalies } from './anomalies-view.js';
import { renderRules } from './rules-view.js';
import { renderSummary, reportTimesWarning } from './summary.js';
import { TrafficTable } from './table-view.js';
import type { TimeSeries } from './timeseries.js';
import { WorkerClient } from './worker-client.js';
import { WhatIf } from './compare-view.js';

const byId = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const el = {
  routesStatus: byId('routes-status'),
  captureStatus: byId('capture-status'),
  error: byId('error'),
  progressBox: byId('progress-box'),
  progress: byId<HTMLProgressElement>('progress'),
  progressName: byId('progress-name'),
  progressText: byId('progress-text'),
  cancel: byId<HTMLButtonElement>('cancel'),
  results: byId('results'),
  resultsName: byId('results-name'),
  damage: byId('damage'),
  summary: byId('summary'),
  inputsBody: byId<HTMLTableSectionElement>('inputs-body'),
  seriesBins: byId('series-bins'),
  seriesStatus: byId('series-status'),
  seriesMetric: byId<HTMLFieldSetElement>('series-metric'),
  barMetric: byId<HTMLFieldSetElement>('bar-metric'),
  barMetricName: byId('bar-metric-name'),
  captureFileName: byId('capture-file-name'),
  routesFileName: byId('routes-file-name'),
  csvOptions: byId('csv-options'),
  timing: byId('timing'),
  filterInput: byId<HTMLInputElement>('filter-input'),
  filterError: byId('filter-error'),
  filterStatus: byId('filter-status'),
  rulesStatus: byId('rules-status'),
  rulesFileName: byId('rules-file-name'),
  rulesSection: byId('rules-section'),
  rulesSource: byId('rules-source'),
  rulesBody: byId<HTMLTableElement>('rules-table').tBodies[0],
  anomaliesSection: byId('anomalies-section'),
  anomaliesBody: byId<HTMLTableElement>('anomalies-table').tBodies[0],
};

const charts = new Charts(byId('bar-chart'), byId('series-chart'));
const table = new TrafficTable({
  table: byId('rows-table'),
  caption: byId('rows-caption'),
  count: byId('table-count'),
  filter: byId('table-filter'),
  top: byId('table-top'),
  by: byId('table-by'),
}, () => showCsvOptions(), () => {
  // a view the report lacks: count the capture again with it, as `analyze --by VIEW` would
  if (capture) analyze(capture);
});

let capture: Source | undefined;
let captureName = '';
let run = 0;
let running = false;
/** an analysis or time series was stopped for a routes change */
let interrupted = false;
let report: Report | undefined;
/** the JSON export: `fibscope analyze -f json`, byte for byte */
let reportJson: Uint8Array<ArrayBuffer> = new Uint8Array(0);
let series: TimeSeries | undefined;
/** the rule set in use, and the one the analysis in view counted by */
let rules: RulesSummary | null = null;
let analyzedRules: RulesSummary | null = null;

const worker = new WorkerClient({
  'routes-loaded': ({ summary }) => {
    const duplicates = summary.duplicates ? `, ${exact(summary.duplicates)} duplicate lines` : '';
    setStatus(el.routesStatus, `${exact(summary.ipv4Routes)} IPv4 and ${exact(summary.ipv6Routes)} IPv6 routes from ${summary.sources.join(', ')}${duplicates}.`);
    document.body.dataset.routes = 'loaded';
    if (capture) analyze(capture); // the counts depend on the table
  },
  'routes-error': ({ message }) => {
    setStatus(el.routesStatus, `${message} — the table in use is unchanged.`, true);
    document.body.dataset.routes = 'error';
    // the table did not change, but loading it stopped the work on the capture in view
    if (capture && interrupted) analyze(capture);
  },
  'filter-set': ({ expression, refusedLinkTypes }) => {
    showFilterError(undefined);
    const refused = refusedLinkTypes.length === 0 ? ''
      : ` libpcap refuses it on link type${refusedLinkTypes.length > 1 ? 's' : ''} ${refusedLinkTypes.map(linkTypeName).join(', ')}: records of those count as filtered.`;
    setStatus(el.filterStatus, expression === null ? 'No filter: every record counts.' : `Counting only what “${expression}” accepts.${refused}`);
    document.body.dataset.filter = expression === null ? 'none' : 'set';
    if (capture) analyze(capture);
  },
  'filter-error': ({ expression, message, column }) => {
    showFilterError({ expression, column, message });
    setStatus(el.filterStatus, 'The filter in use is unchanged.', true);
    document.body.dataset.filter = 'error';
    if (capture && interrupted) analyze(capture);
  },
  'rules-set': ({ summary }) => {
    rules = summary;
    if (summary === null) {
      setStatus(el.rulesStatus, 'No rules.');
      el.rulesFileName.textContent = 'none chosen';
    } else {
      const alerts = summary.rules.filter((r) => r.action === 'alert').length;
      const drops = summary.rules.filter((r) => r.action === 'drop').length;
      setStatus(el.rulesStatus, `${exact(summary.rules.length)} rules from ${summary.source} (${exact(alerts)} alert, ${exact(drops)} drop).`);
    }
    document.body.dataset.ruleset = summary === null ? 'none' : 'loaded';
    if (capture) analyze(capture);
  },
  'rules-error': ({ message }) => {
    setStatus(el.rulesStatus, `${message} — the rules in use are unchanged.`, true);
    document.body.dataset.ruleset = 'error';
    if (capture && interrupted) analyze(capture);
  },
  progress: (reply) => {
    if (reply.run !== run) return;
    el.progress.value = reply.total ? reply.read / reply.total : 0;
    el.progressText.textContent = reply.total ? `${humanBytes(reply.read)} of ${humanBytes(reply.total)}` : humanBytes(reply.read);
  },
  report: (reply) => {
    if (reply.run !== run) return;
    finish();
    reportJson = reply.json;
    report = JSON.parse(new TextDecoder().decode(reply.json)) as Report;
    window.fibscopeReport = report;
    window.fibscopeTiming = reply.timing;
    showReport(report, reply.timing);
    document.body.dataset.analyses = String(Number(document.body.dataset.analyses) + 1);
  },
  timeseries: (reply) => {
    if (reply.run !== run) return;
    series = reply.series;
    window.fibscopeSeries = series;
    const bins = series.series[0]?.packets.length ?? 0;
    el.seriesBins.textContent = `(${bins} bins of ${formatSeconds(series.binSeconds)})`;
    // a time axis of "+200000000 s" is no news: say why
    const wrongTimes = report && reportTimesWarning(report);
    setStatus(el.seriesStatus, wrongTimes ? `The timestamps look wrong (${wrongTimes}): the time axis means little.` : '', Boolean(wrongTimes));
    showSeries();
    document.body.dataset.timeseries = 'ready';
  },
  'timeseries-unavailable': (reply) => {
    if (reply.run !== run) return;
    setStatus(el.seriesStatus, reply.reason);
    document.body.dataset.timeseries = 'unavailable';
  },
  'compare-report': (reply) => whatIf.handle(reply),
  'compare-progress': (reply) => whatIf.handle(reply),
  'compare-error': (reply) => whatIf.handle(reply),
  cancelled: (reply) => {
    if (whatIf.handle(reply)) return;
    if (reply.run !== run) return;
    if (running) {
      finish();
      setStatus(el.captureStatus, `Cancelled: ${captureName} was not analyzed to its end.`);
      document.body.dataset.state = 'cancelled';
      document.body.dataset.timeseries = 'unavailable';
    } else {
      setStatus(el.seriesStatus, 'The time series was cancelled.');
      document.body.dataset.timeseries = 'unavailable';
    }
  },
  'analyze-error': (reply) => {
    if (reply.run !== run) return;
    finish();
    showError(`${captureName}: ${reply.message}`);
    document.body.dataset.state = 'error';
    document.body.dataset.timeseries = 'unavailable';
  },
}, (message) => showError(`The analysis worker stopped: ${message}`));

wireInputs({
  routes(sources, format) {
    if (sources.length === 0) return;
    hideError();
    stopForChange();
    setStatus(el.routesStatus, `Loading ${sources.map(nameOf).join(', ')}…`);
    el.routesFileName.textContent = sources.map(nameOf).join(', ');
    document.body.dataset.routes = 'loading';
    worker.send({ type: 'routes', sources, format });
  },
  capture(source) {
    capture = source;
    whatIf.clear();
    analyze(source);
  },
});
wireClassifyInputs({
  filter(expression) {
    hideError();
    stopForChange();
    document.body.dataset.filter = 'loading';
    worker.send({ type: 'filter', expression });
  },
  rules(source, format) {
    hideError();
    stopForChange();
    setStatus(el.rulesStatus, source ? `Loading ${nameOf(source)}…` : 'Removing the rules…');
    if (source) el.rulesFileName.textContent = nameOf(source);
    document.body.dataset.ruleset = 'loading';
    worker.send({ type: 'rules', source, format });
  },
});
wireLookup(byId('lookup-form'), byId('lookup-input'), byId('lookup-output'), worker);
const whatIf = new WhatIf({
  form: byId('whatif-form'),
  changes: byId('whatif-changes'),
  file: byId('whatif-file'),
  status: byId('whatif-status'),
  results: byId('whatif-results'),
  summary: byId('whatif-summary'),
  moves: byId<HTMLTableElement>('whatif-moves').tBodies[0],
  changed: byId<HTMLTableElement>('whatif-changed').tBodies[0],
}, {
  capture: () => capture,
  send: (compareRun, source, proposed) => worker.send({ type: 'compare', run: compareRun, source, proposed }),
});

el.cancel.addEventListener('click', () => worker.send({ type: 'cancel' }));
el.seriesMetric.addEventListener('change', () => showSeries());
el.barMetric.addEventListener('change', () => showTopRoutes());
window.fibscopeCharts = () => ({ topRoutes: chartView(charts.topRoutesChart, 'x'), timeSeries: chartView(charts.timeSeriesChart, 'y') });
byId('export-json').addEventListener('click', () => download(reportJson, exportName(captureName, 'json'), 'application/json'));
byId('export-csv').addEventListener('click', () => {
  if (!report) return;
  const { by, sort } = table.csvOptions();
  download(csvText(report, by, sort), exportName(captureName, 'csv', by), 'text/csv');
});
// a file dropped outside the two zones would make the browser leave the page to show it
for (const type of ['dragover', 'drop']) window.addEventListener(type, (event) => event.preventDefault());

/** The capture in view is analyzed again once a change is in: stop what is under way. */
function stopForChange(): void {
  interrupted = running || document.body.dataset.timeseries === 'pending';
  worker.send({ type: 'cancel' });
}

/**
 * The expression with a caret under the column (on lines of their own, which scroll rather than
 * wrap, so the caret stays under its character), then the message, which wraps.
 */
function showFilterError(error: { expression: string; column?: number; message: string } | undefined): void {
  el.filterError.hidden = error === undefined;
  el.filterError.replaceChildren();
  if (error === undefined) {
    el.filterInput.removeAttribute('aria-invalid');
    return;
  }
  el.filterInput.setAttribute('aria-invalid', 'true');
  const message = document.createElement('span');
  message.className = 'message';
  message.textContent = error.message;
  if (error.column !== undefined) {
    const pointer = document.createElement('span');
    pointer.className = 'pointer';
    pointer.textContent = `${error.expression}\n${' '.repeat(Math.max(0, error.column - 1))}^\n`;
    el.filterError.append(pointer);
  }
  el.filterError.append(message);
}

function analyze(source: Source): void {
  run++;
  analyzedRules = rules;
  running = true;
  captureName = nameOf(source);
  hideError();
  window.fibscopeReport = undefined;
  window.fibscopeTiming = undefined;
  window.fibscopeSeries = undefined;
  document.body.dataset.state = 'running';
  document.body.dataset.timeseries = 'pending';
  el.progressName.textContent = captureName;
  el.captureFileName.textContent = captureName;
  // the results of the file before must not pass for this one's
  el.results.hidden = true;
  charts.clearTimeSeries();
  el.progress.value = 0;
  el.progressText.textContent = '';
  el.progressBox.hidden = false;
  setStatus(el.captureStatus, '');
  // an analysis or time series under way would hold this one up: it is stale now
  worker.send({ type: 'cancel' });
  worker.send({ type: 'analyze', run, source, view: table.view() });
}

function finish(): void {
  running = false;
  el.progressBox.hidden = true;
}

function showReport(shown: Report, timing: AnalysisTiming): void {
  const input = shown.inputs[0];
  if (input.format === null) {
    // not a capture: the error is all there is to say, an empty report under it says nothing
    document.body.dataset.state = 'error';
    setStatus(el.captureStatus, '');
    showError(`${captureName}: ${input.error ?? 'not a capture'}`);
    return;
  }
  document.body.dataset.state = input.error ? 'damaged' : 'done';
  setStatus(el.captureStatus, `${captureName}: ${exact(shown.totals.records)} records read.`);
  el.resultsName.textContent = `— ${captureName}`;
  el.damage.hidden = !input.error;
  el.damage.textContent = input.error
    ? `${input.path}: ${input.error}. The report below counts everything read before ${input.format === null ? 'that' : 'the damage'}.`
    : '';
  renderSummary(el.summary, el.inputsBody, shown);
  renderRules({ section: el.rulesSection, source: el.rulesSource, body: el.rulesBody }, shown, analyzedRules?.source);
  renderAnomalies({ section: el.anomaliesSection, body: el.anomaliesBody }, shown);
  showTopRoutes();
  charts.clearTimeSeries();
  el.seriesBins.textContent = '';
  setStatus(el.seriesStatus, 'Computing the time series…');
  table.show(shown, document.body.dataset.routes === 'loaded');
  showCsvOptions();
  const rate = timing.analysisMs > 0 ? ` (${(timing.records / timing.analysisMs / 1000).toFixed(2)} M records/s)` : '';
  el.timing.textContent = `Read and analyzed ${exact(timing.records)} records, ${humanBytes(timing.bytes)}, in ${timing.analysisMs.toFixed(0)} ms${rate}; report in ${timing.reportMs.toFixed(0)} ms.`;
  el.results.hidden = false;
}

function showTopRoutes(): void {
  if (!report) return;
  const metric = checkedMetric(el.barMetric);
  el.barMetricName.textContent = metric;
  charts.showTopRoutes(report, metric);
}

function checkedMetric(fieldset: HTMLFieldSetElement): Metric {
  return (fieldset.querySelector('input:checked') as HTMLInputElement).value as Metric;
}

function chartView(chart: Chart | undefined, axis: 'x' | 'y'): ChartView | undefined {
  if (!chart) return undefined;
  return {
    datasets: chart.data.datasets.map((d) => String(d.label)),
    ticks: chart.scales[axis].ticks.map((t) => ({ value: t.value, label: String(t.label) })),
  };
}

function showSeries(): void {
  if (!series) return;
  charts.showTimeSeries(series, checkedMetric(el.seriesMetric));
}

function showCsvOptions(): void {
  const { by, sort } = table.csvOptions();
  el.csvOptions.textContent = `${csvArguments(by)} --sort ${sort}`;
}

function nameOf(source: Source): string {
  return source.kind === 'file' ? source.file.name : source.name;
}

function setStatus(element: HTMLElement, text: string, error = false): void {
  element.textContent = text;
  element.classList.toggle('error-text', error);
}

function showError(message: string): void {
  el.error.textContent = message;
  el.error.hidden = false;
}

function hideError(): void {
  el.error.hidden = true;
  el.error.textContent = '';
}
