// The `routes` of a report, taken out of WebAssembly in one block (assembly/report/route-rows.ts):
// sorted there, and written as JSON there (assembly/report/routes-json.ts) from the counters, the
// prefix texts and the text of each attribute class, written once per table. Row objects are
// made only when someone reads `report.routes`.
import type { Fib, RouteRowFields } from '../fib/fib.js';
import type { AsAttributes, NextHop } from '../routes/route.js';
import type { FibscopeExports } from '../wasm/module.js';
import { FibscopeOutOfMemoryError } from '../errors.js';
import { readCount } from '../report/count.js';
import type { PrefixTable } from './destination-json.js';
import type { Count, RouteBgpFields, RouteCounters } from './report.js';

/** Where a report built by an Analyzer keeps its fast JSON writer of the routes (not enumerable). */
export const ROUTE_JSON: unique symbol = Symbol('fibscope.routeJson');

/** Where a report built by an Analyzer keeps its RouteRows (not enumerable): `compare` sums them by each table's routes. */
export const ROUTE_ROWS: unique symbol = Symbol('fibscope.routeRows');

export interface RouteJsonSource {
  /** How many routes the text holds. */
  readonly count: number;
  /**
   * Hands the text of every route, as JSON.stringify(report, null, 2) indents it inside the
   * `routes` array and separated by ",\n", to `write` in chunks. A chunk is a view of
   * WebAssembly memory, valid only until `write` returns: copy it to keep it. With `indent`,
   * every line after the first of the text is indented that many more blanks (`compare`).
   */
  write(write: (chunk: Uint8Array) => void, indent?: number): void;
}

/** What the routes of one attribute class share (the class number is in WebAssembly's route record). */
export interface ClassAttributes {
  nextHop: string | null;
  dev: string | null;
  type: string;
  nextHops: readonly NextHop[] | undefined;
}

/** Offsets in a route-rows block (assembly/report/route-rows.ts). */
const ROW = { packets: 0, bytes: 8, id: 16, destinations: 20, metric: 24, routeClass: 28, text: 32, textLength: 36, paths: 40, pathCount: 44 } as const;
const HEADER = { rows: 0, used: 4, slots: 8, textStart: 16 } as const;
/** Bytes of JSON text out per WebAssembly call. */
const OUT_BYTES = 256 << 10;

/** The attribute classes whose text WebAssembly holds, per module instance (a class never changes). */
const classesOf = new WeakMap<FibscopeExports, Map<number, ClassAttributes>>();

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * The rows of every route of `counters` that counted, busiest first (docs/report.md), as they are
 * now: what reading them later gives, whatever changes since.
 */
export class RouteRows {
  readonly count: number;
  private readonly block: Uint8Array;
  private readonly view: DataView;
  private readonly header: number;
  private readonly rowBytes: number;
  private prefixes: string[] | undefined;
  private rowsById: Int32Array | undefined;
  /** Each row's BGP attributes, when the table has any. */
  private bgp: (RouteBgpFields | undefined)[] | undefined;

  private constructor(private readonly wasm: FibscopeExports, block: Uint8Array, private readonly classes: Map<number, ClassAttributes>) {
    this.block = block;
    this.view = new DataView(block.buffer, block.byteOffset, block.byteLength);
    this.count = this.view.getUint32(HEADER.rows, true);
    this.header = wasm.routeRowsHeaderBytes();
    this.rowBytes = wasm.routeRowBytes();
  }

  /** Takes the rows of `counters` (an Analyzer's) out of WebAssembly; throws when memory is too short. */
  static take(fib: Fib, wasm: FibscopeExports, counters: number, withRoutes = true): RouteRows {
    return RouteRows.copy(fib, wasm, wasm.routeRowsTake(counters, withRoutes) >>> 0);
  }

