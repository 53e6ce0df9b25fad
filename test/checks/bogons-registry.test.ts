import { describe, expect, it } from 'vitest';
import { SPECIAL_PURPOSE_BLOCKS, BOGON_DESTINATION, BOGON_SOURCE, PRIVATE } from '../../src/checks/index.js';
import { Random } from '../helpers/random.js';
import { addressText, classifierWith, classifyAll } from './classifier.js';
import type { TestAddress } from './classifier.js';
import {
  DESTINATION, PRIVATE_USE, REGISTRY_ROWS, SOURCE, addressValue, referenceClasses,
} from './registry-reference.js';

// The WebAssembly classifier with the built-in table against the slow reference built from the
// registries' CSV text (registry-reference.ts): on every row's first and last address and their
// neighbours, on random addresses inside every row, and on random addresses anywhere.

function disagreements(addresses: readonly TestAddress[], masks: readonly number[]): string[] {
  const out: string[] = [];
  addresses.forEach((address, i) => {
    const want = referenceClasses(address.family, address.value);
    if (masks[i] !== want && out.length < 20) out.push(`${addressText(address)}: ${masks[i]}, reference ${want}`);
  });
  return out;
}

function rowRange(row: typeof REGISTRY_ROWS[number]): { bits: number; first: bigint; last: bigint } {
  const bits = row.family === 4 ? 32 : 128;
  return { bits, first: row.start, last: row.start + (1n << BigInt(bits - row.length)) - 1n };
}

function randomBelow(random: Random, bits: number): bigint {
  let value = 0n;
  for (let b = 0; b < bits; b += 32) value = (value << 32n) | BigInt(random.u32());
  return value & ((1n << BigInt(bits)) - 1n);
}

describe('bogon classifier against the registry text', () => {
  it('the classes bits are the reference\'s', () => {
    expect([BOGON_SOURCE, BOGON_DESTINATION, PRIVATE]).toEqual([SOURCE, DESTINATION, PRIVATE_USE]);
  });

  it('the built-in blocks are the registry rows, column for column', () => {
    const rows = REGISTRY_ROWS.map((row) => {
      const flag = (text: string) => (text === 'True' ? true : text === 'False' ? false : null);
      return [row.prefix, row.terminated, flag(row.source), flag(row.destination), flag(row.forwardable), flag(row.globallyReachable)];
    });
    const blocks = SPECIAL_PURPOSE_BLOCKS.map((block) => [
      block.prefix, block.terminated !== null, block.source, block.destination, block.forwardable, block.globallyReachable,
    ]);
    expect(blocks).toEqual(rows);
  });

  it('agrees on every row boundary and its neighbours', async () => {
    const wasm = await classifierWith();
    const addresses: TestAddress[] = [];
    for (const row of REGISTRY_ROWS) {
      const { bits, first, last } = rowRange(row);
      const top = (1n << BigInt(bits)) - 1n;
      for (const value of [first - 1n, first, first + 1n, last - 1n, last, last + 1n]) {
        if (value >= 0n && value <= top) addresses.push({ family: row.family, value });
      }
    }
    const masks = classifyAll(wasm, addresses);
    expect(disagreements(addresses, masks)).toEqual([]);
    // the rules give every class somewhere: the comparison is not vacuous
    const seen = new Set(masks);
    for (const mask of [0, SOURCE, SOURCE | DESTINATION, PRIVATE_USE]) expect(seen.has(mask), `mask ${mask}`).toBe(true);
  });

  it('agrees on random addresses inside every row and anywhere', async () => {
    const wasm = await classifierWith();
    const random = new Random(13);
    const addresses: TestAddress[] = [];
    for (const row of REGISTRY_ROWS) {
      const { bits, first } = rowRange(row);
      const hostBits = bits - row.length;
      for (let i = 0; i < 200; i++) addresses.push({ family: row.family, value: first + (hostBits ? randomBelow(random, hostBits) : 0n) });
    }
    for (let i = 0; i < 20000; i++) addresses.push({ family: 4, value: randomBelow(random, 32) });
    for (let i = 0; i < 20000; i++) {
      // uniform IPv6 addresses almost never meet a block: half of them keep a registry row's first 16 bits
      const value = randomBelow(random, 128);
      const row = REGISTRY_ROWS.filter((r) => r.family === 6)[random.below(26)];
      addresses.push({ family: 6, value: i % 2 || !row ? value : (row.start & (0xffffn << 112n)) | (value >> 16n) });
    }
    expect(disagreements(addresses, classifyAll(wasm, addresses))).toEqual([]);
  });

  it('classifies single addresses (bogonsClassify4, bogonsClassify6) as the reference does', async () => {
    const wasm = await classifierWith();
    const cases = ['10.1.2.3', '100.64.0.1', '192.0.0.9', '192.0.0.8', '224.0.0.251', '255.255.255.255', '8.8.8.8',
      '::1', 'fd00::1', 'ff02::fb', '2001:db8::1', '2001:1::1', '2001:4860::8888', '64:ff9b::808:808'];
    for (const text of cases) {
      const { family, value } = addressValue(text);
      const want = referenceClasses(family, value);
      const got = family === 4 ? wasm.bogonsClassify4(Number(value)) : wasm.bogonsClassify6(value >> 64n, BigInt.asUintN(64, value));
      expect(got, text).toBe(want);
    }
  });
});
