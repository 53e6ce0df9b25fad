// One measurement of the updates suite (bench/updates.ts) in a process of its own, so that no run
// inherits the heap of the others or of the capture's generation: loads ROUTES, reads UPDATES
// (optional), then times CAPTURE through one Analyzer from memory. Prints `{ parseMs, pushMs,
// pushCpuMs }` (CPU time of every thread of the process while pushing).
import { readFileSync } from 'node:fs';
import { Analyzer, Fib, parseUpdates, UpdateApplier } from 'fibscope';

const [routesPath, capturePath, updatesPath] = process.argv.slice(2);
const fib = await Fib.create();
fib.load(readFileSync(routesPath), { source: routesPath });
const capture = readFileSync(capturePath);
let parseMs = 0;
const analyzer = new Analyzer({ fib });
if (updatesPath) {
  const text = readFileSync(updatesPath, 'utf8');
  const start = performance.now();
  const stream = parseUpdates(text, { source: updatesPath });
  parseMs = performance.now() - start;
  analyzer.addClockListener(new UpdateApplier(fib, stream));
}
const cpu = process.cpuUsage();
const start = performance.now();
for (let offset = 0; offset < capture.length; offset += 1 << 20) analyzer.push(capture.subarray(offset, offset + (1 << 20)));
analyzer.end();
const pushMs = performance.now() - start;
const used = process.cpuUsage(cpu);
process.stdout.write(`${JSON.stringify({ parseMs, pushMs, pushCpuMs: (used.user + used.system) / 1000 })}\n`);
