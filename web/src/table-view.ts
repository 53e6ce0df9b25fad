// The traffic table: rows by route, next hop, device or destination, or by a source-side view
// (source route, source, capture interface, origin AS of either end, the route matrix by route or
// AS pair); a click on a column header (a button, so the
// keyboard works) sorts by it; a filter box and a top-N choice. A view the report does not hold
// yet is asked for (`needView`): the analysis counts it only then, as `analyze --by K` does.
import type { Report } from '../../src/index.js';
import type { ReportSort } from '../../src/report/options.js';
import { exact } from './format.js';
import {
  COLUMNS, counted, DEFAULT_ORDER, isTableView, missingAs, sortedRows, tableRows, type Column, type ReportBy, type Row, type SortOrder, type TableView,
} from './tables.js';

const NOUNS: Record<ReportBy, string> = {
  route: 'routes', nexthop: 'next hops', dev: 'devices', destination: 'destinations',
  'src-route': 'source routes', source: 'sources', interface: 'capture interfaces',
  as: 'origin ASes', 'src-as': 'source origin ASes', matrix: 'route pairs', 'as-matrix': 'AS pairs',
};

export interface TableElements {
  table: HTMLTableElement;
  caption: HTMLElement;
  count: HTMLElement;
  filter: HTMLInputElement;
  top: HTMLSelectElement;
  by: HTMLFieldSetElement;
}

export class TrafficTable {
  private report: Report | undefined;
  private by: ReportBy = 'route';
  private order: SortOrder = { ...DEFAULT_ORDER };
  /** the sorted rows of the current kind and order: sorting 100,000 destinations once, not per keystroke */
  private sorted: { key: string; rows: Row[] } | undefined;

  constructor(private readonly elements: TableElements, private readonly onChange: () => void,
    private readonly needView: (view: TableView) => void = () => {}) {
    elements.filter.addEventListener('input', () => this.render());
    elements.top.addEventListener('change', () => this.render());
    elements.by.addEventListener('change', (event) => {
      this.chosen = true;
      this.by = (event.target as HTMLInputElement).value as ReportBy;
      this.order = { ...DEFAULT_ORDER };
      this.render();
      this.onChange();
      if (this.report && isTableView(this.by) && !counted(this.report, this.by)) this.needView(this.by);
    });
  }

  /**
   * Shows a report. Without a routing table every route view is empty, so rows by destination
   * are shown instead, as the command line does, until the user picks another kind.
   */
  show(report: Report, hasRoutes = true): void {
    this.report = report;
    this.sorted = undefined;
    if (!hasRoutes && !this.chosen) this.select('destination');
    else if (hasRoutes && !this.chosen) this.select('route');
    this.render();
  }

  /** The source-side view the table shows, which an analysis must count; undefined for the others. */
  view(): TableView | undefined {
    return isTableView(this.by) ? this.by : undefined;
  }

  /** Whether the user picked the kind of rows (then it stays whatever is loaded). */
  private chosen = false;

  private select(by: ReportBy): void {
    if (this.by === by) return;
    this.by = by;
    this.order = { ...DEFAULT_ORDER };
    const input = this.elements.by.querySelector<HTMLInputElement>(`input[value="${by}"]`);
    if (input) input.checked = true;
  }

  /** What `-f csv` should be given for this table: its rows, and its order when it is one the CLI has. */
  csvOptions(): { by: ReportBy; sort: ReportSort } {
    const sort = this.order.key === 'bytes' ? 'bytes' : 'packets';
    return { by: this.by, sort };
  }

  private rows(): Row[] {
    const key = `${this.by} ${this.order.key} ${this.order.descending}`;
    if (this.sorted?.key !== key) this.sorted = { key, rows: sortedRows(this.report as Report, this.by, this.order) };
    return this.sorted.rows;
  }

