// `analyze --threads` and `fibscope merge` against the oracle of one thread over the whole
// capture: random captures, cut at random points (inside records too), must give the same
// report byte for byte.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pcap, pcapng, LINKTYPE } from './helpers/captures.js';
import { tempDir } from './helpers/temp-dir.js';

const CLI = new URL('../dist/cli.js', import.meta.url).pathname;
const dir = tempDir('fibscope-threads-');

// a multipath route too: its counters per next hop are summed by the merge
const ROUTES = ['10.0.0.0/8 via 192.0.2.1', '10.1.0.0/16 via 192.0.2.2', '198.51.100.0/24 dev eth1', '0.0.0.0/1 via 192.0.2.9',
  '128.0.0.0/1 proto static', '\tnexthop via 192.0.2.5 dev eth0 weight 1', '\tnexthop via 192.0.2.6 dev eth1 weight 3'].join('\n');
writeFileSync(join(dir, 'routes.txt'), `${ROUTES}\n`);

function random(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => ((x = (Math.imul(x ^ (x >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0) / 2 ** 32);
}

/** A raw-IPv4 packet to `destination`, `size` bytes, some of them cut short (malformed). */
function ipv4(destination: number, size: number): Uint8Array {
  const bytes = new Uint8Array(Math.max(size, 20));
  const view = new DataView(bytes.buffer);
  bytes[0] = 0x45;
  view.setUint16(2, size);
  bytes[8] = 64;
  bytes[9] = 17;
  view.setUint32(12, 0xc0000201);
  view.setUint32(16, destination);
  return bytes.subarray(0, size);
}

/** Records with strictly increasing times (the order first seen is then the time order). */
function capture(seed: number, records: number, addresses = 40): Uint8Array {
  const next = random(seed);
  const pool = Array.from({ length: addresses }, () => (next() * 2 ** 32) >>> 0);
  return pcap({
    linkType: LINKTYPE.RAW,
    records: Array.from({ length: records }, (_, i) => {
      const size = next() < 0.05 ? 10 : 20 + Math.floor(next() * 200);
      return { ts: { sec: 1_600_000_000 + i, frac: Math.floor(next() * 999_999) }, data: ipv4(pool[Math.floor(next() ** 2 * pool.length)], size) };
    }),
  });
}

function analyze(files: string[], args: string[], env: Record<string, string> = {}): string {
  return execFileSync('node', [CLI, 'analyze', '--no-progress', '-r', join(dir, 'routes.txt'), '-f', 'json', ...args, ...files], {
    env: { ...process.env, FIBSCOPE_THREADS_MIN_RANGE: '1', ...env }, encoding: 'utf8',
  });
}

describe('analyze --threads', () => {
  it('gives the one-thread report byte for byte, over random captures cut at random points', () => {
    for (let seed = 1; seed <= 6; seed++) {
      const path = join(dir, `c${seed}.pcap`);
      writeFileSync(path, capture(seed, 300 + seed * 97));
      const checks = seed % 2 ? ['--no-checks'] : [];
      const one = analyze([path], ['--threads', '1', ...checks]);
      for (const threads of [2, 3, 5]) expect(analyze([path], ['--threads', String(threads), ...checks]), `seed ${seed}, ${threads} threads`).toBe(one);
    }
  }, 120_000);

  it('gives one thread\'s anomaly top lists when the trackers take over slots (far more addresses than slots)', () => {
    for (const seed of [41, 42]) {
      const path = join(dir, `many${seed}.pcap`);
      writeFileSync(path, capture(seed, 3000, 1500));
      const one = analyze([path], ['--threads', '1']);
      // the anomaly trackers hold 64 addresses: these captures make them evict
      const unrouted = JSON.parse(one).anomalies.find((row: { class: string }) => row.class === 'bogon-source');
      expect(unrouted.packets).toBeGreaterThan(1000);
      for (const threads of [2, 4]) {
        // small log parts: the main thread replays them while the workers still read
        const run = spawnSync('node', [CLI, 'analyze', '--no-progress', '-r', join(dir, 'routes.txt'), '-f', 'json', '--threads', String(threads), path], {
          env: { ...process.env, FIBSCOPE_THREADS_MIN_RANGE: '1', FIBSCOPE_THREADS_LOG_PART: '256', FIBSCOPE_DEBUG_THREADS: '1' }, encoding: 'utf8',
        });
        expect(run.stderr, 'read by the threads, not again on one').toMatch(/threads: \d+ pieces \(the first \d+ on the main thread\)/);
        expect(run.stderr).not.toMatch(/one thread instead/);
        expect(run.stdout, `seed ${seed}, ${threads} threads`).toBe(one);
      }
    }
  }, 120_000);

  it('reads pcapng files (two sections, an interface declared mid-file) whole, between pcap ranges, as one thread does', () => {
    const next = random(51);
    const pool = Array.from({ length: 300 }, () => (next() * 2 ** 32) >>> 0);
    const packet = () => ipv4(pool[Math.floor(next() * pool.length)], 20 + Math.floor(next() * 100));
    const epbs = (from: number, count: number, iface: number) => Array.from({ length: count }, (_, i) => ({
      kind: 'epb' as const, interface: iface, ts: BigInt(1_600_000_000 + from + i) * 1_000_000n, data: packet(),
    }));
    const ng = join(dir, 'sections.pcapng');
    writeFileSync(ng, pcapng({
      sections: [
        { interfaces: [{ linkType: LINKTYPE.RAW, name: 'eth0' }], blocks: [...epbs(0, 400, 0), { kind: 'idb', linkType: LINKTYPE.RAW, name: 'eth1' }, ...epbs(400, 400, 1)] },
        { bigEndian: true, interfaces: [{ linkType: LINKTYPE.RAW, tsresol: 9, name: 'eth2' }], blocks: epbs(800, 300, 0).map((b) => ({ ...b, ts: b.ts * 1000n })) },
      ],
    }));
    const before = join(dir, 'before.pcap');
    const after = join(dir, 'after.pcap');
    writeFileSync(before, capture(52, 700, 300));
    writeFileSync(after, capture(53, 700, 300));
    const one = analyze([before, ng, after], ['--threads', '1']);
    expect(JSON.parse(one).inputs[1]).toMatchObject({ format: 'pcapng', records: 1100, error: null });
    for (const threads of [2, 3]) expect(analyze([before, ng, after], ['--threads', String(threads)]), `${threads} threads`).toBe(one);
  }, 60_000);

  it('merges several files, and a damaged one stops where one thread stops', () => {
    const a = join(dir, 'a.pcap');
    const b = join(dir, 'b.pcap');
    writeFileSync(a, capture(11, 500));
    const damaged = capture(12, 500);
    writeFileSync(b, damaged.subarray(0, damaged.length - 7));
    const run = (threads: string) => {
      try {
        return analyze([a, b], ['--threads', threads, '--no-checks']);
      } catch (error) {
        return (error as { stdout: string }).stdout;
      }
    };
    const one = run('1');
    expect(JSON.parse(one).inputs[1].error).toMatch(/cut short/);
    expect(run('2')).toBe(one);
    expect(run('4')).toBe(one);
  }, 60_000);

  it('gives one thread\'s anomaly top lists over several files, the main thread carrying its trackers from file to file', () => {
    const paths = [61, 62, 63].map((seed) => {
      const path = join(dir, `several${seed}.pcap`);
      writeFileSync(path, capture(seed, 2000, 1500));
      return path;
    });
    const one = analyze(paths, ['--threads', '1']);
    for (const threads of [2, 3]) {
      const run = spawnSync('node', [CLI, 'analyze', '--no-progress', '-r', join(dir, 'routes.txt'), '-f', 'json', '--threads', String(threads), ...paths], {
        env: { ...process.env, FIBSCOPE_THREADS_MIN_RANGE: '1', FIBSCOPE_THREADS_LOG_PART: '256', FIBSCOPE_DEBUG_THREADS: '1' }, encoding: 'utf8',
      });
      // two threads: the main thread's stretch is the first file and a range of the second
      expect(run.stderr, `${threads} threads`).toMatch(threads === 2 ? /pieces \(the first 2 on the main thread\)/ : /pieces \(the first \d+ on the main thread\)/);
      expect(run.stdout, `${threads} threads`).toBe(one);
    }
  }, 60_000);

  it('stops where one thread stops when the first range of a single file, read on the main thread, is damaged', () => {
    const path = join(dir, 'damaged-early.pcap');
    const bytes = capture(13, 900);
    // a record header early in the file claims more than libpcap's largest record
    new DataView(bytes.buffer, bytes.byteOffset).setUint32(24 + 8, 0x7fffffff, true);
    writeFileSync(path, bytes);
    const run = (threads: string) => spawnSync('node', [CLI, 'analyze', '--no-progress', '-r', join(dir, 'routes.txt'), '-f', 'json', '--threads', threads, path], {
      env: { ...process.env, FIBSCOPE_THREADS_MIN_RANGE: '1', FIBSCOPE_DEBUG_THREADS: '1' }, encoding: 'utf8',
    });
    const one = run('1');
    expect(JSON.parse(one.stdout).inputs[0].error).toMatch(/captured bytes/);
    for (const threads of ['2', '3']) {
      const several = run(threads);
      expect(several.stderr).toMatch(/pieces \(the first \d+ on the main thread\)/);
      expect(several.stdout, `${threads} threads`).toBe(one.stdout);
    }
  }, 60_000);

  it('leaves out the ranges after a damaged one and merges the next file, as the destinations come in', () => {
    // three files; the middle one, cut in ranges, stops early: its later ranges are read by the
    // workers but must not be counted, while the third file's must
    const [first, middle, last] = [71, 72, 73].map((seed) => join(dir, `middle${seed}.pcap`));
    writeFileSync(first, capture(71, 1500, 600));
    const damaged = capture(72, 3000, 600);
    new DataView(damaged.buffer, damaged.byteOffset).setUint32(24 + 8, 0x7fffffff, true);
    writeFileSync(middle, damaged);
    writeFileSync(last, capture(73, 1500, 600));
    const run = (threads: string) => spawnSync('node', [CLI, 'analyze', '--no-progress', '-r', join(dir, 'routes.txt'), '-f', 'json', '--threads', threads, first, middle, last], {
      env: { ...process.env, FIBSCOPE_THREADS_MIN_RANGE: '1', FIBSCOPE_DEBUG_THREADS: '1' }, encoding: 'utf8',
    });
    const one = run('1');
    const report = JSON.parse(one.stdout);
    expect(report.inputs[1].error).toMatch(/captured bytes/);
    expect(report.inputs[2].records).toBe(1500);
    for (const threads of ['2', '3', '5']) {
      const several = run(threads);
      expect(several.stderr, `${threads} threads`).toMatch(/\d+ pieces/);
      expect(several.stderr, `${threads} threads`).not.toMatch(/one thread instead/);
      expect(several.stdout, `${threads} threads`).toBe(one.stdout);
    }
  }, 60_000);
});

describe('analyzeFiles with threads', () => {
  it('reads on one thread when the table is not what the workers load (a route added after loading): route ids differ', () => {
    const path = join(dir, 'changed.pcap');
    writeFileSync(path, capture(51, 2000, 200));
    const node = new URL('../dist/node.js', import.meta.url).href;
    const script = `
      import { readFileSync } from 'node:fs';
      import { Fib, analyzeFiles } from ${JSON.stringify(node)};
      const bytes = readFileSync(process.argv[2]);
      const fib = await Fib.create();
      fib.load(bytes, { format: 'auto' });
      fib.load('0.0.0.0/2 via 192.0.2.66\\n', { format: 'auto' });
      const routes = async (threads) => (await analyzeFiles([process.argv[3]], { fib, routeSources: [{ bytes }], threads })).routes;
      process.stdout.write(JSON.stringify({ one: await routes(1), two: await routes(2) }));`;
    writeFileSync(join(dir, 'changed.mjs'), script);
    const run = spawnSync('node', [join(dir, 'changed.mjs'), join(dir, 'routes.txt'), path], {
      env: { ...process.env, FIBSCOPE_THREADS_MIN_RANGE: '1', FIBSCOPE_DEBUG_THREADS: '1' }, encoding: 'utf8',
    });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/one thread instead: a worker's table gave its routes other ids/);
    const { one, two } = JSON.parse(run.stdout);
    expect(one.find((route: { prefix: string }) => route.prefix === '0.0.0.0/2').packets).toBeGreaterThan(100);
    expect(two).toEqual(one);
  }, 60_000);
});

describe('fibscope merge', () => {
  it('merging the reports of a capture\'s pieces equals analysing it whole', () => {
    const next = random(99);
    const whole = capture(21, 800);
    // cut at record boundaries: each piece a capture of its own
    const headers: number[] = [];
    for (let at = 24; at < whole.length;) {
      headers.push(at);
      at += 16 + new DataView(whole.buffer).getUint32(at + 8, true);
    }
    const cuts = [0, ...[1, 2].map(() => headers[Math.floor(next() * headers.length)]).sort((x, y) => x - y)];
    const pieces = cuts.map((cut, i) => {
      const end = cuts[i + 1] ?? whole.length;
      const path = join(dir, `piece${i}.pcap`);
      writeFileSync(path, Buffer.concat([whole.subarray(0, 24), whole.subarray(Math.max(cut, 24), end)]));
      writeFileSync(`${path}.json`, analyze([path], ['--threads', '1']));
      return path;
    });
    const wholePath = join(dir, 'whole.pcap');
    writeFileSync(wholePath, whole);
    const expected = JSON.parse(analyze([wholePath], ['--threads', '1', '--no-checks']));
    const merged = execFileSync('node', [CLI, 'merge', ...pieces.map((p) => `${p}.json`)], { encoding: 'utf8' });
    const reportOfMerge = JSON.parse(merged);
    // the inputs are the pieces', everything else the whole capture's
    expect(reportOfMerge.inputs.map((input: { path: string }) => input.path)).toEqual(pieces);
    const { inputs: _a, anomalies, ...rest } = reportOfMerge;
    const { inputs: _b, ...expectedRest } = expected;
    expect(JSON.stringify(rest)).toBe(JSON.stringify(expectedRest));
    expect(anomalies.every((row: { topsMerged: boolean }) => row.topsMerged === false)).toBe(true);
  }, 60_000);

  it('refuses reports of different tables, naming them', () => {
    const path = join(dir, 'tables.pcap');
    writeFileSync(path, capture(31, 100));
    writeFileSync(join(dir, 'other-routes.txt'), '10.0.0.0/8 via 192.0.2.77\n');
    const a = join(dir, 'a.json');
    const b = join(dir, 'b.json');
    writeFileSync(a, analyze([path], ['--threads', '1']));
    writeFileSync(b, execFileSync('node', [CLI, 'analyze', '--no-progress', '-r', join(dir, 'other-routes.txt'), '-f', 'json', path], { encoding: 'utf8' }));
    let message = '';
    try {
      execFileSync('node', [CLI, 'merge', a, b], { encoding: 'utf8', stdio: 'pipe' });
    } catch (error) {
      message = (error as { stderr: string }).stderr;
    }
    expect(message).toMatch(/a\.json and .*b\.json were made with different routing tables/);
    expect(readFileSync(a, 'utf8')).toContain('"inputs"');
  }, 60_000);
});
