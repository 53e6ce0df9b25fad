// Where captures, routes and rules come from: file inputs, drops on the zones, the bundled
// samples, pasted routes and rules, and the filter box. Each hands the page a Source (or the
// expression); reading and checking it is the worker's business.
import type { RouteFormat } from '../../src/index.js';
import type { RulesFormatChoice, Source } from './protocol.js';

// The samples ship with the site (Vite copies them into the build): no request leaves it.
const SAMPLE_CAPTURE: Source = { kind: 'url', url: new URL('../../samples/edge.pcap', import.meta.url).href, name: 'edge.pcap' };
const SAMPLE_ROUTES: Source = { kind: 'url', url: new URL('../../samples/routes.txt', import.meta.url).href, name: 'routes.txt' };

export interface InputHandlers {
  routes(sources: Source[], format: RouteFormat | 'auto'): void;
  capture(source: Source): void;
}

const byId = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

export function wireInputs(on: InputHandlers): void {
  const routesFile = byId<HTMLInputElement>('routes-file');
  const routesFormat = byId<HTMLSelectElement>('routes-format');
  const routesText = byId<HTMLTextAreaElement>('routes-text');
  const captureFile = byId<HTMLInputElement>('capture-file');
  const format = () => routesFormat.value as RouteFormat | 'auto';
  const files = (list: FileList | null) => Array.from(list ?? [], (file): Source => ({ kind: 'file', file }));

  routesFile.addEventListener('change', () => {
    if (routesFile.files?.length) on.routes(files(routesFile.files), format());
    routesFile.value = ''; // so that choosing the same (edited) file again loads it again
  });
  byId('routes-sample').addEventListener('click', () => on.routes([SAMPLE_ROUTES], format()));
  byId('routes-apply').addEventListener('click', () => on.routes([{ kind: 'text', text: routesText.value, name: 'pasted routes' }], format()));
  captureFile.addEventListener('change', () => {
    const [file] = files(captureFile.files);
    if (file) on.capture(file);
    // the same file chosen again is a change too (to analyze it again, say with other routes)
    captureFile.value = '';
  });
  byId('capture-sample').addEventListener('click', () => on.capture(SAMPLE_CAPTURE));

  dropZone(byId('routes-drop'), (list) => on.routes(files(list), format()));
  dropZone(byId('capture-drop'), (list) => {
    const [first] = files(list);
    if (first) on.capture(first);
  });
}

export interface ClassifyHandlers {
  /** '' for no filter */
  filter(expression: string): void;
  /** null for no rules */
  rules(source: Source | null, format: RulesFormatChoice): void;
}

export function wireClassifyInputs(on: ClassifyHandlers): void {
  const filterForm = byId<HTMLFormElement>('filter-form');
  const filterInput = byId<HTMLInputElement>('filter-input');
  const rulesFile = byId<HTMLInputElement>('rules-file');
  const rulesFormat = byId<HTMLSelectElement>('rules-format');
  const rulesText = byId<HTMLTextAreaElement>('rules-text');
  const format = () => rulesFormat.value as RulesFormatChoice;

  filterForm.addEventListener('submit', (event) => {
    event.preventDefault();
    on.filter(filterInput.value);
  });
  rulesFile.addEventListener('change', () => {
    const file = rulesFile.files?.[0];
    if (file) on.rules({ kind: 'file', file }, format());
    rulesFile.value = '';
  });
  byId('rules-apply').addEventListener('click', () => on.rules({ kind: 'text', text: rulesText.value, name: 'pasted rules' }, format()));
  byId('rules-clear').addEventListener('click', () => on.rules(null, format()));
  dropZone(byId('rules-drop'), (list) => {
    const file = list[0];
    if (file) on.rules({ kind: 'file', file }, format());
  });
}

function dropZone(zone: HTMLElement, onFiles: (files: FileList) => void): void {
  zone.addEventListener('dragover', (event) => {
    if (!event.dataTransfer?.types.includes('Files')) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = 'copy';
    zone.classList.add('dragging');
  });
  zone.addEventListener('dragleave', (event) => {
    if (!zone.contains(event.relatedTarget as Node | null)) zone.classList.remove('dragging');
  });
  zone.addEventListener('drop', (event) => {
    event.preventDefault();
    zone.classList.remove('dragging');
    if (event.dataTransfer?.files.length) onFiles(event.dataTransfer.files);
  });
}
