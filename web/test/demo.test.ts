// The browser demo end to end: the built site served on localhost, driven in headless Chromium,
// checked against the CLI (`node dist/cli.js`) on the same files: the numbers on the page,
// window.fibscopeReport, the JSON and CSV exports, the lookup box, errors, the time series, a
// filter and rules, the anomaly classes, the source-side views and the origin AS views and
// matrices (against the library's own report and byOriginAs), and that no request leaves the site. Saves web/screenshot.png for the README.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bgpLikeTable, writeCapture } from '../../bench/capture-gen.js';
import { buildSite, CHROMIUM, launchChromium, ROOT, serveSite, type Site } from '../../bench/web-harness.js';
import { missingAsData } from '../../src/analyze/by-as.js';
import { Analyzer, byOriginAs, byOriginAsMatrix, Fib, formatJson, type Report } from '../../src/node.js';
import { reportRows, topRows } from '../../src/report/aggregate.js';
import { viewRows } from '../../src/report/view-rows.js';
import { pcap, pcapng, truncate } from '../../test/helpers/captures.js';
import { ETHERTYPE, ethernet, ipv4, IPPROTO, LINKTYPE, raw, udp, udp4, udp6 } from '../../test/helpers/packets.js';
import { Random } from '../../test/helpers/random.js';
import type {} from '../src/page-hooks.js';
import type { TimeSeries } from '../src/timeseries.js';

const present = existsSync(CHROMIUM);
const CLI = join(ROOT, 'dist', 'cli.js');

