/**
 * fibscope's update lines read in WebAssembly (src/updates/update-lines-wasm.ts,
 * assembly/updates/update-lines.ts) against the JavaScript reader of the same lines
 * (fibscope-lines.ts readFibscopeLines) as the model: random long streams of the lines the scan
 * takes give the same columns, attributes and updates; a stream with one line it does not take
 * (each kind) is read by JavaScript whole, the same as before; a bad route text gives the same
 * error, naming the same line.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { Fib } from '../../src/node.js';
import { parseUpdates } from '../../src/updates/detect.js';
import { readFibscopeLines } from '../../src/updates/fibscope-lines.js';
import { scanUpdateLinesInWasm } from '../../src/updates/update-lines-wasm.js';
import type { UpdateStream } from '../../src/updates/types.js';
import { Random } from '../helpers/random.js';

const COLUMNS = ['seconds', 'nanoseconds', 'op', 'family', 'length', 'v4', 'v6', 'attributes', 'where'] as const;

function expectSameStream(actual: UpdateStream, expected: UpdateStream): void {
  const a = actual.columns!, e = expected.columns!;
  expect(a.count).toBe(e.count);
  for (const name of COLUMNS) {
    const width = name === 'v6' ? 16 : 1;
    expect([...a[name].subarray(0, a.count * width)], name).toEqual([...e[name].subarray(0, e.count * width)]);
  }
  expect(a.attributeList).toEqual(e.attributeList);
  expect(actual.updates).toEqual(expected.updates);
}

/** A random address text of `family`, written several ways (case, zeros, `::`). */
function address(random: Random, family: 4 | 6): string {
  if (family === 6 && random.below(10) === 0) return `::ffff:${address(random, 4)}`;
  if (family === 4) return Array.from({ length: 4 }, () => String(random.below(256)).padStart(random.below(3) === 0 ? 3 : 1, '0').slice(-3)).join('.');
  const groups = Array.from({ length: 8 }, () => (random.below(3) === 0 ? 0 : random.below(0x10000)));
  let text = groups.map((g) => g.toString(16)).join(':');
  if (random.below(2)) text = text.replace(/(^|:)0(:0)+(:|$)/, '::');
  return random.below(2) ? text.toUpperCase() : text;
}

/** Lines the scan takes, with blanks, comments, CRLF and UTF-8 device names among them. */
function randomStream(random: Random, lines: number): string {
  const out: string[] = [];
  let seconds = 1_700_000_000;
  for (let i = 0; i < lines; i++) {
    seconds += random.below(3);
    const fraction = random.below(3) === 0 ? '' : `.${String(random.below(1e9)).padStart(9, '0').slice(0, 1 + random.below(9))}`;
    const family = random.below(4) === 0 ? 6 : 4;
    const prefix = `${address(random, family)}${random.below(8) === 0 ? '' : `/${random.below(family === 4 ? 33 : 129)}`}`;
    const verb = ['add', 'replace', 'del'][random.below(3)];
    const blank = [' ', '  ', '\t', ' \t '][random.below(4)];
    const hop = family === 4 ? `192.0.2.${1 + random.below(4)}` : `2001:db8::${1 + random.below(4)}`;
    const route = verb === 'del' ? '' : [` via ${hop}`, ` via ${hop} dev eth${random.below(3)}`, ` dev wlan-é${random.below(2)}`, ` via ${hop} metric ${random.below(3) * 10}`,
      ` via ${hop}  proto bgp`][random.below(5)];
    out.push(`${random.below(20) === 0 ? ' ' : ''}${seconds}${fraction}${blank}${verb}${blank}${prefix}${route}${random.below(10) === 0 ? '\r' : ''}`);
    if (random.below(50) === 0) out.push(random.below(2) ? '# a comment' : '   ');
  }
  return `${out.join('\n')}\n`;
}

describe('update lines read in WebAssembly', () => {
  beforeAll(async () => {
    await Fib.create(); // the module compiled: the scan has it at hand
  });

  it('give the columns, attributes and updates the JavaScript reader gives, on random long streams', () => {
    for (let seed = 1; seed <= 6; seed++) {
      const text = randomStream(new Random(seed), 3000);
      expect(scanUpdateLinesInWasm(text, 'u.txt', () => ({})), `seed ${seed}: the scan takes every line`).toBeDefined();
      expectSameStream(parseUpdates(text, { source: 'u.txt' }), readFibscopeLines(text, 'u.txt'));
    }
  });

  it('leave a stream with a line they do not take to JavaScript, which reads it as before', () => {
    const base = randomStream(new Random(9), 2000);
    const others = [
      '2023-11-14T22:13:20.5Z add 10.9.0.0/16 via 192.0.2.1',
      '1700000000 del 10.9.0.0/16 via 192.0.2.1',
      '1700000000 add default via 192.0.2.1',
      '1700000000 del 10.9.0.0/16 dev eth0',
      '1700000000 add blackhole 10.9.9.0/24',
    ];
    for (const other of others) {
      const lines = base.split('\n');
      lines.splice(1234, 0, other);
      const text = lines.join('\n');
      expect(scanUpdateLinesInWasm(text, 'u.txt', () => ({})), other).toBeUndefined();
      expectSameStream(parseUpdates(text, { source: 'u.txt' }), readFibscopeLines(text, 'u.txt'));
    }
    // a line wrong in itself: the same error, from the same reader
    const lines = base.split('\n');
    lines.splice(777, 0, '1700000000 add 10.1.2.3/33 via 192.0.2.1');
    const bad = lines.join('\n');
    expect(() => parseUpdates(bad, { source: 'u.txt' })).toThrow(/^u\.txt:778: /);
  });

  it('word a bad route text as the JavaScript reader does, at the line it first appears on', () => {
    const lines = randomStream(new Random(11), 2000).split('\n');
    lines.splice(1500, 0, '1700000000 add 10.9.0.0/16 via 192.0.2.1 frobnicate 7');
    lines.splice(900, 0, '1700000000 replace 10.8.0.0/16 via not-an-address');
    const text = lines.join('\n');
    const message = (read: () => unknown) => {
      try {
        read();
      } catch (error) {
        return (error as Error).message;
      }
      return 'no error';
    };
    const expected = message(() => readFibscopeLines(text, 'u.txt'));
    expect(expected).toMatch(/^u\.txt:901: /);
    expect(message(() => parseUpdates(text, { source: 'u.txt' }))).toBe(expected);
  });
});
