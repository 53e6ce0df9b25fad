// Where captures and routes come from: file inputs, drops on either zone, the bundled samples,
// and pasted routes. Each hands the page a Source; reading it is the worker's business.
import type { RouteFormat } from '../../src/index.js';
import type { Source } from './protocol.js';

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
