import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { tempDir } from './helpers/temp-dir.js';

// The built CLI, run as a user runs it (npm test builds first).
const CLI = new URL('../dist/cli.js', import.meta.url).pathname;
const SAMPLE = new URL('../samples/routes.txt', import.meta.url).pathname;
const dir = tempDir('fibscope-cli-');

function fibscope(...args: string[]) {
  const run = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

function file(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

describe('the command line as the package installs it', () => {
  it('runs as a program of its own (the bin npx and npm link run, and the bundled command line it starts)', () => {
    // run directly, not through `node`: each file must be executable and start with its #! line
    const bin = new URL('../dist/bin.js', import.meta.url).pathname;
    const packageBin = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).bin.fibscope;
    expect(new URL(`../${packageBin}`, import.meta.url).pathname).toBe(bin);
    for (const program of [bin, CLI]) {
      // (Node 20's code cache, src/code-cache.ts, goes to a directory of the test's own)
      const version = spawnSync(program, ['--version'], { encoding: 'utf8', env: { ...process.env, XDG_CACHE_HOME: dir } });
      expect(version.error, program).toBeUndefined();
      expect(version.status, program).toBe(0);
      expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    }
  });
  it("loads none of the service's Node modules to analyze a small capture (node:http alone costs Node 24 about 20 ms of start)", () => {
    const report = "process.on('exit', () => process.stderr.write(JSON.stringify(process.moduleLoadList)))";
    const run = spawnSync(process.execPath, ['--import', `data:text/javascript,${encodeURIComponent(report)}`, CLI, 'analyze', '-r', SAMPLE, '-o', '/dev/null',
      new URL('../samples/edge.pcap', import.meta.url).pathname], { encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    const loaded = JSON.parse(run.stderr.slice(run.stderr.lastIndexOf('[')));
    expect(loaded).toContain('NativeModule fs');
    // (not worker_threads: Node 22 and 24 load it themselves)
    for (const name of ['http', 'https', 'tls', 'crypto']) expect(loaded).not.toContain(`NativeModule ${name}`);
  });
});

describe('fibscope lookup', () => {
  it('prints the matching route per address, like ip route get, with the prefix it matched last', () => {
    const run = fibscope('lookup', '-r', SAMPLE, '8.8.8.8', '10.20.30.40', '2001:4860:4860::8888', '203.0.113.5');
    expect(run.status).toBe(0);
    expect(run.stdout.split('\n')).toEqual([
      '8.8.8.8 via google-dns dev eth0 metric 0 prefix 8.8.8.0/24',
      '10.20.30.40 via 10.255.0.4 dev eth3 metric 0 prefix 10.20.30.40/32',
      '2001:4860:4860::8888 via google-dns dev eth0 metric 0 prefix 2001:4860:4860::/48',
      '203.0.113.5 via 192.0.2.1 dev eth0 metric 100 prefix 0.0.0.0/0',
      '',
    ]);
  });

  it('puts a route type other than unicast first, as ip route get does', () => {
    const routes = file('types.ip', 'blackhole 10.66.0.0/16\nunreachable 10.67.0.0/16 metric 3\n');
    const run = fibscope('lookup', '-r', routes, '10.66.1.1', '10.67.0.9');
    expect(run.stdout).toBe('blackhole 10.66.1.1 metric 0 prefix 10.66.0.0/16\nunreachable 10.67.0.9 metric 3 prefix 10.67.0.0/16\n');
  });

  it('answers in JSON, with null for an address no route covers (exit status 1)', () => {
    const routes = file('v6only.txt', '2001:db8::/32 lab\n');
    const run = fibscope('lookup', '-r', routes, '-f', 'json', '2001:db8::1', '192.0.2.1');
    expect(run.status).toBe(1);
    expect(JSON.parse(run.stdout)).toEqual([
      { address: '2001:db8::1', route: { prefix: '2001:db8::/32', type: 'unicast', nextHop: 'lab', dev: null, metric: 0, nextHops: [{ via: 'lab', dev: null, weight: 1 }] } },
      { address: '192.0.2.1', route: null },
    ]);
  });

  it('shows every next hop of a multipath route from ip route output', () => {
    const routes = file('multipath.ip', '10.9.0.0/16 proto static metric 5\n\tnexthop via 10.0.0.1 dev veth0 weight 1\n\tnexthop via 10.0.0.2 dev veth1 weight 3\n');
    const run = fibscope('lookup', '-r', routes, '10.9.8.7');
    expect(run.stdout).toBe('10.9.8.7 metric 5 prefix 10.9.0.0/16\n\tnexthop via 10.0.0.1 dev veth0 weight 1\n\tnexthop via 10.0.0.2 dev veth1 weight 3\n');
  });

  it('reads gzip-compressed routes whatever the file is called', () => {
    const routes = file('routes.txt', gzipSync('198.51.100.0/24 gz\n'));
    expect(fibscope('lookup', '-r', routes, '198.51.100.9').stdout).toContain('via gz');
  });

  it('merges several routes files, the later one winning for equal routes', () => {
    const a = file('a.txt', '10.0.0.0/8 first\n');
    const b = file('b.txt', '10.0.0.0/8 second\n');
    expect(fibscope('lookup', '-r', a, '-r', b, '10.1.1.1').stdout).toContain('via second');
  });
});

describe('fibscope routes', () => {
  it('summarises the table as JSON', () => {
    const run = fibscope('routes', '-r', SAMPLE, '-f', 'json');
    expect(run.status).toBe(0);
    const summary = JSON.parse(run.stdout);
    expect(summary.ipv4Routes).toBe(14);
    expect(summary.ipv6Routes).toBe(10);
    expect(summary.duplicates).toBe(0);
    expect(summary.prefixLengths.ipv4).toEqual({ '/0': 2, '/4': 1, '/8': 2, '/12': 1, '/16': 2, '/24': 5, '/32': 1 });
    expect(summary.memory.ipv4LookupBytes).toBeGreaterThanOrEqual(1 << 20);
  });

  it('counts duplicate lines instead of storing them twice', () => {
    const routes = file('dups.txt', '10.0.0.0/8 a\n'.repeat(1000));
    const summary = JSON.parse(fibscope('routes', '-r', routes, '-f', 'json').stdout);
    expect(summary.ipv4Routes).toBe(1);
    expect(summary.duplicates).toBe(999);
  });

  it('prints a table of prefix lengths', () => {
    const run = fibscope('routes', '-r', SAMPLE);
    expect(run.stdout).toMatch(/IPv4 routes\s*│\s*14/);
    expect(run.stdout).toMatch(/\/24\s*│\s*5\s*│/);
  });
});

describe('fibscope bad input', () => {
  const cases: [string, () => string[], RegExp][] = [
    ['a malformed prefix', () => ['lookup', '-r', file('bad.txt', '10.0.0.0/8 a\n10.0.0/8 b\n'), '1.1.1.1'], /bad\.txt:2: .*'10\.0\.0\/8'/],
    ['a length out of range', () => ['lookup', '-r', file('len.txt', '\n\n2001:db8::/129\n'), '::1'], /len\.txt:3: .*out of range 0\.\.128/],
    ['a junk line', () => ['routes', '-r', file('junk.txt', '10.0.0.0/8\nhello world\n')], /junk\.txt:2: /],
    ['a binary file', () => ['routes', '-r', file('bin.dat', Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2, 3]))], /bin\.dat:1: .*binary/],
    ['an empty file', () => ['routes', '-r', file('empty.txt', '')], /empty\.txt:1: no routes/],
    ['a file of comments', () => ['routes', '-r', file('comments.txt', '# nothing\n# here\n')], /comments\.txt:1: no routes/],
    ['a missing file', () => ['routes', '-r', join(dir, 'missing.txt')], /cannot read routes file .*missing\.txt/],
    ['a bad address', () => ['lookup', '-r', SAMPLE, '300.1.1.1'], /not an IPv4 or IPv6 address: '300\.1\.1\.1'/],
    ['an unknown routes format', () => ['routes', '-r', SAMPLE, '--routes-format', 'csv'], /invalid/],
    ['an unknown option', () => ['routes', '-r', SAMPLE, '--frobnicate'], /unknown option/],
  ];
  for (const [what, args, message] of cases) {
    it(`exits 2 on ${what}, saying where, without a stack trace`, () => {
      const run = fibscope(...args());
      expect(run.status).toBe(2);
      expect(run.stderr).toMatch(message);
      expect(run.stderr).not.toMatch(/\n\s+at /);
      expect(run.stdout).toBe('');
    });
  }
});

describe('output to a reader that stops early', () => {
  it('ends quietly when the pipe closes, as `| head` does', async () => {
    const capture = new URL('../samples/edge.pcap', import.meta.url).pathname;
    const child = spawn(process.execPath, [CLI, 'analyze', '-r', SAMPLE, '-f', 'json', capture], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => { stderr += chunk; });
    // read the first chunk, then close our end, as `head -c` does
    child.stdout.once('data', () => child.stdout.destroy());
    const status = await new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    expect(stderr).toBe('');
    expect(status).toBe(0);
  });
});
