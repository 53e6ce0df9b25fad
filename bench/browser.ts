// The browser demo's analysis speed (issue 4): the page's worker streaming a 1M-packet capture
// File into the Analyzer in headless Chromium, against Node's Analyzer.push over the same bytes
// from memory, and against Node reading the same file as the CLI does, all in the same run.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Analyzer, Fib } from 'fibscope';
import type { Browser } from 'playwright-core';
import { bgpLikeTable, writeCapture } from './capture-gen.js';
import type { Figure } from './fib.js';
import { buildSite, CHROMIUM, launchChromium, serveSite, type Site } from './web-harness.js';
import { median } from './median.js';

const RUNS = 5;
const PACKETS = 1_000_000;
const rate = (ms: number) => PACKETS / (ms / 1000) / 1e6;

/** What the page's worker reports (web/src/protocol.ts AnalysisTiming). */
interface Timing {
  run: number;
  records: number;
  analysisMs: number;
  pushMs: number;
  reportMs: number;
}

export async function browserBenchmarks(log: (line: string) => void): Promise<Figure[]> {
  if (!existsSync(CHROMIUM)) {
    log(`browser benchmark skipped: ${CHROMIUM} is not installed (apt-get install chromium)`);
    return [];
  }
  const dir = mkdtempSync(join(tmpdir(), 'fibscope-bench-browser-'));
  let site: Site | undefined;
  let browser: Browser | undefined;
  try {
    await buildSite();
    site = await serveSite();
    browser = await launchChromium();
    const routes = join(dir, 'routes.txt');
    writeFileSync(routes, bgpLikeTable(1, 85_000, 15_000));
    const capture = join(dir, 'capture-1m.pcap');
    const generated = writeCapture(capture, { packets: PACKETS });
    log(`generated ${PACKETS.toLocaleString('en-US')} packets (${(generated.fileBytes / 2 ** 20).toFixed(0)} MiB)`);
    const bytes = readFileSync(capture); // also puts the file in page cache for Chromium

    const page = await browser.newPage();
    await page.goto(site.url);
    await page.setInputFiles('#routes-file', routes);
    await page.waitForFunction(() => document.body.dataset.routes === 'loaded', null, { timeout: 60_000 });
    const browserRuns: Timing[] = [];
    for (let run = 1; run <= RUNS; run++) {
      await page.setInputFiles('#capture-file', capture);
      const timing = await page.waitForFunction(
        () => (window as unknown as { fibscopeTiming?: Timing }).fibscopeTiming, null, { timeout: 120_000, polling: 50 },
      ).then((handle) => handle.jsonValue() as Promise<Timing>);
      if (timing.records !== PACKETS) throw new Error(`the page read ${timing.records} records, not ${PACKETS}`);
      browserRuns.push(timing);
      // the page draws the report after the timing arrives: let it finish before the next run
      await page.waitForFunction(() => document.body.dataset.timeseries !== 'pending', null, { timeout: 120_000 });
    }

    const fib = await Fib.create();
    fib.load(readFileSync(routes, 'utf8'));
    const nodeRuns: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      const analyzer = new Analyzer({ fib });
      const start = performance.now();
      for (let offset = 0; offset < bytes.length; offset += 1 << 20) analyzer.push(bytes.subarray(offset, offset + (1 << 20)));
      analyzer.end();
      nodeRuns.push(performance.now() - start);
      analyzer.dispose();
    }

    // like for like with the page, which reads a file: Node reading the same file as the CLI
    // does (straight into WebAssembly memory, src/analyze/analyze-file.ts)
    const fileRuns: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      const analyzer = new Analyzer({ fib });
      const file = await open(capture, 'r');
      try {
        const start = performance.now();
        let position = 0;
        for (;;) {
          const count = await analyzer.pushFrom(async (view) => (await file.read(view, 0, view.length, position)).bytesRead);
          if (count === 0) break;
          position += count;
        }
        analyzer.end();
        fileRuns.push(performance.now() - start);
      } finally {
        await file.close();
        analyzer.dispose();
      }
    }

    const chromiumMs = median(browserRuns.map((t) => t.analysisMs));
    const pushMs = median(browserRuns.map((t) => t.pushMs));
    const nodeMs = median(nodeRuns);
    const fileMs = median(fileRuns);
    log(`Chromium worker: ${browserRuns.map((t) => t.analysisMs.toFixed(0)).join(', ')} ms; Node from memory: ` +
      `${nodeRuns.map((ms) => ms.toFixed(0)).join(', ')} ms; Node from the file: ${fileRuns.map((ms) => ms.toFixed(0)).join(', ')} ms`);
    return [
      {
        name: 'browser demo: worker reads the File and analyzes it, 1M packets, Chromium',
        value: rate(chromiumMs),
        unit: 'M packets/s',
        peer: rate(nodeMs),
        peerName: 'Node Analyzer.push, same bytes from memory',
        note: `${chromiumMs.toFixed(0)} ms vs ${nodeMs.toFixed(0)} ms: Chromium takes ${(chromiumMs / nodeMs).toFixed(2)}× Node's time`,
      },
      {
        name: 'browser demo: inside Analyzer.push only, same runs, Chromium',
        value: rate(pushMs),
        unit: 'M packets/s',
        peer: rate(nodeMs),
        peerName: 'Node Analyzer.push, same bytes from memory',
        note: `${pushMs.toFixed(0)} ms; report and JSON in the worker ${median(browserRuns.map((t) => t.reportMs)).toFixed(0)} ms`,
      },
      {
        name: 'browser demo: worker reads the File and analyzes it (as above), against Node reading the same file',
        value: rate(chromiumMs),
        unit: 'M packets/s',
        peer: rate(fileMs),
        peerName: 'Node Analyzer.pushFrom the file, as the CLI reads',
        note: `${chromiumMs.toFixed(0)} ms vs ${fileMs.toFixed(0)} ms: ${(chromiumMs / fileMs).toFixed(2)}×`,
      },
    ];
  } finally {
    await browser?.close();
    await site?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