  /**
   * The rows of a route-rows block WebAssembly has just made at `at` (0: it had no room), of
   * `fib`'s routes: routeRowsTake's, or those `compare` sums from an overlay's (src/compare/side-rows.ts).
   */
  static copy(fib: Fib, wasm: FibscopeExports, at: number): RouteRows {
    if (at === 0) throw new FibscopeOutOfMemoryError('a report', 'out of WebAssembly memory: no room to sort the routes for a report');
    // the block is WebAssembly's report scratch (assembly/report/scratch.ts), reused by the next report
    const block = new Uint8Array(wasm.memory.buffer, at, new DataView(wasm.memory.buffer, at, 8).getUint32(HEADER.used, true)).slice();
    let classes = classesOf.get(wasm);
    if (!classes) classesOf.set(wasm, (classes = new Map()));
    const rows = new RouteRows(wasm, block, classes);
    rows.describeClasses(fib);
    if (fib.hasBgpAttributes()) rows.bgp = rows.readBgp(fib);
    return rows;
  }

  private rowAt(i: number): number {
    return this.header + i * this.rowBytes;
  }

  private u32(at: number): number {
    return this.view.getUint32(at, true);
  }

  /** Gives WebAssembly the text of each attribute class of the rows it has not had yet. */
  private describeClasses(fib: Fib): void {
    const scratch: RouteRowFields = { prefix: '', nextHop: null, dev: null, metric: 0, type: 'unicast' };
    for (let i = 0; i < this.count; i++) {
      const at = this.rowAt(i);
      const routeClass = this.u32(at + ROW.routeClass);
      if (this.classes.has(routeClass)) continue;
      // the route exists: the rows were taken just now, with nothing in between
      if (!fib.describeInto(this.view.getInt32(at + ROW.id, true), scratch)) throw new Error('a counted route has gone');
      const attributes: ClassAttributes = { nextHop: scratch.nextHop, dev: scratch.dev, type: scratch.type, nextHops: scratch.nextHops };
      writeClassText(this.wasm, routeClass, attributes);
      this.classes.set(routeClass, attributes);
    }
  }

  /**
   * Each row's BGP attributes (undefined: none), one object for the rows whose table objects are
   * the same (by their AS attributes, or their communities when they have only those).
   */
  private readBgp(fib: Fib): (RouteBgpFields | undefined)[] {
    const out: (RouteBgpFields | undefined)[] = new Array(this.count);
    const shared = new Map<object, RouteBgpFields>();
    for (let i = 0; i < this.count; i++) {
      const [as, communities] = fib.sharedBgpOf(this.view.getInt32(this.rowAt(i) + ROW.id, true));
      const key = as ?? communities;
      if (key === undefined) continue;
      let fields = shared.get(key);
      if (fields === undefined || fields.communities !== communities) shared.set(key, (fields = bgpFields(as, communities)));
      out[i] = fields;
    }
    return out;
  }

  /** The row objects of the report, busiest first. */
  objects(): RouteCounters[] {
    const prefixes = this.prefixTexts();
    const view = this.view;
    const out: RouteCounters[] = new Array(this.count);
    for (let i = 0; i < this.count; i++) {
      const at = this.rowAt(i);
      const attributes = this.classes.get(this.u32(at + ROW.routeClass))!;
      const row: RouteCounters = {
        prefix: prefixes[i],
        nextHop: attributes.nextHop,
        dev: attributes.dev,
        metric: this.u32(at + ROW.metric),
        type: attributes.type,
        packets: readCount(view, at + ROW.packets),
        bytes: readCount(view, at + ROW.bytes),
        destinations: this.u32(at + ROW.destinations),
      };
      const bgp = this.bgp?.[i];
      if (bgp) Object.assign(row, bgp);
      const hops = attributes.nextHops;
      if (hops && hops.length > 1) {
        const paths = this.u32(at + ROW.paths);
        const counted = paths === 0 ? 0 : Math.min(this.u32(at + ROW.pathCount), hops.length);
        row.nextHops = hops.map((hop, h) => ({
          via: hop.via,
          dev: hop.dev,
          weight: hop.weight,
          packets: h < counted ? readCount(view, paths + h * 16) : 0,
          bytes: h < counted ? readCount(view, paths + h * 16 + 8) : 0,
        }));
      }
      out[i] = row;
    }
    return out;
  }

