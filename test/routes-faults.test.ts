import { spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  analyzeFile, Fib, FibscopeError, parseRoutes, readRoutesBytes, RouteFormatError, type RouteFormat,
} from '../src/node.js';
import { MAX_JSON_DEPTH } from '../src/routes/ip-json.js';
import { findJsonSyntaxError, offsetInJsonMessage } from '../src/routes/json-syntax.js';
import { Random } from './helpers/random.js';
import { routesText, routeText } from './helpers/route-texts.js';
import { tempDir } from './helpers/temp-dir.js';

// The smaller parser faults of issue 9, each as a user met it: deep ip-json, ip-json syntax
// errors named on line 1, binary bytes past the first 4 KiB, a byte order mark read two ways,
// and a directory given where a file belongs.

const FORMATS: RouteFormat[] = ['plain', 'ip', 'ip-json', 'pfx2as', 'bgpdump'];
const utf8 = new TextEncoder();

function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  return undefined;
}

function routeError(run: () => unknown): RouteFormatError {
  const error = thrown(run);
  expect(error).toBeInstanceOf(RouteFormatError);
  return error as RouteFormatError;
}

/** A table with one route in it, to see that a failed load leaves it as it was. */
async function fibWithOneRoute(): Promise<Fib> {
  const fib = await Fib.create();
  fib.load('192.0.2.0/24 keep eth9 7\n', { format: 'plain' });
  return fib;
}

function expectUnchanged(fib: Fib): void {
  expect(routesText(fib.routes())).toEqual(['192.0.2.0/24 unicast "keep" "eth9" 7']);
  expect(fib.stats()).toMatchObject({ ipv4Routes: 1, ipv6Routes: 0 });
}

/** The 1-based line and column of `offset` in `text`, counted the slow obvious way. */
function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: before[before.length - 1].length + 1 };
}