  private render(): void {
    if (!this.report) return;
    const columns = COLUMNS[this.by] as readonly Column<Row>[];
    const top = Number(this.elements.top.value);
    const { rows, matching, total } = tableRows(this.rows(), this.by, this.elements.filter.value, top);
    const noun = NOUNS[this.by];
    const direction = this.order.descending ? 'descending' : 'ascending';
    const label = columns.find((c) => c.key === this.order.key)?.label.toLowerCase() ?? this.order.key;
    this.elements.caption.textContent = `${noun} by ${label}, ${direction}`;
    this.elements.count.textContent = matching === total
      ? `${exact(rows.length)} of ${exact(total)} ${noun}`
      : `${exact(rows.length)} of ${exact(matching)} matching (${exact(total)} ${noun})`;

    const head = document.createElement('tr');
    for (const column of columns) {
      const th = document.createElement('th');
      th.scope = 'col';
      if (column.kind === 'count') th.className = 'number';
      const sorted = column.key === this.order.key;
      th.setAttribute('aria-sort', sorted ? direction : 'none');
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'sort';
      button.textContent = column.label;
      if (sorted) {
        const arrow = document.createElement('span');
        arrow.setAttribute('aria-hidden', 'true');
        arrow.textContent = this.order.descending ? ' ▼' : ' ▲';
        button.append(arrow);
      }
      button.addEventListener('click', () => this.sortBy(column));
      th.append(button);
      head.append(th);
    }
    this.elements.table.tHead!.replaceChildren(head);

    const body = this.elements.table.tBodies[0];
    // every row would be "no AS data": say what is missing, as the CLI warns
    const missing = total > 0 ? missingAs(this.report, this.by) : undefined;
    if (rows.length === 0 || missing !== undefined) {
      const cell = Object.assign(document.createElement('td'), { colSpan: columns.length, className: 'empty' });
      cell.textContent = missing ?? (total === 0 ? this.emptyText() : 'no row matches the filter');
      const row = document.createElement('tr');
      row.append(cell);
      body.replaceChildren(row);
      return;
    }
    body.replaceChildren(...rows.map((row) => {
      const tr = document.createElement('tr');
      for (const [i, column] of columns.entries()) {
        const cell = document.createElement(i === 0 ? 'th' : 'td');
        if (i === 0) (cell as HTMLTableCellElement).scope = 'row';
        const value = column.value(row);
        if (column.kind === 'count') {
          cell.className = 'number';
          cell.textContent = exact(value as number);
        } else if (value === null) {
          cell.className = 'none';
          cell.textContent = '–';
          cell.title = 'none';
        } else {
          // a time wrapped inside reads as two values
          if (column.kind === 'time') cell.className = 'time';
          cell.textContent = String(value);
        }
        tr.append(cell);
      }
      return tr;
    }));
  }

  private emptyText(): string {
    const report = this.report as Report;
    if (isTableView(this.by) && !counted(report, this.by)) return `counting ${NOUNS[this.by]}…`;
    switch (this.by) {
      case 'destination': return 'no destinations counted';
      case 'source': return 'no sources counted';
      case 'interface': return 'no packets counted';
      case 'src-route': return 'no source routes: no route matched the source of a counted packet (is a routing table loaded?)';
      case 'src-as': return 'no source origin ASes: no route matched the source of a counted packet (is a routing table loaded?)';
      case 'as': return 'no origin ASes: no route matched a counted packet';
      default: return `no ${NOUNS[this.by]}: no route matched a counted packet`;
    }
  }

  private sortBy(column: Column<Row>): void {
    // a second click turns the order round; counts start with the biggest, text with A
    this.order = column.key === this.order.key
      ? { key: column.key, descending: !this.order.descending }
      : { key: column.key, descending: column.kind === 'count' };
    this.render();
    this.onChange();
    // the header was rebuilt: keep the keyboard where it was
    const index = (COLUMNS[this.by] as readonly Column<Row>[]).indexOf(column);
    this.elements.table.tHead?.querySelectorAll<HTMLButtonElement>('button.sort')[index]?.focus();
  }
}