  /** Each row's prefix text, from one decoded string of them all. */
  private prefixTexts(): string[] {
    if (this.prefixes) return this.prefixes;
    const start = this.u32(HEADER.textStart);
    const all = decoder.decode(this.block.subarray(start, this.u32(HEADER.used)));
    const out: string[] = new Array(this.count);
    for (let i = 0; i < this.count; i++) {
      const at = this.rowAt(i);
      // ASCII: byte offsets are character offsets
      const from = this.u32(at + ROW.text) - start;
      out[i] = all.slice(from, from + this.u32(at + ROW.textLength));
    }
    return (this.prefixes = out);
  }

  // One row's members by row number (busiest first), for readers that walk the rows without
  // making their objects (`compare`).

  packetsAt(row: number): Count {
    return readCount(this.view, this.rowAt(row) + ROW.packets);
  }

  bytesAt(row: number): Count {
    return readCount(this.view, this.rowAt(row) + ROW.bytes);
  }

  idAt(row: number): number {
    return this.view.getInt32(this.rowAt(row) + ROW.id, true);
  }

  metricAt(row: number): number {
    return this.u32(this.rowAt(row) + ROW.metric);
  }

  /** What the route shares with the others of its attribute class. */
  attributesAt(row: number): ClassAttributes {
    return this.classes.get(this.u32(this.rowAt(row) + ROW.routeClass))!;
  }

  routeClassAt(row: number): number {
    return this.u32(this.rowAt(row) + ROW.routeClass);
  }

  /** How many next hops of a multipath route have counters (0: none, or a single path). */
  pathCountAt(row: number): number {
    const at = this.rowAt(row);
    return this.u32(at + ROW.paths) === 0 ? 0 : this.u32(at + ROW.pathCount);
  }

  pathPacketsAt(row: number, path: number): Count {
    return readCount(this.view, this.u32(this.rowAt(row) + ROW.paths) + path * 16);
  }

  pathBytesAt(row: number, path: number): Count {
    return readCount(this.view, this.u32(this.rowAt(row) + ROW.paths) + path * 16 + 8);
  }

  prefixAt(row: number): string {
    const at = this.rowAt(row);
    const from = this.u32(at + ROW.text);
    return decoder.decode(this.block.subarray(from, from + this.u32(at + ROW.textLength)));
  }

  /** Whether row `row`'s prefix is `other`'s row `otherRow`'s (the same text). */
  samePrefix(row: number, other: RouteRows, otherRow: number): boolean {
    const at = this.rowAt(row);
    const length = this.u32(at + ROW.textLength);
    const otherAt = other.rowAt(otherRow);
    if (other.u32(otherAt + ROW.textLength) !== length) return false;
    const from = this.u32(at + ROW.text);
    const otherFrom = other.u32(otherAt + ROW.text);
    for (let i = 0; i < length; i++) if (this.block[from + i] !== other.block[otherFrom + i]) return false;
    return true;
  }

  /** The row number of each route id (-1: no row), made once. */
  rowOfId(): Int32Array {
    if (this.rowsById) return this.rowsById;
    const out = new Int32Array(this.u32(HEADER.slots)).fill(-1);
    for (let i = 0; i < this.count; i++) out[this.idAt(i)] = i;
    return (this.rowsById = out);
  }

  /** The block itself (assembly/report/route-rows.ts layout): not to be changed. */
  get bytes(): Uint8Array {
    return this.block;
  }