describe('ip-json nested deeper than any ip output', () => {
  it('is a RouteFormatError naming the line, not a stack overflow, however deep', async () => {
    const deep = `${'['.repeat(5000)}${']'.repeat(5000)}`;
    expect(routeError(() => parseRoutes(deep, { source: 'deep.json' })).message)
      .toBe(`deep.json:1: expected JSON routes (the output of ip -j route show), but it nests deeper than ${MAX_JSON_DEPTH} levels here`);

    // deep inside the third entry, which starts on line 4
    const nested = `[\n  {"dst": "10.0.0.0/8"},\n  {"dst": "10.1.0.0/16"},\n  {"dst": "10.2.0.0/16",\n   "x": ${'['.repeat(100_000)}${']'.repeat(100_000)}}\n]\n`;
    expect(routeError(() => parseRoutes(nested, { format: 'ip-json' })).line).toBe(5);

    const fib = await fibWithOneRoute();
    expect(routeError(() => fib.load(utf8.encode(nested), { source: 'n.json' })).message).toMatch(/^n\.json:5: .*nests deeper/);
    expectUnchanged(fib);
  });

  it('reads nesting up to the limit, and refuses one level more', () => {
    // the top array and the entry are two levels; the rest is an ignored key's value
    const entry = (levels: number) => `[{"dst": "10.0.0.0/8", "x": ${'['.repeat(levels - 2)}${']'.repeat(levels - 2)}}]`;
    expect(parseRoutes(entry(MAX_JSON_DEPTH), { format: 'ip-json' }).count).toBe(1);
    expect(routeError(() => parseRoutes(entry(MAX_JSON_DEPTH + 1), { format: 'ip-json' })).message).toMatch(/nests deeper/);
    // an entry that is deep but not an object is an ordinary bad entry, described briefly
    const arrays = `[${'['.repeat(MAX_JSON_DEPTH - 1)}${']'.repeat(MAX_JSON_DEPTH - 1)}]`;
    expect(routeError(() => parseRoutes(arrays, { format: 'ip-json' })).message).toMatch(/entry 1: expected a route object .*, found \[\[\[/);
  });
});

describe('ip-json that does not parse', () => {
  // Corruptions whose first bad character is known: [what to insert, where, the offset of the
  // first bad character relative to the insertion].
  const corruptions: { name: string; apply: (json: string, random: Random) => { text: string; bad: number } }[] = [
    { name: 'a stray character between tokens', apply: (json, random) => {
      const at = pick(json, random, /,\n/g) + 1;
      return { text: `${json.slice(0, at)}@${json.slice(at)}`, bad: at };
    } },
    { name: 'a semicolon for a comma between entries', apply: (json, random) => {
      const at = pick(json, random, /\},\n/g) + 1;
      return { text: `${json.slice(0, at)};${json.slice(at + 1)}`, bad: at };
    } },
    { name: 'a trailing comma in an object', apply: (json, random) => {
      const at = pick(json, random, /\]\n *\}/g) + 1;
      const close = json.indexOf('}', at);
      return { text: `${json.slice(0, at)},${json.slice(at)}`, bad: close + 1 };
    } },
    { name: 'a bad escape in a string', apply: (json, random) => {
      const at = pick(json, random, /"eth/g) + 1;
      return { text: `${json.slice(0, at)}\\q${json.slice(at)}`, bad: at + 1 };
    } },
    { name: 'a misspelt literal', apply: (json, random) => {
      const at = pick(json, random, /"metric": /g) + '"metric": '.length;
      const end = json.indexOf(',', at);
      return { text: `${json.slice(0, at)}tru${json.slice(end)}`, bad: at + 3 };
    } },
    { name: 'a number with nothing after its point', apply: (json, random) => {
      const at = pick(json, random, /"metric": \d+/g) + '"metric": '.length;
      return { text: `${json.slice(0, at)}1.${json.slice(json.indexOf(',', at))}`, bad: at + 2 };
    } },
  ];

  /** The offset of a random match of `pattern` past the first entry. */
  function pick(json: string, random: Random, pattern: RegExp): number {
    const offsets = [...json.matchAll(pattern)].map((m) => m.index).filter((i) => i > 200);
    return offsets[random.below(offsets.length)];
  }

  it('names the line and column of the bad character, not the line the array starts on', () => {
    const random = new Random(9);
    // a blank line and a comment-free second array before the bad one shift the lines
    const before = '[{"dst": "192.0.2.0/24"}]\n\n';
    const json = routeText('ip-json', 60);
    for (const corruption of corruptions) {
      for (let round = 0; round < 10; round++) {
        const { text, bad } = corruption.apply(json, random);
        const input = before + text;
        const expected = lineAndColumn(input, before.length + bad);
        const error = routeError(() => parseRoutes(input, { format: 'ip-json', source: 'r.json' }));
        expect(`${corruption.name}: ${error.message}`).toMatch(new RegExp(`^${corruption.name}: r\\.json:${expected.line}: expected JSON \\(the output of ip -j route show\\), but it does not parse at column ${expected.column}: `));
      }
    }
  });

  it('reads the position out of the SyntaxError message of each Node version', () => {
    const json = '[\n {"a": 1,\n  }\n]';
    // Node 18 (V8 10)
    expect(offsetInJsonMessage('Unexpected token } in JSON at position 14', json)).toBe(14);
    // Node 20 (V8 11): some errors have a position, some only quote the text
    expect(offsetInJsonMessage('Expected double-quoted property name in JSON at position 14', json)).toBe(14);
    expect(offsetInJsonMessage(`Unexpected token '}', "${json}" is not valid JSON`, json)).toBe(-1);
    expect(offsetInJsonMessage('Unexpected end of JSON input', json)).toBe(-1);
    // Node 22 (V8 12): the position and its line and column, 1-based, in the parsed text
    expect(offsetInJsonMessage('Expected double-quoted property name in JSON at position 14 (line 3 column 3)', json)).toBe(14);
    // a quote of the text that holds the words is not a position
    expect(offsetInJsonMessage('Unexpected token \'x\', "in JSON at position 3" is not valid JSON', json)).toBe(-1);
  });

  it('finds the first bad character where V8 does, and calls valid exactly what JSON.parse accepts', () => {
    const random = new Random(21);
    const seeds = [routeText('ip-json', 4), JSON.stringify(JSON.parse(routeText('ip-json', 4))),
      '{"a": [1, -2.5e+3, true, false, null, "\\u00e9\\n\\"x"], "b": {}}', '[[], [[]], {"": 0}]'];
    const junk = ['{', '}', '[', ']', ',', ':', '"', '\\', '-', '.', 'e', '0', '1', 't', 'n', ' ', '\n', 'u', 'x'];
    let positioned = 0;
    for (let n = 0; n < 3000; n++) {
      let text = seeds[random.below(seeds.length)];
      for (let edits = 1 + random.below(3); edits > 0; edits--) {
        const at = random.below(text.length + 1);
        const kind = random.below(3);
        if (kind === 0) text = text.slice(0, at) + junk[random.below(junk.length)] + text.slice(at);
        else if (kind === 1) text = text.slice(0, at) + text.slice(at + 1);
        else text = text.slice(0, at);
      }
      let message: string | undefined;
      try {
        JSON.parse(text);
      } catch (error) {
        message = (error as Error).message;
      }
      const found = findJsonSyntaxError(text);
      if (message === undefined) {
        expect(found, text).toBe(-1);
        continue;
      }
      expect(found, `${text} (${message})`).toBeGreaterThanOrEqual(0);
      const v8 = offsetInJsonMessage(message, text);
      if (v8 >= 0) {
        positioned++;
        expect(found, `${JSON.stringify(text)}: ${message}`).toBe(v8);
      }
    }
    expect(positioned).toBeGreaterThan(300);
  });
});

describe('bytes that are not text, anywhere in a routes file', () => {
  /** Replaces the character at `column` (0-based) of line `line` (1-based) with `what`. */
  function spoil(text: string, line: number, column: number, what: string): string {
    const lines = text.split('\n');
    lines[line - 1] = lines[line - 1].slice(0, column) + what + lines[line - 1].slice(column);
    return lines.join('\n');
  }

  it('are refused in every format, naming their line, however far past the first 4 KiB', async () => {
    for (const format of FORMATS) {
      const table = routeText(format, 300);
      const lines = table.split('\n');
      const line = Math.floor(lines.length * 0.8);
      expect(lines.slice(0, line - 1).join('\n').length).toBeGreaterThan(4096);
      const column = lines[line - 1].lastIndexOf('eth') >= 0 ? lines[line - 1].lastIndexOf('eth') + 2 : lines[line - 1].length - 1;
      for (const [bad, what] of [['\0', 'a NUL byte'], ['\x01', 'a control character (0x01)'], ['\x1b', 'a control character (0x1b)'], ['\x7f', 'a control character (0x7f)']]) {
        const text = spoil(table, line, column, bad);
        const expected = `${format}.txt:${line}: expected a text routes file, but it looks binary: ${what} at column ${column + 1}`;
        for (const requested of [format, 'auto'] as const) {
          expect(routeError(() => parseRoutes(text, { format: requested, source: `${format}.txt` })).message).toBe(expected);
          const fib = await fibWithOneRoute();
          // bytes (the WebAssembly scanner's way for plain text) and a string give the same error
          expect(routeError(() => fib.load(utf8.encode(text), { format: requested, source: `${format}.txt` })).message).toBe(expected);
          expect(routeError(() => fib.load(text, { format: requested, source: `${format}.txt` })).message).toBe(expected);
          expectUnchanged(fib);
        }
      }
    }
  });

  it('refuses bytes that are not UTF-8 anywhere, and takes UTF-8 labels anywhere, the same both ways', async () => {
    const table = routeText('plain', 300);
    const line = 250;
    const lines = table.split('\n');
    const at = lines.slice(0, line - 1).join('\n').length + 1 + lines[line - 1].indexOf(' eth') + 1;
    const encoded = utf8.encode(table.slice(0, at));
    for (const bad of [[0xff], [0xc3], [0xe2, 0x82], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xef, 0xbf, 0xbd]]) {
      const bytes = Uint8Array.from([...encoded, ...bad, ...utf8.encode(table.slice(at))]);
      const expected = `t.txt:${line}: expected a text routes file, but it looks binary: bytes that are not UTF-8 at column ${lines[line - 1].indexOf(' eth') + 2}`;
      expect(routeError(() => parseRoutes(new TextDecoder().decode(bytes), { source: 't.txt' })).message).toBe(expected);
      const fib = await fibWithOneRoute();
      expect(routeError(() => fib.load(bytes, { source: 't.txt' })).message).toBe(expected);
      expectUnchanged(fib);
    }
    for (const label of ['gw-ü', 'шлюз', '网关', 'gw-😀']) {
      const text = spoil(table, line, lines[line - 1].indexOf(' eth') + 1, label);
      const fast = await Fib.create();
      const reference = await Fib.create();
      fast.load(utf8.encode(text), { format: 'plain' });
      reference.load(parseRoutes(text, { format: 'plain' }));
      expect(routesText(fast.routes())).toEqual(routesText(reference.routes()));
      expect(routesText(fast.routes()).some((r) => r.includes(label))).toBe(true);
    }
  });

  it('leaves blanks that are not spaces (tab, vertical tab, form feed, CR) alone', () => {
    expect(parseRoutes('10.0.0.0/8\tgw\v eth0\f 5\r\n', { format: 'plain' }).count).toBe(1);
  });
});

