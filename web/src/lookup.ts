// The lookup box: the route of each address, printed as `fibscope lookup -r ROUTES ADDRESS...`
// prints it (formatLookups, run in the worker against the table in use).
import type { WorkerClient } from './worker-client.js';

export function wireLookup(form: HTMLFormElement, input: HTMLInputElement, output: HTMLElement, worker: WorkerClient): void {
  let asked = 0;
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const addresses = input.value.split(/[\s,]+/).filter((word) => word !== '');
    if (addresses.length === 0) {
      output.textContent = 'Type one or more IPv4 or IPv6 addresses.';
      output.classList.add('error-text');
      return;
    }
    const id = ++asked;
    const answer = await worker.lookup(addresses);
    if (id !== asked) return; // a newer question is on its way
    output.textContent = answer.text;
    output.classList.toggle('error-text', answer.error);
  });
}