  /**
   * A prefix table (as prefixTable's) for the route ids of another table, written into the
   * memory of `wasm`: id i of it takes the prefix of this table's route `ids[i]` (none when
   * negative or not a row here). `compare` relabels an overlay's destinations this way.
   */
  prefixTableFor(wasm: FibscopeExports, ids: Int32Array): PrefixTable {
    const slots = Math.max(1, ids.length);
    const start = this.u32(HEADER.textStart);
    // each row's text quoted, after the table, by this table's route id
    const ownSlots = this.u32(HEADER.slots);
    const offsets = new Uint32Array(ownSlots);
    const lengths = new Uint32Array(ownSlots);
    const texts = new Uint8Array(this.u32(HEADER.used) - start + 2 * this.count);
    let next = 0;
    for (let i = 0; i < this.count; i++) {
      const at = this.rowAt(i);
      const from = this.u32(at + ROW.text);
      const length = this.u32(at + ROW.textLength);
      const id = this.view.getInt32(at + ROW.id, true);
      offsets[id] = slots * 8 + next;
      lengths[id] = length + 2;
      texts[next++] = 0x22;
      texts.set(this.block.subarray(from, from + length), next);
      next += length;
      texts[next++] = 0x22;
    }
    return {
      slots,
      bytes: slots * 8 + next,
      fill: (at) => {
        const table = new Uint32Array(wasm.memory.buffer, at, slots * 2);
        for (let i = 0; i < ids.length; i++) {
          const id = ids[i];
          const known = id >= 0 && id < ownSlots;
          table[i * 2] = known ? offsets[id] : 0;
          table[i * 2 + 1] = known ? lengths[id] : 0;
        }
        new Uint8Array(wasm.memory.buffer, at + slots * 8, next).set(texts.subarray(0, next));
      },
    };
  }

  /** The route id of each row, busiest first (the order of `objects()`). */
  ids(): Int32Array {
    const out = new Int32Array(this.count);
    for (let i = 0; i < this.count; i++) out[i] = this.view.getInt32(this.rowAt(i) + ROW.id, true);
    return out;
  }

  /** The metric of each row, busiest first (`compare`'s overlay keeps a pair index there). */
  metrics(): Uint32Array {
    const out = new Uint32Array(this.count);
    for (let i = 0; i < this.count; i++) out[i] = this.u32(this.rowAt(i) + ROW.metric);
    return out;
  }

  /** The prefix of each route id that counted (undefined for the others), for destination objects. */
  prefixOf(): (string | undefined)[] {
    const prefixes = this.prefixTexts();
    const out: (string | undefined)[] = new Array(this.u32(HEADER.slots)).fill(undefined);
    for (let i = 0; i < this.count; i++) out[this.view.getInt32(this.rowAt(i) + ROW.id, true)] = prefixes[i];
    return out;
  }

  /** The destinations' prefix table, made in WebAssembly from a copy of the rows it is given room for. */
  prefixTable(): PrefixTable {
    const slots = this.u32(HEADER.slots);
    const tableBytes = align8(slots * 8 + this.count * (this.wasm.routeRowPrefixBytes() + 2));
    return {
      slots,
      bytes: tableBytes + this.block.length,
      fill: (at) => {
        new Uint8Array(this.wasm.memory.buffer).set(this.block, at + tableBytes);
        this.wasm.routeRowsPrefixTable(at + tableBytes, at);
      },
    };
  }

  /** The JSON text of the rows, written in WebAssembly. */
  jsonSource(): RouteJsonSource {
    return { count: this.count, write: (write, indent) => this.writeJson(write, indent ?? 0) };
  }