describe('a byte order mark', () => {
  /** Plain text loaded through WebAssembly (as bytes and as a string) and through the JavaScript parser. */
  async function threeWays(text: string): Promise<string[] | string> {
    const outcomes: (string[] | string)[] = [];
    for (const load of [
      (fib: Fib) => fib.load(utf8.encode(text), { format: 'plain', source: 's' }),
      (fib: Fib) => fib.load(text, { format: 'plain', source: 's' }),
      (fib: Fib) => fib.load(parseRoutes(text, { format: 'plain', source: 's' })),
    ]) {
      const fib = await Fib.create();
      const error = thrown(() => load(fib));
      if (error !== undefined) expect(error).toBeInstanceOf(RouteFormatError);
      outcomes.push(error === undefined ? routesText(fib.routes()) : (error as Error).message);
    }
    expect(outcomes[0]).toEqual(outcomes[2]);
    expect(outcomes[1]).toEqual(outcomes[2]);
    return outcomes[2];
  }

  // past the first 4 KiB, where the WebAssembly scanner used to read labels itself
  const filler = routeText('plain', 300);

  it('is skipped at the start of the text, also when there are several, the same every way', async () => {
    expect(await threeWays('\ufeff10.0.0.0/8 gw')).toEqual(['10.0.0.0/8 unicast "gw" null 0']);
    expect(await threeWays('\ufeff\ufeff10.0.0.0/8 gw')).toEqual(['10.0.0.0/8 unicast "gw" null 0']);
    expect(await threeWays(`\ufeff${filler}`)).toHaveLength(300);
  });

  it('is a character of the label anywhere else, the same every way', async () => {
    for (const [line, label] of [['10.250.0.0/16 \ufeff', '\ufeff'], ['10.250.0.0/16 \ufeffgw eth0', '\ufeffgw'], ['10.250.0.0/16 gw\ufeff', 'gw\ufeff'], ['10.250.0.0/16 gw \ufeff', '\ufeff']]) {
      for (const text of [`${line}\n`, `${filler}${line}\n`, `\ufeff${filler}${line}\n`]) {
        const routes = await threeWays(text);
        expect(routes).toContainEqual(expect.stringMatching(new RegExp(`^10\\.250\\.0\\.0/16 unicast .*${JSON.stringify(label).slice(1, -1)}`)));
      }
    }
  });

  it('at the start of a later line is part of the prefix there, and refused the same every way', async () => {
    const outcome = await threeWays(`${filler}\ufeff10.250.0.0/16 gw\n`);
    expect(outcome).toMatch(/^s:302: expected a prefix like/);
  });
});

