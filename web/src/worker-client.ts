// The page's side of the analysis worker: typed messages out, one handler per reply type in.
import type { PageRequest, WorkerReply } from './protocol.js';

type Handlers = { [T in WorkerReply['type']]?: (reply: Extract<WorkerReply, { type: T }>) => void };

export class WorkerClient {
  private readonly worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
  private readonly lookups = new Map<number, (answer: { text: string; error: boolean }) => void>();
  private nextLookup = 0;

  constructor(handlers: Handlers, onCrash: (message: string) => void) {
    this.worker.onmessage = ({ data }: MessageEvent<WorkerReply>) => {
      if (data.type === 'lookup') {
        this.lookups.get(data.id)?.(data);
        this.lookups.delete(data.id);
        return;
      }
      (handlers[data.type] as ((reply: WorkerReply) => void) | undefined)?.(data);
    };
    this.worker.onerror = (event) => onCrash(event.message || 'the analysis worker failed to start');
  }

  send(request: PageRequest): void {
    this.worker.postMessage(request);
  }

  lookup(addresses: string[]): Promise<{ text: string; error: boolean }> {
    const id = ++this.nextLookup;
    return new Promise((resolve) => {
      this.lookups.set(id, resolve);
      this.send({ type: 'lookup', id, addresses });
    });
  }
}
