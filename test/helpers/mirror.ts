import { expect } from 'vitest';
import type { Fib } from '../../src/index.js';
import { ReferenceLpm, bigIntToV6 } from './reference-lpm.js';
import { prefixText, type TestPrefix } from './tables.js';

/**
 * Applies every change both to a Fib and to the reference, then checks that both agree on
 * the route of many addresses, through the batch calls and the single-address call.
 */
export class Mirror {
  readonly reference = { 4: new ReferenceLpm(32), 6: new ReferenceLpm(128) };
  constructor(readonly fib: Fib) {}

  add(prefix: TestPrefix, metric = 0, nextHop: string | null = null): number {
    const id = this.fib.add(prefixText(prefix), { metric, nextHop });
    this.reference[prefix.family].add(id, prefix.key, prefix.length, metric);
    return id;
  }

  replace(prefix: TestPrefix, metric = 0, nextHop: string | null = null): number {
    for (const id of this.idsAt(prefix)) {
      if (this.fib.route(id)!.metric === metric) this.reference[prefix.family].remove(id);
    }
    const id = this.fib.replace(prefixText(prefix), { metric, nextHop });
    this.reference[prefix.family].add(id, prefix.key, prefix.length, metric);
    return id;
  }

  remove(prefix: TestPrefix): number {
    for (const id of this.idsAt(prefix)) this.reference[prefix.family].remove(id);
    return this.fib.remove(prefixText(prefix));
  }

  removeRoute(id: number): void {
    const family = this.fib.route(id)!.prefix.includes(':') ? 6 : 4;
    this.reference[family].remove(id);
    expect(this.fib.removeRoute(id)).toBe(true);
  }

  private idsAt(prefix: TestPrefix): number[] {
    return this.fib.routesFor(prefixText(prefix)).map((route) => route.id);
  }

  /** Compares the Fib with the reference on `addresses`; returns how many had a route. */
  check(family: 4 | 6, addresses: bigint[], single = 200): number {
    const expected = addresses.map((a) => this.reference[family].lookup(a));
    let actual: Int32Array;
    if (family === 4) {
      actual = this.fib.lookup4(Uint32Array.from(addresses, (a) => Number(a)));
    } else {
      const bytes = new Uint8Array(addresses.length * 16);
      addresses.forEach((a, i) => bigIntToV6(a, bytes, i * 16));
      actual = this.fib.lookup6(bytes);
    }
    let mismatches = 0;
    let firstBad = -1;
    for (let i = 0; i < addresses.length; i++) {
      if (actual[i] !== expected[i]) {
        mismatches++;
        if (firstBad < 0) firstBad = i;
      }
    }
    if (mismatches > 0) {
      const a = addresses[firstBad];
      expect.fail(`${mismatches} of ${addresses.length} IPv${family} lookups differ; first: ${a.toString(16)} `
        + `got ${actual[firstBad]} (${this.fib.route(actual[firstBad])?.prefix}) `
        + `expected ${expected[firstBad]} (${this.fib.route(expected[firstBad])?.prefix})`);
    }
    // the one-address call must agree too (a sample: it goes through text)
    for (let i = 0; i < Math.min(single, addresses.length); i++) {
      const text = family === 4 ? prefixText({ family, key: addresses[i], length: 32 }).slice(0, -3)
        : prefixText({ family, key: addresses[i], length: 128 }).slice(0, -4);
      expect(this.fib.lookup(text)?.id ?? -1, text).toBe(expected[i]);
    }
    return expected.filter((id) => id >= 0).length;
  }
}