  private writeJson(write: (chunk: Uint8Array) => void, indent: number): void {
    if (this.count === 0) return;
    const wasm = this.wasm;
    const bgp = this.bgpTexts();
    const blockBytes = align8(this.block.length);
    const bgpBytes = bgp ? align8(bgp.bytes) : 0;
    const size = blockBytes + bgpBytes + OUT_BYTES;
    // scratch regions kept between reports (assembly/report/scratch.ts): nothing to free
    const base = wasm.routeJsonScratch(size) >>> 0;
    if (base === 0) throw new FibscopeOutOfMemoryError('a report', `out of WebAssembly memory: no room to write ${this.count} routes as JSON`);
    const bgpAt = bgp ? base + blockBytes : 0;
    const outAt = base + blockBytes + bgpBytes;
    new Uint8Array(wasm.memory.buffer).set(this.block, base);
    if (bgp) bgp.fill(bgpAt);
    for (let from = 0; from < this.count;) {
      // nested deeper (`compare`), each line feed of the text gets `indent` blanks after it
      const rows = wasm.routesJson(base, from, this.count - from, bgpAt, outAt, OUT_BYTES, indent);
      if (rows > 0) {
        write(new Uint8Array(wasm.memory.buffer, outAt, wasm.routesJsonBytes()));
        from += rows;
        continue;
      }
      // a row longer than the buffer (long device names, many next hops): on its own
      const bound = wasm.routeJsonBound(base, from, bgpAt, indent);
      const big = wasm.routeBigScratch(bound) >>> 0;
      if (big === 0) throw new FibscopeOutOfMemoryError('a report', `out of WebAssembly memory: no room to write a route of ${bound} bytes as JSON`);
      wasm.routesJson(base, from, 1, bgpAt, big, bound, indent);
      write(new Uint8Array(wasm.memory.buffer, big, wasm.routesJsonBytes()));
      from++;
    }
  }

  /**
   * Each row's BGP text as routesJson reads it: (offset, length) per row, then the texts; none
   * without BGP attributes. The text of the distinct attribute objects is JSON.stringify's, in one
   * call: at the depth of a route row, an object's text from its `{` (made a `,`) up to its closing
   * line is the members' text after `destinations`.
   */
  private bgpTexts(): { bytes: number; fill(at: number): void } | undefined {
    const bgp = this.bgp;
    if (!bgp) return undefined;
    const distinct: RouteBgpFields[] = [];
    const numbers = new Map<RouteBgpFields, number>();
    const rowText = new Int32Array(this.count).fill(-1);
    for (let i = 0; i < this.count; i++) {
      const fields = bgp[i];
      if (fields === undefined) continue;
      let number = numbers.get(fields);
      if (number === undefined) {
        numbers.set(fields, (number = distinct.length));
        distinct.push(fields);
      }
      rowText[i] = number;
    }
    // objects at the depth of a route row: members indented by 6, the closing brace by 4
    const json = JSON.stringify([distinct], null, 2);
    // ASCII, as BGP attributes nearly always are, so characters are bytes; else text by text
    if (!ASCII.test(json)) return this.bgpTextsOneByOne(distinct, rowText);
    // no raw line breaks inside JSON strings: a line that starts an object or closes one is one
    const starts = new Int32Array(distinct.length);
    const lengths = new Int32Array(distinct.length);
    let from = 0;
    for (let k = 0; k < distinct.length; k++) {
      const start = json.indexOf('\n    {', from) + 5;
      starts[k] = start;
      if (json.charCodeAt(start + 1) === 0x7d) {
        from = start + 2;
        continue;
      }
      const end = json.indexOf('\n    }', start);
      lengths[k] = end - start;
      from = end + 6;
    }
    const tableBytes = this.count * 8;
    return {
      bytes: tableBytes + json.length,
      fill: (at) => {
        const table = new DataView(this.wasm.memory.buffer, at, tableBytes);
        const text = new Uint8Array(this.wasm.memory.buffer, at + tableBytes, json.length);
        encoder.encodeInto(json, text);
        for (let k = 0; k < distinct.length; k++) text[starts[k]] = 0x2c;
        for (let i = 0; i < this.count; i++) {
          const k = rowText[i];
          table.setUint32(i * 8, k < 0 ? 0 : tableBytes + starts[k], true);
          table.setUint32(i * 8 + 4, k < 0 ? 0 : lengths[k], true);
        }
      },
    };
  }

