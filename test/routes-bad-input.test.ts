import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { FibscopeArgumentError, FibscopeError, RouteFormatError } from '../src/errors.js';
import { parseRoutes, type RouteFormat } from '../src/routes/index.js';
import { readRoutesFile } from '../src/routes/read.js';
import { routeRows } from './helpers/route-rows.js';
import { tempDir } from './helpers/temp-dir.js';

/** The error a parse throws (fails the test when it does not throw). */
function errorOf(text: string, format: RouteFormat | 'auto' = 'auto', source = 'routes.txt'): RouteFormatError {
  try {
    parseRoutes(text, { format, source });
  } catch (error) {
    expect(error).toBeInstanceOf(RouteFormatError);
    return error as RouteFormatError;
  }
  throw new Error(`no error for ${JSON.stringify(text.slice(0, 80))}`);
}

describe('bad route lines', () => {
  it.each([
    ['10.0.0.300/8', "routes.txt:1: expected a prefix like 10.0.0.0/8 or 2001:db8::/32, found '10.0.0.300/8' (not an IPv4 or IPv6 address: '10.0.0.300')"],
    ['10.0.0.0/33', "routes.txt:1: expected a prefix like 10.0.0.0/8 or 2001:db8::/32, found '10.0.0.0/33' (prefix length 33 out of range 0..32 for IPv4)"],
    ['2001:db8::/129', "routes.txt:1: expected a prefix like 10.0.0.0/8 or 2001:db8::/32, found '2001:db8::/129' (prefix length 129 out of range 0..128 for IPv6)"],
    ['10.0.0.0/', "routes.txt:1: expected a prefix like 10.0.0.0/8 or 2001:db8::/32, found '10.0.0.0/' (missing prefix length after '/' in '10.0.0.0/')"],
    ['10.0.0.0/+8', "routes.txt:1: expected a prefix like 10.0.0.0/8 or 2001:db8::/32, found '10.0.0.0/+8' (prefix length '+8' is not a decimal number)"],
    ['foo', "routes.txt:1: expected a prefix like 10.0.0.0/8 or 2001:db8::/32, found 'foo' (not an IPv4 or IPv6 address: 'foo')"],
    ['10.0.0.0/99999999999999999999', "routes.txt:1: expected a prefix like 10.0.0.0/8 or 2001:db8::/32, found '10.0.0.0/99999999999999999999' (prefix length 99999999999999999999 out of range 0..32 for IPv4)"],
    ['fe80::1%eth0/64', "routes.txt:1: expected a prefix like 10.0.0.0/8 or 2001:db8::/32, found 'fe80::1%eth0/64' (not an IPv4 or IPv6 address: 'fe80::1%eth0')"],
    ['/8', "routes.txt:1: expected a prefix like 10.0.0.0/8 or 2001:db8::/32, found '/8' (not an IPv4 or IPv6 address: '')"],
    [',10.0.0.0/8', "routes.txt:1: expected a prefix like 10.0.0.0/8 or 2001:db8::/32, found '' (empty prefix)"],
  ])('plain %j', (line, message) => {
    expect(errorOf(line, 'plain').message).toBe(message);
  });

  it('reports the right line number after comments, blank lines and CRLF', () => {
    const error = errorOf('# head\r\n\r\n10.0.0.0/8 a\r\n   \r\n10.1.0.0/16 b\r\n10.2.0.0/16 c d 1 e\r\n10.3.0.0/16\r\n', 'plain', 'tables/core.txt');
    expect(error.source).toBe('tables/core.txt');
    expect(error.line).toBe(6);
    expect(error.code).toBe('ROUTE_FORMAT');
    expect(error.message).toMatch(/^tables\/core.txt:6: expected at most 4 fields/);
  });

  it('shows control characters escaped and cuts long junk', () => {
    const junk = `${'x'.repeat(500)}/8`;
    const message = errorOf(junk, 'plain').message;
    expect(message.length).toBeLessThan(300);
    expect(message).toContain('…');
    // a raw control character is refused as binary before any parser sees it; one that JSON
    // escapes reaches the parser and is shown escaped
    expect(errorOf('[{"dst": "10.0.0.\\u007f/8"}]', 'ip-json').message).toContain("'10.0.0.\\x7f/8'");
  });

  it('rejects huge numbers everywhere', () => {
    expect(errorOf('10.0.0.0/8 a b 99999999999999999999999', 'plain').message).toMatch(/routes.txt:1: expected a metric 0..4294967295/);
    expect(errorOf('10.0.0.0/8 dev x metric 99999999999999999999', 'ip').message).toMatch(/expected a metric 0..4294967295/);
    expect(errorOf('10.0.0.0/8\n\tnexthop via 1.2.3.4 weight 257', 'ip').message).toMatch(/routes.txt:2: expected a weight 1..256/);
    expect(errorOf('1.0.0.0\t4294967296\t1', 'pfx2as').message).toMatch(/expected a prefix length 0..32/);
    expect(errorOf('[{"dst":"10.0.0.0/8","metric":1e30}]', 'ip-json').message).toMatch(/expected "metric" 0..4294967295/);
  });

  it('names source and line for every format', () => {
    const cases: [RouteFormat, string, number][] = [
      ['plain', '10.0.0.0/8\n10.0.0.0/8\nbad', 3],
      ['ip', 'default via 10.0.0.1 dev eth0\n10.0.0.0/8 dev eth0\n10.0.0.0/8 via nowhere', 3],
      ['ip-json', '[\n{"dst":"10.0.0.0/8"},\n{"dst":"bad"}\n]', 3],
      ['pfx2as', '1.0.0.0\t24\t1\n\n1.0.0.0\t24', 3],
      ['bgpdump', '\n\nTABLE_DUMP2|1|B|1.2.3.4|1|bad|1|IGP|1.2.3.4|0|0|||', 3],
    ];
    for (const [format, text, line] of cases) {
      const error = errorOf(text, format, `in.${format}`);
      expect(error.source).toBe(`in.${format}`);
      expect(error.line).toBe(line);
      expect(error.message.startsWith(`in.${format}:${line}: expected `) || error.message.startsWith(`in.${format}:${line}: entry `)).toBe(true);
    }
  });

  it('defaults the source to <string>', () => {
    expect(() => parseRoutes('junk')).toThrow(/^<string>:1: /);
  });

  it('rejects an unknown format option', () => {
    expect(() => parseRoutes('', { format: 'csv' as RouteFormat })).toThrow(FibscopeArgumentError);
  });
});

