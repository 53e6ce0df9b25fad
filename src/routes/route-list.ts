import type { AsAttributes, NextHop, RouteType } from './route.js';
import { routeTypeCode } from './route.js';

/**
 * Parsed routes in columns, so a million-line table does not become a million objects.
 * Parsers append; `Fib.load` copies the columns into WebAssembly memory in batches.
 * Addresses are stored with host bits already masked.
 */
// Small at first, doubling as routes come: a POST /routes of one route (serve's route API, a
// thousand a second) should not cost seven arrays of a thousand entries; a table grows in
// a few dozen doublings.
const INITIAL_CAPACITY = 16;

export class RouteList {
  count = 0;
  family = new Uint8Array(INITIAL_CAPACITY);
  prefixLength = new Uint8Array(INITIAL_CAPACITY);
  metric = new Uint32Array(INITIAL_CAPACITY);
  type = new Uint8Array(INITIAL_CAPACITY);
  /** Source line (1-based) of each route, for error messages about it later. */
  line = new Uint32Array(INITIAL_CAPACITY);
  /** Host-order IPv4 address, for family 4. */
  v4 = new Uint32Array(INITIAL_CAPACITY);
  /** 16 bytes per route, network order, for family 6. */
  v6 = new Uint8Array(INITIAL_CAPACITY * 16);
  nextHop: (string | null)[] = [];
  dev: (string | null)[] = [];
  /** Multipath next hops, by route index (sparse). */
  nextHops = new Map<number, NextHop[]>();
  /**
   * BGP attributes by route index, shared objects; undefined (the whole column, until a format
   * that has them sets one) when unknown. See `setBgp`.
   */
  asAttributes: (AsAttributes | undefined)[] | undefined;
  communities: (readonly string[] | undefined)[] | undefined;

  /** Gives route `i` (already pushed) its BGP attributes. */
  setBgp(i: number, as: AsAttributes | undefined, communities: readonly string[] | undefined): void {
    if (as !== undefined) setAt(this.asAttributes ??= [], i, as);
    if (communities !== undefined) setAt(this.communities ??= [], i, communities);
  }

  /** Appends an IPv4 route. `address` is host order; host bits beyond `prefixLength` are cleared. */
  push4(address: number, prefixLength: number, nextHop: string | null, dev: string | null,
    metric = 0, type: RouteType = 'unicast', line = 0, nextHops?: NextHop[]): void {
    const i = this.reserve();
    this.family[i] = 4;
    this.v4[i] = prefixLength === 0 ? 0 : (address & (0xffffffff << (32 - prefixLength))) >>> 0;
    this.finish(i, prefixLength, nextHop, dev, metric, type, line, nextHops);
  }

  /** Appends an IPv6 route from 16 bytes at `offset`; host bits beyond `prefixLength` are cleared. */
  push6(bytes: Uint8Array, offset: number, prefixLength: number, nextHop: string | null,
    dev: string | null, metric = 0, type: RouteType = 'unicast', line = 0, nextHops?: NextHop[]): void {
    const i = this.reserve();
    this.family[i] = 6;
    const base = i * 16;
    for (let b = 0; b < 16; b++) {
      const keep = prefixLength - b * 8;
      const mask = keep >= 8 ? 0xff : keep <= 0 ? 0 : (0xff << (8 - keep)) & 0xff;
      this.v6[base + b] = bytes[offset + b] & mask;
    }
    this.finish(i, prefixLength, nextHop, dev, metric, type, line, nextHops);
  }

  private finish(i: number, prefixLength: number, nextHop: string | null, dev: string | null,
    metric: number, type: RouteType, line: number, nextHops?: NextHop[]): void {
    this.prefixLength[i] = prefixLength;
    this.metric[i] = metric;
    this.type[i] = routeTypeCode(type);
    this.line[i] = line;
    this.nextHop[i] = nextHop;
    this.dev[i] = dev;
    if (nextHops && nextHops.length > 0) this.nextHops.set(i, nextHops);
    this.count = i + 1;
  }

  /** Makes room for `capacity` routes at once (a parser that can tell how many may come). */
  ensureCapacity(capacity: number): void {
    if (capacity > this.family.length) this.grow(capacity);
  }

  private reserve(): number {
    const i = this.count;
    if (i === this.family.length) this.grow(i * 2);
    return i;
  }

  private grow(capacity: number): void {
    this.family = widened(this.family, capacity);
    this.prefixLength = widened(this.prefixLength, capacity);
    this.metric = widened(this.metric, capacity);
    this.type = widened(this.type, capacity);
    this.line = widened(this.line, capacity);
    this.v4 = widened(this.v4, capacity);
    this.v6 = widened(this.v6, capacity * 16);
  }
}

/** A column of `size` entries holding `old`'s first (the rest zero): growing a typed-array column. */
export function widened<T extends Uint8Array | Uint32Array>(old: T, size: number): T {
  const next = new (old.constructor as new (n: number) => T)(size);
  next.set(old);
  return next;
}

/** `column[i] = value`, filling the gap before it with undefined: a column with holes is slow. */
export function setAt<T>(column: (T | undefined)[], i: number, value: T): void {
  while (column.length < i) column.push(undefined);
  column[i] = value;
}