  /** bgpTexts for texts that are not all ASCII: each distinct text encoded on its own. */
  private bgpTextsOneByOne(distinct: RouteBgpFields[], rowText: Int32Array): { bytes: number; fill(at: number): void } {
    const texts = distinct.map((fields) => encoder.encode(bgpText(fields)));
    const tableBytes = this.count * 8;
    const offsets = new Int32Array(texts.length);
    let bytes = tableBytes;
    texts.forEach((text, k) => {
      offsets[k] = bytes;
      bytes += text.length;
    });
    return {
      bytes,
      fill: (at) => {
        const memory = new Uint8Array(this.wasm.memory.buffer);
        texts.forEach((text, k) => memory.set(text, at + offsets[k]));
        const table = new DataView(this.wasm.memory.buffer, at, tableBytes);
        for (let i = 0; i < this.count; i++) {
          const k = rowText[i];
          table.setUint32(i * 8, k < 0 ? 0 : offsets[k], true);
          table.setUint32(i * 8 + 4, k < 0 ? 0 : texts[k].length, true);
        }
      },
    };
  }
}

const ASCII = /^[\x00-\x7f]*$/;

/** A row's BGP members from the table's objects, in the order of docs/report.md, only those present. */
function bgpFields(as: AsAttributes | undefined, communities: readonly string[] | undefined): RouteBgpFields {
  const fields: RouteBgpFields = {};
  if (as?.originAs !== undefined) fields.originAs = as.originAs;
  if (as?.originAsSet !== undefined) fields.originAsSet = as.originAsSet;
  if (as?.asPath !== undefined) fields.asPath = as.asPath;
  if (communities !== undefined) fields.communities = communities;
  return fields;
}

function align8(bytes: number): number {
  return (bytes + 7) & ~7;
}

/** A route member's text as JSON.stringify(report, null, 2) indents it: 6 blanks, items 8. */
function memberText(name: string, value: unknown): string {
  if (!Array.isArray(value)) return `,\n      ${JSON.stringify(name)}: ${JSON.stringify(value)}`;
  if (value.length === 0) return `,\n      ${JSON.stringify(name)}: []`;
  return `,\n      ${JSON.stringify(name)}: [\n${value.map((item) => `        ${JSON.stringify(item) ?? 'null'}`).join(',\n')}\n      ]`;
}

/** The text of a row's BGP attributes, after `destinations`. */
function bgpText(fields: RouteBgpFields): string {
  let text = '';
  for (const [name, value] of Object.entries(fields)) if (value !== undefined) text += memberText(name, value);
  return text;
}

/**
 * Writes the text of attribute class `routeClass` where WebAssembly keeps it (layout in
 * assembly/report/routes-json.ts): what follows `"nextHop": `, the type, and each next hop of a
 * multipath route up to its `"packets": `.
 */
function writeClassText(wasm: FibscopeExports, routeClass: number, attributes: ClassAttributes): void {
  const head = encoder.encode(`${JSON.stringify(attributes.nextHop)},\n      "dev": ${JSON.stringify(attributes.dev)}`);
  const type = encoder.encode(JSON.stringify(attributes.type));
  const hops = attributes.nextHops && attributes.nextHops.length > 1 ? attributes.nextHops.map((hop) => {
    let text = '        {\n';
    for (const [name, value] of [['via', hop.via], ['dev', hop.dev], ['weight', hop.weight]] as const) {
      // JSON.stringify leaves out a member whose value is undefined
      if (value !== undefined) text += `          "${name}": ${JSON.stringify(value)},\n`;
    }
    return encoder.encode(`${text}          "packets": `);
  }) : [];
  const headerBytes = 12 + hops.length * 4;
  const bytes = headerBytes + head.length + type.length + hops.reduce((sum, hop) => sum + hop.length, 0);
  const at = wasm.routeClassCreate(routeClass, bytes) >>> 0;
  if (at === 0) throw new FibscopeOutOfMemoryError('a report', 'out of WebAssembly memory: no room for the text of the routes\' next hops');
  const view = new DataView(wasm.memory.buffer, at, bytes);
  const memory = new Uint8Array(wasm.memory.buffer, at, bytes);
  view.setUint32(0, head.length, true);
  view.setUint32(4, type.length, true);
  view.setUint32(8, hops.length, true);
  hops.forEach((hop, i) => view.setUint32(12 + i * 4, hop.length, true));
  let next = headerBytes;
  for (const text of [head, type, ...hops]) {
    memory.set(text, next);
    next += text.length;
  }
}