describe('a directory where a file belongs', () => {
  const CLI = new URL('../dist/cli.js', import.meta.url).pathname;
  const dir = tempDir('fibscope-faults-');
  const folder = join(dir, 'captures');
  mkdirSync(folder);

  function fibscope(...args: string[]) {
    const run = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
    return { status: run.status, stderr: run.stderr };
  }

  it('is a usage error (exit 2) naming it, for analyze and for -r, before any output is made', () => {
    const out = join(dir, 'report.json');
    expect(fibscope('analyze', '-f', 'json', '-o', out, folder)).toEqual({ status: 2, stderr: `fibscope: ${folder}: is a directory, not a capture file\n` });
    expect(existsSync(out)).toBe(false);
    expect(fibscope('routes', '-r', folder)).toEqual({ status: 2, stderr: `fibscope: cannot read routes file ${folder}: it is a directory, not a routes file\n` });
    expect(fibscope('lookup', '-r', folder, '10.0.0.1').status).toBe(2);
  });

  it('reads a named pipe as it reads standard input, not as an internal error', async (context) => {
    if (process.platform === 'win32') {
      context.skip('named pipes (mkfifo) do not exist on Windows');
      return;
    }
    const capture = new URL('../samples/edge.pcap', import.meta.url).pathname;
    const pipe = join(dir, 'capture.pipe');
    spawnSync('mkfifo', [pipe]);
    const writer = createWriteStream(pipe);
    writer.end(readFileSync(capture));
    const fromPipe = await analyzeFile(pipe);
    const fromFile = await analyzeFile(capture);
    expect({ ...fromPipe, inputs: fromPipe.inputs.map((i) => ({ ...i, path: '' })) })
      .toEqual({ ...fromFile, inputs: fromFile.inputs.map((i) => ({ ...i, path: '' })) });
    expect(fromFile.totals.records).toBeGreaterThan(0);
  });

  it('rejects with a FibscopeError from the library', async () => {
    const capture = await analyzeFile(folder).catch((e: unknown) => e);
    expect(capture).toBeInstanceOf(FibscopeError);
    expect(capture).toMatchObject({ code: 'CAPTURE_UNREADABLE', message: `${folder}: is a directory, not a capture file` });
    const routes = await readRoutesBytes(folder).catch((e: unknown) => e);
    expect(routes).toMatchObject({ code: 'ROUTES_UNREADABLE', message: `cannot read routes file ${folder}: it is a directory, not a routes file` });
  });
});
