// The anomalies table: every class the checks counted (docs/checks.md), in the report's fixed
// order, with its packets, bytes, share of the counted packets and busiest source. A class that
// could not be checked says so ("not checked") rather than show a 0 that would read as "none
// seen": strict uRPF needs the capture interface names, which pcap files do not carry.
import type { AnomalyCounters, Report } from '../../src/analyze/report.js';
import { exact } from './format.js';

export interface AnomaliesElements {
  section: HTMLElement;
  body: HTMLTableSectionElement;
}

/** The classes that point at forged or impossible sources: marked, so they stand out. */
const SPOOFING = new Set<AnomalyCounters['class']>(['bogon-source', 'urpf-loose', 'urpf-strict']);

/** Shows the report's anomaly classes, or hides the section when the checks were off. */
export function renderAnomalies(elements: AnomaliesElements, report: Report): void {
  const anomalies = report.anomalies;
  elements.section.hidden = anomalies === undefined;
  elements.body.replaceChildren(...(anomalies ?? []).map((row) => anomalyRow(row, report.totals.counted)));
}

function anomalyRow(row: AnomalyCounters, counted: number | bigint): HTMLTableRowElement {
  const tr = document.createElement('tr');
  tr.dataset.class = row.class;
  tr.className = [SPOOFING.has(row.class) ? 'spoofing' : '', row.checked ? '' : 'not-checked'].filter(Boolean).join(' ');
  const th = document.createElement('th');
  th.scope = 'row';
  th.textContent = row.class;
  const cells: [string, string?][] = row.checked
    ? [[exact(row.packets), 'number'], [exact(row.bytes), 'number'], [share(row.packets, counted), 'number'], [busiest(row)]]
    : [['not checked', 'none'], ['not checked', 'none'], ['–', 'none'], ['–', 'none']];
  const why = row.unchecked === undefined ? '' : row.checked
    ? `${exact(row.unchecked.packets)} packets without a capture interface name not checked`
    : 'no packet had a capture interface name to compare with route devices (pcap: the capture names none)';
  tr.append(th, ...cells.map(([text, className]) => {
    const td = document.createElement('td');
    td.textContent = text;
    if (className) td.className = className;
    return td;
  }));
  const note = document.createElement('td');
  note.className = 'note';
  note.textContent = why;
  tr.append(note);
  return tr;
}

/** Of the counted packets, as a percentage with two decimals ("0.00%" only for none at all). */
function share(packets: number | bigint, counted: number | bigint): string {
  if (Number(counted) === 0) return '–';
  return `${((Number(packets) / Number(counted)) * 100).toFixed(2)}%`;
}

function busiest(row: AnomalyCounters): string {
  const top = row.topSources[0];
  // packets but no address listed: spread over many sources, none of which certainly stands out
  if (!top) return Number(row.packets) === 0 ? '–' : 'none stands out (many sources)';
  // a tracker that saw many sources may overstate (docs/checks.md): say by how much at most
  const high = top.overstatedBy === undefined ? '' : `; may be up to ${exact(top.overstatedBy)} over`;
  return `${top.address} (${exact(top.packets)}${high})`;
}