describe('empty, binary and repetitive input', () => {
  it('gives an empty list, not an error, for empty and comment-only input', () => {
    for (const format of ['auto', 'plain', 'ip', 'ip-json', 'pfx2as', 'bgpdump'] as const) {
      expect(parseRoutes('', { format }).count).toBe(0);
      if (format !== 'ip-json') expect(parseRoutes('# nothing\n\n  \n', { format }).count).toBe(0);
    }
    expect(parseRoutes('\n\n\n').count).toBe(0);
  });

  it('ignores a UTF-8 byte order mark', () => {
    expect(routeRows(parseRoutes('\ufeff10.0.0.0/8 a'))[0].prefix).toBe('10.0.0.0/8');
  });

  it('says a binary file looks binary, at the line of its first binary byte', () => {
    const nul = errorOf('10.0.0.0/8\n\0\0\0\0', 'plain', 'capture.pcap');
    expect(nul.line).toBe(2);
    expect(nul.message).toBe('capture.pcap:2: expected a text routes file, but it looks binary: a NUL byte at column 1');
    const bytes = gzipSync('10.0.0.0/8\n');
    const decoded = new TextDecoder().decode(bytes);
    expect(errorOf(decoded).message).toMatch(/^routes.txt:1: expected a text routes file, but it looks binary: a control character \(0x1f\) at column 1 \(it is gzip-compressed/);
    // Forced formats check too.
    expect(errorOf('\0', 'ip-json').message).toMatch(/looks binary/);
  });

  it('parses a million duplicate lines, sharing the next hop and device strings', () => {
    const text = '10.0.0.0/8 192.0.2.1 eth0 5\n'.repeat(1_000_000);
    const list = parseRoutes(text, { format: 'plain' });
    expect(list.count).toBe(1_000_000);
    expect(list.line[999_999]).toBe(1_000_000);
    expect(list.nextHop[0]).toBe('192.0.2.1');
    expect(list.nextHop[999_999]).toBe(list.nextHop[0]);
    expect(new Set(list.dev).size).toBe(1);
  });
});

describe('readRoutesFile', () => {
  const dir = tempDir('fibscope-routes-');

  it('reads plain and gzip-compressed files, whatever their name', async () => {
    writeFileSync(join(dir, 'a.txt'), '10.0.0.0/8 gw\n');
    writeFileSync(join(dir, 'b.txt'), gzipSync('10.1.0.0/16 gw\n2001:db8::/32 gw6\n'));
    writeFileSync(join(dir, 'c.gz'), 'blackhole 10.2.0.0/16\n');
    expect(routeRows(await readRoutesFile(join(dir, 'a.txt')))[0].prefix).toBe('10.0.0.0/8');
    expect(routeRows(await readRoutesFile(join(dir, 'b.txt'))).map((r) => r.prefix)).toEqual(['10.1.0.0/16', '2001:db8::/32']);
    expect(routeRows(await readRoutesFile(join(dir, 'c.gz')))[0].type).toBe('blackhole');
  });

  it('names the path in format errors', async () => {
    const path = join(dir, 'bad.txt');
    writeFileSync(path, gzipSync('10.0.0.0/8\n10.0.0.0/40\n'));
    await expect(readRoutesFile(path)).rejects.toThrow(`${path}:2: expected a prefix like`);
    await expect(readRoutesFile(path)).rejects.toBeInstanceOf(RouteFormatError);
  });

  it('says a binary file looks binary', async () => {
    const path = join(dir, 'image.png');
    writeFileSync(path, Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]));
    await expect(readRoutesFile(path)).rejects.toThrow(`${path}:1: expected a text routes file, but it looks binary`);
  });

  it('throws ROUTES_UNREADABLE naming the path and the reason', async () => {
    const missing = join(dir, 'missing.txt');
    const error = await readRoutesFile(missing).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FibscopeError);
    expect((error as FibscopeError).code).toBe('ROUTES_UNREADABLE');
    expect((error as Error).message).toBe(`cannot read routes file ${missing}: no such file or directory (ENOENT)`);

    const folder = join(dir, 'folder');
    mkdirSync(folder);
    await expect(readRoutesFile(folder)).rejects.toThrow(`cannot read routes file ${folder}: it is a directory, not a routes file`);

    const broken = join(dir, 'broken.gz');
    writeFileSync(broken, gzipSync('10.0.0.0/8\n'.repeat(100)).subarray(0, 20));
    const gz = (await readRoutesFile(broken).catch((e: unknown) => e)) as FibscopeError;
    expect(gz.code).toBe('ROUTES_UNREADABLE');
    expect(gz.message).toMatch(/cannot read routes file .*broken.gz: it starts like gzip but does not decompress: /);
  });
});