/** The CLI in `dir`, so that the paths it reports are the file names the page reports. */
function cli(dir: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd: dir, encoding: 'utf8', maxBuffer: 1 << 28 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe.skipIf(!present)('the browser demo in Chromium, against the CLI', () => {
  let site: Site;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let dir: string;
  const requests: string[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`);
    dir = mkdtempSync(join(tmpdir(), 'fibscope-e2e-'));
    writeFileSync(join(dir, 'routes.txt'), bgpLikeTable(1, 85_000, 15_000));
    // the capture's destinations are drawn from that same table (seed 1)
    writeCapture(join(dir, 'capture.pcap'), { packets: 20_000, seed: 1 });
    await buildSite();
    site = await serveSite();
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1280, height: 1200 }, acceptDownloads: true });
    context.on('request', (request) => requests.push(request.url()));
    page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(site.url);
  });

  afterAll(async () => {
    await browser?.close();
    await site?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Chooses routes files and waits until the table is in (or refused). */
  async function loadRoutes(...names: string[]): Promise<string> {
    await page.setInputFiles('#routes-file', names.map((name) => join(dir, name)));
    await page.waitForFunction(() => ['loaded', 'error'].includes(document.body.dataset.routes ?? ''));
    return (await page.textContent('#routes-status')) ?? '';
  }

  /** Waits for the analysis started by `start`, then for its time series. */
  async function analysis(start: () => Promise<void>): Promise<Report> {
    const before = Number(await page.getAttribute('body', 'data-analyses'));
    await start();
    await page.waitForFunction((n) => Number(document.body.dataset.analyses) > n || document.body.dataset.state === 'error', before);
    await page.waitForFunction(() => ['ready', 'unavailable'].includes(document.body.dataset.timeseries ?? ''));
    return (await page.evaluate(() => window.fibscopeReport)) as Report;
  }

  const analyzeFile = (name: string) => analysis(() => page.setInputFiles('#capture-file', join(dir, name)));
  const charts = async () => (await page.evaluate(() => window.fibscopeCharts?.()))!;
  /** A tick of a byte or packet axis: a round number of one unit, never 9.77 KiB. */
  const ROUND_TICK = /^\d+(\.\d)? ?(B|KiB|MiB|GiB|k|M|G)?$/;

  /** Records, from now on, whether #results was hidden each time the page started an analysis. */
  async function watchResultsOnStart(): Promise<() => Promise<boolean[]>> {
    await page.evaluate(() => {
      const seen: boolean[] = [];
      (window as unknown as { resultsHiddenOnStart: boolean[] }).resultsHiddenOnStart = seen;
      new MutationObserver(() => {
        if (document.body.dataset.state === 'running') seen.push(document.getElementById('results')!.hidden);
      }).observe(document.body, { attributes: true, attributeFilter: ['data-state'] });
    });
    return () => page.evaluate(() => (window as unknown as { resultsHiddenOnStart: boolean[] }).resultsHiddenOnStart.splice(0));
  }
  const number = async (testId: string) => Number(((await page.textContent(`[data-testid="${testId}"]`)) ?? '').replaceAll(',', ''));

  async function downloaded(button: string): Promise<string> {
    const [download] = await Promise.all([page.waitForEvent('download'), page.click(button)]);
    return readFileSync(await download.path(), 'utf8');
  }

  it('leads with destinations before any routing table is loaded, as the CLI does without -r', async () => {
    const report = await analyzeFile('capture.pcap');
    expect(report.routes).toEqual([]);
    expect(await page.textContent('#rows-caption')).toMatch(/^destinations by /);
    expect(await page.isChecked('#by-destination')).toBe(true);
    const firstRow = await page.textContent('#rows-table tbody th');
    const busiest = cli(dir, ['analyze', '-f', 'csv', 'capture.pcap']).stdout.split('\n')[1].split(',')[0];
    expect(firstRow).toBe(busiest);
  });

  it('counts a capture as the CLI does: summary numbers, the report, the JSON export, the table', async () => {
    expect(await loadRoutes('routes.txt')).toMatch(/^85,000 IPv4 and 15,000 IPv6 routes from routes\.txt/);
    const report = await analyzeFile('capture.pcap');
    const expected = cli(dir, ['analyze', '-f', 'json', '-r', 'routes.txt', 'capture.pcap']);
    expect(expected.status).toBe(0);
    const want = JSON.parse(expected.stdout) as Report;
    expect(want.totals.records).toBe(20_000);
    expect(want.routes.length).toBeGreaterThan(20);
    expect(report).toEqual(want);
    expect(await number('records')).toBe(want.totals.records);
    expect(await number('counted')).toBe(want.totals.counted);
    expect(await number('no-route')).toBe(want.totals.noRoute.packets);
    expect(await downloaded('#export-json')).toBe(expected.stdout);

    // the default table is `--by route --sort packets --top 20`
    const csv = cli(dir, ['analyze', '-f', 'csv', '--by', 'route', '--sort', 'packets', '-r', 'routes.txt', 'capture.pcap']).stdout;
    const top20 = csv.trim().split('\n').slice(1, 21).map((line) => line.split(',')[0]);
    expect(await page.$$eval('#rows-table tbody th', (cells) => cells.map((c) => c.textContent))).toEqual(top20);

    // link types by name; the picker names the file analysed (the native one, which would say
    // "No file chosen" once its value is cleared for the next choice, is out of sight)
    expect(want.inputs[0].linkTypes).toEqual([1]);
    expect(await page.textContent('#inputs-body td:nth-child(3)')).toBe('1 (EN10MB)');
    expect(await page.textContent('#capture-file-name')).toBe('capture.pcap');
    expect(await page.textContent('#routes-file-name')).toBe('routes.txt');
    for (const id of ['capture-file', 'routes-file']) {
      expect((await page.locator(`#${id}`).boundingBox())!.width).toBeLessThanOrEqual(1);
      expect(await page.isVisible(`label[for="${id}"]`)).toBe(true);
    }
  });

  it('shows what a change list would move, as `fibscope compare` does with the same table and changes', async () => {
    expect(await loadRoutes('routes.txt')).toMatch(/^85,000 IPv4/);
    const report = await analyzeFile('capture.pcap');
    const [first, second, third] = report.routes;
    const changes = [
      '# the busiest route to a new next hop, the second withdrawn, the third blackholed',
      `replace ${first.prefix} via 198.51.100.77 dev whatif0`,
      `del ${second.prefix}`,
      `replace blackhole ${third.prefix}`,
      '',
    ].join('\n');
    writeFileSync(join(dir, 'changes.txt'), changes);
    const expected = cli(dir, ['compare', '-f', 'json', '-r', 'routes.txt', '--with', 'changes.txt', 'capture.pcap']);
    expect(expected.status, expected.stderr).toBe(0);
    const want = JSON.parse(expected.stdout) as { moved: { packets: number }; becomesDropped: { packets: number }; moves: unknown[]; changed: unknown[] };
    expect(want.moved.packets).toBeGreaterThanOrEqual(first.packets as number);
    expect(want.becomesDropped.packets).toBe(third.packets);

    await page.fill('#whatif-changes', changes);
    await page.click('#whatif-form button[type="submit"]');
    await page.waitForFunction(() => ['ready', 'error'].includes(document.body.dataset.compare ?? ''));
    expect(await page.textContent('#whatif-status')).toMatch(/packets counted by both tables/);
    expect(await page.evaluate(() => window.fibscopeCompare)).toEqual(want);
    expect(await page.locator('#whatif-moves tbody tr').count()).toBe(want.moves.length);
    expect(await page.locator('#whatif-changed tbody tr').count()).toBe(want.changed.length);
    expect(await page.textContent('#whatif-summary')).toContain(`${want.moved.packets.toLocaleString('en-US')} packets`);

    // a bad line is named, and nothing is shown for it
    await page.fill('#whatif-changes', 'replace 10.0.0.0/8 via\n');
    await page.click('#whatif-form button[type="submit"]');
    await page.waitForFunction(() => ['ready', 'error'].includes(document.body.dataset.compare ?? ''));
    expect(await page.getAttribute('body', 'data-compare')).toBe('error');
    expect(await page.textContent('#whatif-status')).toMatch(/^changes:1: expected a value after 'via'/);
    expect(await page.isVisible('#whatif-results')).toBe(false);
  });

  it('charts the top routes by one metric at a time, on round ticks', async () => {
    const report = (await page.evaluate(() => window.fibscopeReport)) as Report;
    for (const metric of ['bytes', 'packets'] as const) {
      await page.click(`label[for="bar-${metric}"]`);
      const { topRoutes } = await charts();
      expect(topRoutes!.datasets).toEqual([metric]);
      expect(await page.textContent('#bar-caption')).toContain(`Top routes by ${metric}`);
      const top = topRows(reportRows(report, 'route', metric), 10).map((r) => r.prefix);
      const label = (await page.getAttribute('#bar-chart', 'aria-label'))!;
      expect(label).toMatch(new RegExp(`^Bar chart of the top ${top.length} routes by ${metric}: `));
      expect(label.slice(label.indexOf(': ') + 2).split('; ').map((part) => part.split(' ')[0])).toEqual(top);
      expect(topRoutes!.ticks.length).toBeGreaterThan(2);
      for (const tick of topRoutes!.ticks) expect(tick.label).toMatch(ROUND_TICK);
    }
    await page.click('label[for="bar-bytes"]');
    for (const metric of ['packets', 'bytes'] as const) {
      await page.click(`label[for="series-${metric}"]`);
      const { timeSeries } = await charts();
      expect(timeSeries!.ticks.length).toBeGreaterThan(2);
      for (const tick of timeSeries!.ticks) expect(tick.label).toMatch(ROUND_TICK);
    }
  });

  it('exports the CSV of the table it shows, as `-f csv --by --sort`', async () => {
    const byRoute = cli(dir, ['analyze', '-f', 'csv', '--by', 'route', '--sort', 'packets', '-r', 'routes.txt', 'capture.pcap']);
    expect(await downloaded('#export-csv')).toBe(byRoute.stdout);

    await page.click('label[for="by-destination"]');
    await page.click('#rows-table thead button:has-text("Bytes")');
    expect(await page.textContent('#csv-options')).toBe('--by destination --sort bytes');
    const byDestination = cli(dir, ['analyze', '-f', 'csv', '--by', 'destination', '--sort', 'bytes', '-r', 'routes.txt', 'capture.pcap']);
    expect(byDestination.stdout.split('\n').length).toBeGreaterThan(1000);
    expect(await downloaded('#export-csv')).toBe(byDestination.stdout);

    // a time stays on one line: its cell is as high as a count's of the same row
    const heights = await page.$$eval('#rows-table tbody tr', (rows) => rows.slice(0, 20).map((r) => {
      const cells = Array.from((r as HTMLTableRowElement).cells);
      const time = cells.find((c) => c.classList.contains('time'))!;
      const lineHeight = parseFloat(getComputedStyle(time).lineHeight);
      return { time: time.getClientRects()[0].height, lineHeight, whiteSpace: getComputedStyle(time).whiteSpace };
    }));
    expect(heights).toHaveLength(20);
    for (const h of heights) {
      expect(h.whiteSpace).toBe('nowrap');
      expect(h.time).toBeLessThan(h.lineHeight * 1.5 + 12); // one line and its padding
    }

    // every point of a "rows by" label is the label's: no radio input lies over it (in view, or
    // elementFromPoint finds nothing there)
    await page.locator('#table-by').scrollIntoViewIfNeeded();
    const stolen = await page.$$eval('#table-by label', (labels) => labels.flatMap((label) => {
      const box = label.getBoundingClientRect();
      const misses: string[] = [];
      // inside the border (a neighbour's border touches it; rounded corners are the fieldset's)
      for (let x = Math.ceil(box.left) + 2; x < box.right - 2; x++) {
        for (let y = Math.ceil(box.top) + 2; y < box.bottom - 2; y++) {
          const hit = document.elementFromPoint(x, y);
          if (hit !== label && !label.contains(hit)) misses.push(`${label.textContent} at ${x},${y}: ${hit?.tagName}`);
        }
      }
      return misses;
    }));
    expect(stolen).toEqual([]);
    // nor anywhere else: a hidden radio or file input takes no click at all
    await page.locator('#table-by').scrollIntoViewIfNeeded();
    const hittable = await page.$$eval('.segmented input, input.file-input', (inputs) => inputs.filter((input) => {
      const box = input.getBoundingClientRect();
      return document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2) === input;
    }).map((input) => input.id));
    expect(hittable).toEqual([]);

    await page.fill('#table-filter', '2a');
    // address and route of each row shown
    const shown = await page.$$eval('#rows-table tbody tr', (rows) => rows.map((r) => `${(r as HTMLTableRowElement).cells[0].textContent} ${(r as HTMLTableRowElement).cells[1].textContent}`));
    expect(shown.length).toBeGreaterThan(0);
    expect(shown.every((text) => text.includes('2a'))).toBe(true);
    expect(await page.textContent('#table-count')).toMatch(/^\d+ of [\d,]+ matching \([\d,]+ destinations\)$/);
    await page.fill('#table-filter', '');
    await page.click('label[for="by-route"]');
  });

  it('charts traffic per route over time, adding up to the report', async () => {
    const report = (await page.evaluate(() => window.fibscopeReport)) as Report;
    const series = (await page.evaluate(() => window.fibscopeSeries)) as TimeSeries;
    expect(series.series).toHaveLength(6);
    expect(series.series[0].packets.length).toBeGreaterThan(10);
    for (const s of series.series) {
      const route = report.routes.find((r) => r.prefix === s.prefix);
      expect(s.packets.reduce((a, b) => a + b, 0)).toBe(route?.packets);
      expect(s.bytes.reduce((a, b) => a + b, 0)).toBe(route?.bytes);
    }
    expect(await page.getAttribute('#series-chart', 'aria-label')).toMatch(/^Line chart of the bytes of 6 routes/);
  });

  it('answers lookups as `fibscope lookup` prints them, errors too', async () => {
    const report = (await page.evaluate(() => window.fibscopeReport)) as Report;
    const addresses = [
      report.destinations.find((d) => d.prefix !== null && !d.address.includes(':'))!.address,
      report.destinations.find((d) => d.prefix !== null && d.address.includes(':'))!.address,
      '10.1.2.3', // the generated table leaves 10/8 unrouted
    ];
    await page.fill('#lookup-input', addresses.join(' '));
    await page.press('#lookup-input', 'Enter');
    const expected = cli(dir, ['lookup', '-r', 'routes.txt', ...addresses]);
    expect(expected.stdout).toMatch(/unreachable: no matching route/);
    await page.waitForFunction((text) => document.getElementById('lookup-output')?.textContent === text, expected.stdout);

    await page.fill('#lookup-input', '10.1.2.300');
    await page.click('#lookup-form button');
    const refused = cli(dir, ['lookup', '-r', 'routes.txt', '10.1.2.300']);
    expect(refused.status).toBe(2);
    const message = refused.stderr.replace(/^fibscope: /, '').trim();
    await page.waitForFunction((text) => document.getElementById('lookup-output')?.textContent === text, message);
  });

  it('shows the error and the partial report of a damaged capture, as the CLI does', async () => {
    const whole = readFileSync(join(dir, 'capture.pcap'));
    writeFileSync(join(dir, 'cut.pcap'), truncate(whole, Math.floor(whole.length * 0.6)));
    const startedWith = await watchResultsOnStart();
    const report = await analyzeFile('cut.pcap');
    // the results of capture.pcap went away as soon as cut.pcap was being read
    expect(await startedWith()).toEqual([true]);
    const expected = cli(dir, ['analyze', '-f', 'json', '-r', 'routes.txt', 'cut.pcap']);
    expect(expected.status).toBe(1);
    const want = JSON.parse(expected.stdout) as Report;
    expect(want.inputs[0].error).toMatch(/cut short/);
    expect(report).toEqual(want);
    expect(await page.getAttribute('body', 'data-state')).toBe('damaged');
    expect(await page.textContent('#damage')).toContain(`cut.pcap: ${want.inputs[0].error}`);
    expect(await number('records')).toBe(want.totals.records);
  });

  it('reads a dropped gzip pcapng with two interfaces as the CLI does', async () => {
    const eth = (dst: string) => ethernet({ etherType: dst.includes(':') ? ETHERTYPE.IPV6 : ETHERTYPE.IPV4, payload: dst.includes(':') ? udp6('2001:db8::1', dst) : udp4('192.0.2.1', dst) });
    const report0 = (await page.evaluate(() => window.fibscopeReport)) as Report;
    const targets = report0.destinations.slice(0, 40).map((d) => d.address);
    const bytes = gzipSync(pcapng({ sections: [{
      interfaces: [{ linkType: LINKTYPE.EN10MB, tsresol: 9 }, { linkType: LINKTYPE.RAW }],
      blocks: targets.map((dst, i) => (i % 3 === 0
        ? { kind: 'epb' as const, interface: 1, ts: 1_767_225_600_000_000n + BigInt(i) * 1000n, data: raw(dst.includes(':') ? udp6('2001:db8::1', dst) : udp4('192.0.2.1', dst)) }
        : { kind: 'epb' as const, interface: 0, ts: 1_767_225_600_000_000_000n + BigInt(i) * 1_000_000n, data: eth(dst), origLen: 1500 })),
    }] }));
    writeFileSync(join(dir, 'dropped.pcapng.gz'), bytes);
    const report = await analysis(async () => {
      const transfer = await page.evaluateHandle((content) => {
        const data = new DataTransfer();
        data.items.add(new File([new Uint8Array(content)], 'dropped.pcapng.gz'));
        return data;
      }, [...bytes]);
      await page.dispatchEvent('#capture-drop', 'drop', { dataTransfer: transfer });
    });
    const expected = cli(dir, ['analyze', '-f', 'json', '-r', 'routes.txt', 'dropped.pcapng.gz']);
    expect(expected.status).toBe(0);
    const want = JSON.parse(expected.stdout) as Report;
    expect(want.inputs[0]).toMatchObject({ format: 'pcapng', linkTypes: [1, 101], records: 40 });
    expect(report).toEqual(want);
    expect(await page.textContent('#inputs-body td:nth-child(3)')).toBe('1 (EN10MB), 101 (RAW)');
    expect(await page.textContent('#capture-file-name')).toBe('dropped.pcapng.gz');
    expect(await page.getAttribute('body', 'data-timeseries')).toBe('ready');
  });

  it('shows the error alone for a file that is not a capture', async () => {
    writeFileSync(join(dir, 'notes.txt'), 'these are notes, not packets\n');
    await analyzeFile('notes.txt');
    const expected = cli(dir, ['analyze', '-f', 'json', '-r', 'routes.txt', 'notes.txt']);
    const want = JSON.parse(expected.stdout) as Report;
    expect(want.inputs[0].format).toBeNull();
    expect(await page.getAttribute('body', 'data-state')).toBe('error');
    expect(await page.textContent('#error')).toBe(`notes.txt: ${want.inputs[0].error}`);
    expect(await page.isVisible('#error')).toBe(true);
    expect(await page.isHidden('#results')).toBe(true);
  });

  it('says when the timestamps of a capture look wrong', async () => {
    const first = JSON.parse(cli(dir, ['analyze', '-f', 'json', '-r', 'routes.txt', 'capture.pcap']).stdout) as Report;
    const routed = first.destinations.filter((d) => d.prefix !== null && !d.address.includes(':')).slice(0, 3).map((d) => d.address);
    // from 1970 to 2031: 22611 days
    writeFileSync(join(dir, 'clock.pcap'), pcap({ linkType: LINKTYPE.RAW, records: routed.map((dst, i) => ({
      ts: { sec: i === 0 ? 0 : 22611 * 86400 - 2 + i, frac: 0 }, data: udp4('192.0.2.1', dst),
    })) }));
    await analyzeFile('clock.pcap');
    expect(await page.textContent('[data-testid="time-span"]')).toBe('22611 d 0 h 0 min');
    expect(await page.textContent('[data-testid="timestamps"]')).toBe('look wrong');
    expect(await page.textContent('#summary')).toContain('the counted packets span 22611 d 0 h 0 min');
    expect(await page.getAttribute('body', 'data-timeseries')).toBe('ready');
    expect(await page.textContent('#series-status')).toBe('The timestamps look wrong (the counted packets span 22611 d 0 h 0 min): the time axis means little.');
  });

  it('cancels an analysis under way, and analyzes again after', async () => {
    // both clicks in one task: the cancel reaches the worker before its first chunk is counted
    await page.evaluate(() => {
      document.getElementById('capture-sample')?.click();
      document.getElementById('cancel')?.click();
    });
    await page.waitForFunction(() => document.body.dataset.state !== 'running');
    expect(await page.getAttribute('body', 'data-state')).toBe('cancelled');
    expect(await page.textContent('#capture-status')).toBe('Cancelled: edge.pcap was not analyzed to its end.');
    expect(await page.isHidden('#progress-box')).toBe(true);
    expect(await page.evaluate(() => window.fibscopeReport)).toBeUndefined();
    const report = await analysis(() => page.click('#capture-sample'));
    expect(report.totals.records).toBe(5000);
  });

  it('names the file and line of a bad routes file, and keeps the table in use', async () => {
    writeFileSync(join(dir, 'bad-routes.txt'), '10.0.0.0/8 a\n192.0.2.0/24 b\n192.0.2.0/33 c\n');
    const status = await loadRoutes('bad-routes.txt');
    const expected = cli(dir, ['analyze', '-r', 'bad-routes.txt', 'capture.pcap']);
    expect(expected.status).toBe(2);
    const message = expected.stderr.replace(/^fibscope: /, '').trim();
    expect(message).toMatch(/^bad-routes\.txt:3: /);
    expect(status).toBe(`${message} — the table in use is unchanged.`);
    expect(await page.getAttribute('body', 'data-routes')).toBe('error');
  });

  it('filters and counts by rules in the page, as the library does with the same capture', async () => {
    const fresh = await context.newPage();
    fresh.on('pageerror', (error) => pageErrors.push(error.message));
    await fresh.goto(site.url);
    await fresh.setInputFiles('#routes-file', join(dir, 'routes.txt'));
    await fresh.waitForFunction(() => document.body.dataset.routes === 'loaded');
    const fib = await Fib.create();
    fib.load(readFileSync(join(dir, 'routes.txt'), 'utf8'));

    // a filter that does not compile: the library's message, the expression and a caret under its column
    const broken = 'tcp and port';
    const refusal = (() => {
      try {
        new Analyzer({ fib, filter: broken }).dispose();
      } catch (error) {
        return error as Error & { column?: number };
      }
      throw new Error(`the library took '${broken}'`);
    })();
    expect(refusal.column).toBeGreaterThan(0);
    await fresh.fill('#filter-input', broken);
    await fresh.press('#filter-input', 'Enter');
    await fresh.waitForFunction(() => document.body.dataset.filter === 'error');
    expect(await fresh.textContent('#filter-error')).toBe(`${broken}\n${' '.repeat(refusal.column! - 1)}^\n${refusal.message}`);
    expect(await fresh.getAttribute('#filter-input', 'aria-invalid')).toBe('true');

    const filter = 'tcp or (udp and dst port 53)';
    await fresh.fill('#filter-input', filter);
    await fresh.press('#filter-input', 'Enter');
    await fresh.waitForFunction(() => document.body.dataset.filter === 'set');
    expect(await fresh.isHidden('#filter-error')).toBe(true);

    // a rules file dropped on its zone; ntp can match nothing, as the filter lets no NTP through
    const rules = [
      '# e2e rules', 'rule ssh alert proto tcp dport 22', 'rule rdp drop proto tcp dport 3389',
      'rule web count proto tcp dport 80,443,8080', 'rule dns count proto udp dport 53', 'rule ntp alert proto udp dport 123', '',
    ].join('\n');
    const transfer = await fresh.evaluateHandle((text) => {
      const data = new DataTransfer();
      data.items.add(new File([text], 'e2e.rules'));
      return data;
    }, rules);
    await fresh.dispatchEvent('#rules-drop', 'drop', { dataTransfer: transfer });
    await fresh.waitForFunction(() => document.body.dataset.ruleset === 'loaded');
    expect(await fresh.textContent('#rules-status')).toBe('5 rules from e2e.rules (2 alert, 1 drop).');

    await fresh.setInputFiles('#capture-file', join(dir, 'capture.pcap'));
    await fresh.waitForFunction(() => document.body.dataset.analyses === '1' && ['ready', 'unavailable'].includes(document.body.dataset.timeseries ?? ''));
    const shown = (await fresh.evaluate(() => window.fibscopeReport)) as Report;

    // the library, in Node, on the same bytes
    // the page checks for anomalies whenever its table has routes, as `analyze -r` does
    const analyzer = new Analyzer({ fib, name: 'capture.pcap', filter, checks: true });
    analyzer.setRules(rules, { source: 'e2e.rules' });
    analyzer.push(readFileSync(join(dir, 'capture.pcap')));
    analyzer.end();
    const want = JSON.parse(formatJson(analyzer.report())) as Report;
    analyzer.dispose();
    expect(want.totals.filtered).toBeGreaterThan(0);
    expect(want.rules!.map((r) => r.packets)).toEqual([expect.any(Number), expect.any(Number), expect.any(Number), expect.any(Number), 0]);
    for (const rule of want.rules!.slice(0, 4)) expect(rule.packets, rule.name).toBeGreaterThan(0);
    expect(shown).toEqual(want);

    // the page's numbers: the summary, and a row per rule in order, alerts and drops marked
    const count = async (testId: string) => Number(((await fresh.textContent(`[data-testid="${testId}"]`)) ?? '').replaceAll(',', ''));
    expect(await count('filtered')).toBe(want.totals.filtered);
    expect(await count('records')).toBe(want.totals.records);
    const rows = await fresh.$$eval('#rules-table tbody tr', (trs) => (trs as HTMLTableRowElement[]).map((tr) => ({
      name: tr.querySelector('th')!.textContent,
      className: tr.className,
      packets: Number(tr.cells[2].textContent!.replaceAll(',', '')),
      bytes: Number(tr.cells[3].textContent!.replaceAll(',', '')),
      background: getComputedStyle(tr).backgroundColor,
    })));
    expect(rows.map(({ name, className, packets, bytes }) => ({ name, className, packets, bytes }))).toEqual([
      ...want.rules!.map((r) => ({ name: r.name, className: `rule action-${r.action}`, packets: r.packets, bytes: r.bytes })),
      { name: 'no rule', className: 'no-rule', packets: want.totals.noRule!.packets, bytes: want.totals.noRule!.bytes },
    ]);
    const background = (action: string) => rows.find((r) => r.className.endsWith(`action-${action}`))!.background;
    expect(new Set([background('count'), background('alert'), background('drop')]).size).toBe(3);

    // the time series' second pass filters too: its bins add up to the filtered report's routes
    const series = (await fresh.evaluate(() => window.fibscopeSeries)) as TimeSeries;
    expect(series.series.length).toBeGreaterThan(0);
    for (const s of series.series) {
      const route = want.routes.find((r) => r.prefix === s.prefix)!;
      expect(s.packets.reduce((a, b) => a + b, 0)).toBe(route.packets);
    }

    // pasted rules with a bad line: the library's message, and the rules in use stay
    const badRules = 'rule ok count proto udp\nrule bad count dport 99999\n';
    const badMessage = (() => {
      const trial = new Analyzer({ fib });
      try {
        trial.setRules(badRules, { source: 'pasted rules' });
      } catch (error) {
        return (error as Error).message;
      } finally {
        trial.dispose();
      }
      throw new Error('the library took the bad rules');
    })();
    expect(badMessage).toMatch(/^pasted rules:2: /);
    await fresh.click('#rules-drop summary');
    await fresh.fill('#rules-text', badRules);
    await fresh.click('#rules-apply');
    await fresh.waitForFunction(() => document.body.dataset.ruleset === 'error');
    expect(await fresh.textContent('#rules-status')).toBe(`${badMessage} — the rules in use are unchanged.`);
    await fresh.close();
  });

  it('shows the anomaly classes and the source-side views as the library counts them, strict uRPF not checked without interface names', async () => {
    // a small router's table, with routes the checks read: devices, and types that drop
    const routes = ['default via 192.0.2.1 dev wan', '10.0.0.0/8 dev lan', '10.9.0.0/16 dev dmz', 'blackhole 198.51.100.0/24',
      'prohibit 192.0.2.128/25', ''].join('\n');
    writeFileSync(join(dir, 'router.txt'), routes);
    // legitimate hosts on each side, and forged, bogon and private sources, on named interfaces
    const addresses = ['10.1.2.3', '10.9.1.1', '1.1.1.1', '192.168.1.5', '127.0.0.1', '198.51.100.7', '192.0.2.200', '100.64.0.9'];
    const interfaces = ['lan', 'wan', 'dmz'];
    const random = new Random(5);
    const blocks = [];
    const records = [];
    for (let i = 0; i < 600; i++) {
      const src = addresses[Math.min(random.below(addresses.length), random.below(addresses.length))];
      const dst = random.below(15) === 0 ? src : addresses[random.below(addresses.length)];
      const data = ipv4({ src, dst, ttl: random.below(4), proto: IPPROTO.UDP, payload: udp({ srcPort: 1000 + i, dstPort: 53 }) });
      blocks.push({ kind: 'epb' as const, interface: random.below(interfaces.length), ts: BigInt(1_700_000_000_000_000 + i * 1000), data });
      records.push({ ts: { sec: 1_700_000_000, frac: i }, data: raw(data) });
    }
    writeFileSync(join(dir, 'forged.pcapng'), pcapng({ sections: [{ interfaces: interfaces.map((name) => ({ linkType: LINKTYPE.RAW, name })), blocks }] }));
    writeFileSync(join(dir, 'forged.pcap'), pcap({ linkType: LINKTYPE.RAW, records }));

    const fib = await Fib.create();
    fib.load(routes);
    const library = (name: string, views?: ConstructorParameters<typeof Analyzer>[0]['views']) => {
      const analyzer = new Analyzer({ fib, name, checks: true, views });
      analyzer.push(readFileSync(join(dir, name)));
      analyzer.end();
      const report = JSON.parse(formatJson(analyzer.report())) as Report;
      analyzer.dispose();
      return report;
    };
    const fresh = await context.newPage();
    fresh.on('pageerror', (error) => pageErrors.push(error.message));
    await fresh.goto(site.url);
    await fresh.setInputFiles('#routes-file', join(dir, 'router.txt'));
    await fresh.waitForFunction(() => document.body.dataset.routes === 'loaded');
    let analyses = 0;
    const shownAfter = async (start: () => Promise<unknown>) => {
      await start();
      analyses++;
      await fresh.waitForFunction((n) => Number(document.body.dataset.analyses) >= n
        && ['ready', 'unavailable'].includes(document.body.dataset.timeseries ?? ''), analyses);
      return (await fresh.evaluate(() => window.fibscopeReport)) as Report;
    };
    const anomalyRows = () => fresh.$$eval('#anomalies-table tbody tr', (trs) => (trs as HTMLTableRowElement[]).map((tr) => ({
      name: tr.querySelector('th')!.textContent, spoofing: tr.classList.contains('spoofing'),
      cells: Array.from(tr.cells).slice(1).map((cell) => cell.textContent),
    })));
    const grouped = (n: number | bigint) => new Intl.NumberFormat('en-US').format(n);

    const named = await shownAfter(() => fresh.setInputFiles('#capture-file', join(dir, 'forged.pcapng')));
    const want = library('forged.pcapng');
    expect(named).toEqual(want);
    expect(await fresh.isVisible('#anomalies-section')).toBe(true);
    const counted = Number(want.totals.counted);
    expect((await anomalyRows()).map(({ name, spoofing, cells }) => ({ name, spoofing, cells: cells.slice(0, 4) }))).toEqual(want.anomalies!.map((row) => ({
      name: row.class,
      spoofing: ['bogon-source', 'urpf-loose', 'urpf-strict'].includes(row.class),
      cells: [grouped(row.packets), grouped(row.bytes), `${((Number(row.packets) / counted) * 100).toFixed(2)}%`,
        row.topSources[0] ? `${row.topSources[0].address} (${grouped(row.topSources[0].packets)})`
          : Number(row.packets) === 0 ? '–' : 'none stands out (many sources)'],
    })));
    // the forged traffic is there: each spoofing class has packets, and strict uRPF was checked
    for (const cls of ['bogon-source', 'private-source', 'urpf-loose', 'urpf-strict', 'dropped', 'land']) {
      expect(want.anomalies!.find((row) => row.class === cls)!.packets, cls).toBeGreaterThan(0);
    }
    expect(want.anomalies!.every((row) => row.checked)).toBe(true);

    // pcap names no interface: strict uRPF is not checked, and the page says so rather than 0
    const unnamed = await shownAfter(() => fresh.setInputFiles('#capture-file', join(dir, 'forged.pcap')));
    const wantUnnamed = library('forged.pcap');
    expect(unnamed).toEqual(wantUnnamed);
    const strict = (await anomalyRows()).find((row) => row.name === 'urpf-strict')!;
    expect(wantUnnamed.anomalies!.find((row) => row.class === 'urpf-strict')).toMatchObject({ checked: false, packets: 0 });
    expect(strict.cells.slice(0, 2)).toEqual(['not checked', 'not checked']);
    expect(strict.cells[4]).toMatch(/no packet had a capture interface name/);

    // the views: a choice of rows the report lacks counts the capture again with it, as `--by VIEW`
    const viewOptions = { 'src-route': { sourceRoutes: true }, source: { sources: true }, interface: { interfaces: true } } as const;
    await shownAfter(() => fresh.setInputFiles('#capture-file', join(dir, 'forged.pcapng')));
    for (const view of ['src-route', 'source', 'interface'] as const) {
      const shown = await shownAfter(() => fresh.click(`label[for="by-${view}"]`));
      const wantView = library('forged.pcapng', viewOptions[view]);
      expect(shown, view).toEqual(wantView);
      const rows = viewRows(wantView, view, 'packets');
      expect(rows.length, view).toBeGreaterThan(1);
      const key = (row: (typeof rows)[number]) => ('prefix' in row && view === 'src-route' ? row.prefix : 'address' in row ? row.address : (row as { name: string | null }).name ?? '–');
      await fresh.waitForFunction(() => document.querySelectorAll('#rows-table tbody th').length > 1);
      expect(await fresh.$$eval('#rows-table tbody th', (cells) => cells.map((c) => c.textContent)), view).toEqual(topRows(rows, 20).map(key));
      expect(await fresh.textContent('#csv-options')).toBe(`--by ${view} --sort packets`);
    }
    await fresh.close();
  });

  it('shows traffic by origin AS, source origin AS and the route and AS matrices as the library counts them', async () => {
    // a pfx2as table: every route has its origin AS; 8.8.8.8 has no route at all
    const pfx2as = [['10.0.0.0', 8, 64500], ['10.9.0.0', 16, 64501], ['1.1.1.0', 24, 13335], ['192.168.0.0', 16, 64502],
      ['172.16.0.0', 12, 64500]].map(([address, length, as]) => `${address}\t${length}\t${as}`).join('\n') + '\n';
    writeFileSync(join(dir, 'origins.pfx2as'), pfx2as);
    const addresses = ['10.1.2.3', '10.9.1.1', '1.1.1.1', '192.168.1.5', '172.16.3.4', '8.8.8.8'];
    const random = new Random(13);
    const records = [];
    for (let i = 0; i < 400; i++) {
      const src = addresses[Math.min(random.below(addresses.length), random.below(addresses.length))];
      const dst = addresses[random.below(addresses.length)];
      const data = ipv4({ src, dst, proto: IPPROTO.UDP, payload: udp({ srcPort: 1000 + i, dstPort: 53, payload: new Uint8Array(random.below(200)) }) });
      records.push({ ts: { sec: 1_700_000_000, frac: i }, data: raw(data) });
    }
    writeFileSync(join(dir, 'origins.pcap'), pcap({ linkType: LINKTYPE.RAW, records }));

    const fib = await Fib.create();
    fib.load(pfx2as, { format: 'pfx2as', source: 'origins.pfx2as' });
    const library = (views?: ConstructorParameters<typeof Analyzer>[0]['views']) => {
      const analyzer = new Analyzer({ fib, name: 'origins.pcap', checks: true, views });
      analyzer.push(readFileSync(join(dir, 'origins.pcap')));
      analyzer.end();
      const report = JSON.parse(formatJson(analyzer.report())) as Report;
      analyzer.dispose();
      return report;
    };
    const fresh = await context.newPage();
    fresh.on('pageerror', (error) => pageErrors.push(error.message));
    await fresh.goto(site.url);
    await fresh.setInputFiles('#routes-file', join(dir, 'origins.pfx2as'));
    await fresh.waitForFunction(() => document.body.dataset.routes === 'loaded');
    let analyses = 0;
    const shownAfter = async (start: () => Promise<unknown>) => {
      await start();
      analyses++;
      await fresh.waitForFunction((n) => Number(document.body.dataset.analyses) >= n
        && ['ready', 'unavailable'].includes(document.body.dataset.timeseries ?? ''), analyses);
      return (await fresh.evaluate(() => window.fibscopeReport)) as Report;
    };
    const tableRows = () => fresh.$$eval('#rows-table tbody tr', (trs) => (trs as HTMLTableRowElement[]).map((tr) => Array.from(tr.cells).map((cell) => cell.textContent)));
    const grouped = (n: number | bigint) => new Intl.NumberFormat('en-US').format(n);
    const asText = (as: number | null) => (as === null ? 'no AS data' : `AS${as}`);
    const sorted = (rows: (string | null)[][]) => rows.map((row) => row.join(' | ')).sort();
    const exportedCsv = async () => {
      const [download] = await Promise.all([fresh.waitForEvent('download'), fresh.click('#export-csv')]);
      return readFileSync(await download.path(), 'utf8');
    };
    const cliCsv = (...args: string[]) => cli(dir, ['analyze', '-f', 'csv', ...args, '--sort', 'packets', '-r', 'origins.pfx2as', 'origins.pcap']).stdout;

    const plain = await shownAfter(() => fresh.setInputFiles('#capture-file', join(dir, 'origins.pcap')));
    expect(plain).toEqual(library());
    await fresh.selectOption('#table-top', '1000'); // every matrix cell and its `other` row
    expect(plain.routes.every((route) => route.originAs !== undefined)).toBe(true);

    // by origin AS: the routes are always counted, so no second run; byOriginAs's order is the CLI's
    await fresh.click('label[for="by-as"]');
    const byAs = byOriginAs(plain.routes);
    expect(byAs.length).toBeGreaterThan(2);
    expect(await tableRows()).toEqual(byAs.map((row) => [asText(row.as), grouped(row.packets), grouped(row.bytes), grouped(row.prefixes)]));
    expect(await fresh.textContent('#csv-options')).toBe('--by as --sort packets');
    expect(await exportedCsv()).toBe(cliCsv('--by', 'as'));

    // by source origin AS: counted again with the source routes, as `--by src-as`
    const withSources = await shownAfter(() => fresh.click('label[for="by-src-as"]'));
    expect(withSources).toEqual(library({ sourceRoutes: true }));
    const bySourceAs = byOriginAs(withSources.sourceRoutes!);
    expect(bySourceAs.length).toBeGreaterThan(2);
    await fresh.waitForFunction((n) => document.querySelectorAll('#rows-table tbody th').length === n, bySourceAs.length);
    expect(await tableRows()).toEqual(bySourceAs.map((row) => [asText(row.as), grouped(row.packets), grouped(row.bytes), grouped(row.prefixes)]));

    // the route matrix: counted again with it (top 1000, so every pair is a cell here), its `other` row last
    const withMatrix = await shownAfter(() => fresh.click('label[for="by-matrix"]'));
    expect(withMatrix).toEqual(library({ matrix: { top: 1000 } }));
    const matrix = withMatrix.matrix!;
    expect(matrix.cells.length).toBeGreaterThan(5);
    await fresh.waitForFunction(() => document.querySelectorAll('#rows-table tbody th').length > 1);
    const matrixRows = await tableRows();
    const none = (text: string | null) => text ?? '–';
    expect(sorted(matrixRows.slice(0, -1))).toEqual(sorted(matrix.cells.map((cell) => [none(cell.from), none(cell.to), grouped(cell.packets), grouped(cell.bytes)])));
    expect(matrixRows.at(-1)).toEqual([`other (${matrix.other.cells} route pairs)`, '–', grouped(matrix.other.packets), grouped(matrix.other.bytes)]);
    expect(await fresh.textContent('#csv-options')).toBe('--by matrix --matrix src-route,route --top 1000 --sort packets');
    expect(await exportedCsv()).toBe(cliCsv('--by', 'matrix', '--matrix', 'src-route,route', '--top', '1000'));

    // the AS matrix: the same report, its cells summed by AS pair
    await fresh.click('label[for="by-as-matrix"]');
    const asMatrix = byOriginAsMatrix(matrix);
    const asMatrixRows = await tableRows();
    expect(asMatrixRows.length).toBe(asMatrix.cells.length + 1);
    const pairs = (from: number | null, to: number | null) => matrix.cells.filter((cell) => (cell.fromOriginAs ?? null) === from && (cell.toOriginAs ?? null) === to).length;
    expect(sorted(asMatrixRows.slice(0, -1))).toEqual(sorted(asMatrix.cells.map((cell) =>
      [asText(cell.from), asText(cell.to), grouped(pairs(cell.from, cell.to)), grouped(cell.packets), grouped(cell.bytes)])));
    expect(asMatrixRows.at(-1)).toEqual([`other (${asMatrix.other.cells} route pairs)`, '–', grouped(asMatrix.other.cells),
      grouped(asMatrix.other.packets), grouped(asMatrix.other.bytes)]);
    expect(await fresh.textContent('#csv-options')).toBe('--by matrix --matrix src-as,as --top 1000 --sort packets');
    expect(await exportedCsv()).toBe(cliCsv('--by', 'matrix', '--matrix', 'src-as,as', '--top', '1000'));

    // a table without AS data: the view says what is missing, as the CLI warns, not a table of "no AS data"
    writeFileSync(join(dir, 'no-origins.txt'), '10.0.0.0/8 dev lan\n1.1.1.0/24 via 192.0.2.1 dev wan\n');
    await fresh.click('label[for="by-as"]');
    // a new table counts the capture in view again
    const bare = await shownAfter(() => fresh.setInputFiles('#routes-file', join(dir, 'no-origins.txt')));
    expect(bare.routes.length).toBeGreaterThan(0);
    const message = missingAsData('--by as', bare.routes);
    expect(message).toMatch(/needs routes with AS data/);
    await fresh.waitForFunction((text) => document.querySelector('#rows-table tbody td')?.textContent === text, message);
    await fresh.close();
  });

  it('runs the bundled samples in a fresh page, and is photographed doing so', async () => {
    const fresh = await context.newPage();
    fresh.on('pageerror', (error) => pageErrors.push(error.message));
    await fresh.setViewportSize({ width: 1100, height: 1150 });
    await fresh.goto(site.url);
    await fresh.click('#routes-sample');
    await fresh.waitForFunction(() => document.body.dataset.routes === 'loaded');
    await fresh.click('#capture-sample');
    await fresh.waitForFunction(() => document.body.dataset.analyses === '1' && document.body.dataset.timeseries === 'ready');
    const expected = cli(ROOT, ['analyze', '-f', 'json', '-r', 'samples/routes.txt', 'samples/edge.pcap']);
    const want = JSON.parse(expected.stdout) as Report;
    want.inputs[0].path = 'edge.pcap';
    expect(await fresh.evaluate(() => window.fibscopeReport)).toEqual(want);
    await fresh.screenshot({ path: join(ROOT, 'web', 'screenshot.png') });

    const addresses = ['8.8.8.8', '2001:4860:4860::8888', '10.20.30.40'];
    await fresh.fill('#lookup-input', addresses.join(' '));
    await fresh.press('#lookup-input', 'Enter');
    const lookup = cli(ROOT, ['lookup', '-r', 'samples/routes.txt', ...addresses]).stdout;
    await fresh.waitForFunction((text) => document.getElementById('lookup-output')?.textContent === text, lookup);
    await fresh.close();
  });

  it('asked for nothing beyond its own files, and threw nothing', () => {
    expect(pageErrors).toEqual([]);
    expect(requests.length).toBeGreaterThan(5);
    expect(requests.some((url) => url.endsWith('.wasm'))).toBe(true);
    const outside = requests.filter((url) => !url.startsWith(`${site.origin}/`) && !/^(data|blob):/.test(url));
    expect(outside).toEqual([]);
  });
});

it.runIf(!present)('the browser demo end to end (skipped: no Chromium)', () => {
  console.log(`browser demo e2e skipped: ${CHROMIUM} is not installed (apt-get install chromium chromium-driver)`);
});
