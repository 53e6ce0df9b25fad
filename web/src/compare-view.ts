// The page's what-if section: a change list (or proposed routes files) against the table in use,
// over the capture in view, counted once by both (`fibscope compare`); it shows what moves: the
// summary, the move matrix by next hop and the busiest prefixes and destinations that move. The
// comparison is `window.fibscopeCompare` (the JSON, parsed) and `body[data-compare]` says where it
// is (idle, running, ready, error, cancelled), for tests.
import type { CompareReport, Count, Move, MoveEnd, ChangedRoute, ChangedTraffic } from '../../src/index.js';
import { exact, humanBytes } from './format.js';
import type { ProposedTable, Source, WorkerReply } from './protocol.js';

export interface WhatIfElements {
  form: HTMLFormElement;
  changes: HTMLTextAreaElement;
  file: HTMLInputElement;
  status: HTMLElement;
  results: HTMLElement;
  summary: HTMLElement;
  moves: HTMLTableSectionElement;
  changed: HTMLTableSectionElement;
}

export interface WhatIfHost {
  /** The capture in view, if any. */
  capture(): Source | undefined;
  send(run: number, source: Source, proposed: ProposedTable): void;
}

export class WhatIf {
  /** Compare runs count down from -1, apart from the analyses' run numbers. */
  private run = 0;

  constructor(private readonly el: WhatIfElements, private readonly host: WhatIfHost) {
    el.form.addEventListener('submit', (event) => {
      event.preventDefault();
      this.start();
    });
  }

  /** The capture in view changed: a comparison of the one before says nothing about it. */
  clear(): void {
    this.run--;
    this.el.results.hidden = true;
    this.setStatus('');
    window.fibscopeCompare = undefined;
    document.body.dataset.compare = 'idle';
  }

  private start(): void {
    const source = this.host.capture();
    if (!source) return this.fail('Choose a capture first: the comparison counts the capture in view.');
    const files = [...(this.el.file.files ?? [])];
    const text = this.el.changes.value;
    let proposed: ProposedTable;
    if (files.length > 0) proposed = { kind: 'routes', sources: files.map((file) => ({ kind: 'file', file })), format: 'auto' };
    else if (text.trim() !== '') proposed = { kind: 'changes', text };
    else return this.fail('Write changes (add, del or replace lines) or choose a proposed routes file.');
    this.run--;
    window.fibscopeCompare = undefined;
    document.body.dataset.compare = 'running';
    this.el.results.hidden = true;
    this.setStatus('Counting the capture by both tables…');
    this.host.send(this.run, source, proposed);
  }

  /** A reply of the worker for a compare run; false when it is not one. */
  handle(reply: WorkerReply): boolean {
    if (!('run' in reply) || reply.run >= 0) return false;
    if (reply.run !== this.run) return true; // a run since replaced
    switch (reply.type) {
      case 'compare-progress':
        if (reply.total) this.setStatus(`Counting the capture by both tables… ${Math.round((100 * reply.read) / reply.total)}%`);
        return true;
      case 'compare-report':
        this.show(JSON.parse(new TextDecoder().decode(reply.json)) as CompareReport);
        return true;
      case 'compare-error':
        this.fail(reply.message);
        return true;
      case 'cancelled':
        this.setStatus('The comparison was stopped.');
        document.body.dataset.compare = 'cancelled';
        return true;
      default:
        return true;
    }
  }

  private show(report: CompareReport): void {
    window.fibscopeCompare = report;
    const before = report.before.totals;
    const share = (count: Count) => (Number(before.bytes) > 0 ? ` (${((100 * Number(count)) / Number(before.bytes)).toFixed(1)}% of the bytes)` : '');
    this.el.summary.textContent = `${exact(report.moved.packets)} packets, ${humanBytes(Number(report.moved.bytes))}${share(report.moved.bytes)} take another route;`
      + ` ${exact(report.becomesUnrouted.packets)} packets lose their route, ${exact(report.becomesDropped.packets)} become dropped,`
      + ` ${exact(report.becomesRouted.packets)} gain a route.`;
    fillRows(this.el.moves, report.moves.map((move: Move) => [endText(move.from), endText(move.to), exact(move.packets), humanBytes(Number(move.bytes))]));
    fillRows(this.el.changed, report.changed.map((row: ChangedTraffic) => [
      row.address ?? row.prefix ?? '(no route)', routeText(row.from), routeText(row.to), exact(row.packets), humanBytes(Number(row.bytes)),
    ]));
    this.setStatus(`${report.inputs[0]?.path ?? ''}: ${exact(before.counted)} packets counted by both tables.`);
    this.el.results.hidden = false;
    document.body.dataset.compare = 'ready';
  }

  private fail(message: string): void {
    this.setStatus(message, true);
    document.body.dataset.compare = 'error';
  }

  private setStatus(text: string, error = false): void {
    this.el.status.textContent = text;
    this.el.status.classList.toggle('error-text', error);
  }
}

function endText(end: MoveEnd): string {
  if (end === null) return 'no route';
  return [end.nextHop && `via ${end.nextHop}`, end.dev && `dev ${end.dev}`].filter(Boolean).join(' ') || 'direct';
}

function routeText(route: ChangedRoute): string {
  if (route === null) return 'no route';
  const type = route.type === 'unicast' ? '' : `${route.type} `;
  return `${type}${route.prefix} ${endText(route)}`.trim();
}

function fillRows(body: HTMLTableSectionElement, rows: string[][]): void {
  body.replaceChildren(...rows.map((cells) => {
    const tr = document.createElement('tr');
    cells.forEach((text, i) => {
      const td = document.createElement('td');
      td.textContent = text;
      if (i >= cells.length - 2) td.className = 'number';
      tr.append(td);
    });
    return tr;
  }));
}
