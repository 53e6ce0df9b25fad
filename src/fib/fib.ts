import { FibscopeArgumentError, FibscopeOutOfMemoryError } from '../errors.js';
import { formatIPv4, formatIPv6, parseIPv4, parseIPv6 } from '../net/address.js';
import { parsePrefixText, type PrefixKey } from '../net/prefix.js';
import { detectRouteFormat, parseRoutes, type RouteFormat } from '../routes/index.js';
import { looksLikeMrt } from '../mrt/detect.js';
import { MrtRibScan } from '../mrt/rib-scan.js';
import { parseMrtRoutes, type MrtLoadNotes } from '../mrt/routes.js';
import { canonicalNextHop } from '../routes/scan.js';
import { detectionText } from '../routes/detect.js';
import { RouteList, setAt, widened } from '../routes/route-list.js';
import {
  ROUTE_TYPES, routeTypeCode, type AsAttributes, type NextHop, type Route, type RouteAttributes, type RouteProvenance,
} from '../routes/route.js';
import { asAttributesOfPath } from '../routes/bgp-attributes.js';
import { LazyAsPaths } from './lazy-as-paths.js';
import { instantiateModule, type FibscopeExports } from '../wasm/module.js';
import { registerInterfaceName } from '../classify/interfaces.js';

/** Bytes per route record in the I/O region (see assembly/index.ts addRoutes). */
const ROUTE_INPUT = 32;
/**
 * Addresses per WebAssembly call of the batch lookups. Small enough that the copied addresses and
 * ids stay in the first cache levels instead of evicting the trie (measured: 4096 beats 64k by
 * 3-6%), large enough that the call itself costs nothing.
 */
const LOOKUP_CHUNK = 4096;
const utf8 = new TextEncoder();
/**
 * Lines or routes per WebAssembly call of a long job. V8 gives a function optimized code only
 * between calls, so one call over a million lines would run all of it in baseline code.
 */
const WASM_STEP = 16384;
/** plainScan's "call me again", and its "no room for a record per line" (assembly/routes/plain.ts). */
const SCAN_MORE = -2;
const SCAN_NO_MEMORY = -3;
/** A load bigger than this rebuilds the lookup structure once instead of piece by piece. */
const BULK_THRESHOLD = 4096;

export interface FibStats {
  ipv4Routes: number;
  ipv6Routes: number;
  /** Bytes of WebAssembly memory the table uses: lookup structures, RIB and route records. */
  memoryBytes: number;
  ipv4LookupBytes: number;
  ipv6LookupBytes: number;
  ribBytes: number;
}

/** The prefixes of a table and the routes that answer for them (Fib.bestPrefixes). */
export interface BestPrefixes {
  count: number;
  ids: Int32Array;
  family: Uint8Array;
  length: Uint8Array;
  /** 4 u32 per prefix, the address's most significant first; IPv4 in the first. */
  words: Uint32Array;
}

/** What a report row shows of its route. */
export interface RouteRowFields {
  prefix: string;
  nextHop: string | null;
  dev: string | null;
  metric: number;
  type: string;
  /** A multipath route's next hops, in the order WebAssembly counts them. */
  nextHops?: readonly NextHop[];
  /** BGP attributes (docs/route-formats.md): undefined when the route has none. */
  originAs?: number;
  originAsSet?: readonly number[];
  asPath?: string;
  communities?: readonly string[];
}

export interface LoadOptions {
  format?: RouteFormat | 'auto';
  /** Named in error messages; a file path or a label. */
  source?: string;
  /** MRT only: the peer whose routes load, `ADDRESS` or `AS` (docs/route-formats.md "MRT"). */
  peer?: string;
}

/** Prefixes as columns (Fib.addPrefixColumns): `count` of each, keys as 4 u32 each, most significant first. */
export interface PrefixColumns {
  count: number;
  family: Uint8Array;
  length: Uint8Array;
  words: Uint32Array;
  metric: Uint32Array;
}

export interface LoadResult {
  /** Routes now in the table from this load (duplicates excluded). */
  added: number;
  ipv4: number;
  ipv6: number;
  /** Lines that repeated a route already present (same prefix, metric, type, next hops, device). */
  duplicates: number;
  /** MRT loads only: records skipped, entries passed over, the peers, where the file broke off. */
  mrt?: MrtLoadNotes;
}

/** The verbs of RouteChangeColumns.op (as assembly/route-updates.ts reads them). */
export const CHANGE_ADD = 0;
export const CHANGE_REPLACE = 1;
export const CHANGE_DEL = 2;

/** @internal Route changes in columns, as Fib.applyChanges reads them (src/updates/columns.ts has them). */
export interface RouteChangeColumns {
  op: Uint8Array;
  family: Uint8Array;
  length: Uint8Array;
  /** IPv4: host order; IPv6: 16 network-order bytes per change. Host bits clear. */
  v4: Uint32Array;
  v6: Uint8Array;
  /** Per change, the number of its prepared route (add, replace). */
  attributes: Uint32Array;
}

/** @internal A route's attributes as a table has checked and classed them (Fib.prepareRoute). */
export interface PreparedRoute {
  readonly metric: number;
  readonly routeClass: number;
  readonly nextHops: readonly NextHop[] | undefined;
  readonly as: AsAttributes | undefined;
  readonly communities: readonly string[] | undefined;
  readonly provenance: RouteProvenance | undefined;
}

export interface RemoveMatch {
  metric?: number;
  nextHop?: string | null;
  dev?: string | null;
}

export interface FibOptions {
  /** A compiled fibscope module, for hosts that load the .wasm themselves. */
  module?: WebAssembly.Module;
  /**
   * The most WebAssembly memory this table and its analyzers may use, in bytes, 16 MiB to 4 GiB
   * (default: 4 GiB, taken as 4 GiB - 64 KiB: all that wasm32 addresses). Past it, growth stops cleanly
   * (FibscopeOutOfMemoryError, or destinations counted in the overflow bucket).
   */
  memoryLimit?: number;
  /** Bytes below the limit kept for work already under way (default 64 MiB; see the README). */
  memoryReserve?: number;
}

/** WebAssembly memory a route may take, generously (measured: 120-500 bytes on real tables). */
const ROUTE_BYTES_ESTIMATE = 1024;
/** What a load of `count` routes is called in an out-of-memory message. */
function routesFrom(count: number, source: string | undefined): string {
  return `${count} routes${source === undefined ? '' : ` from ${source}`}`;
}

/** Changes this small are covered by the reserve alone. */
const FEW_ROUTES = 64;
/**
 * What a plain-text load takes in WebAssembly memory per byte of text, about: its scan, sort,
 * route records, RIB and lookup structure (the 1.06M-route tier1-2024 table, 18 MB of text, takes
 * memory to 148 MB; a 100,000-route table of 2.7 MB to 27 MB).
 */
const LOAD_BYTES_PER_TEXT_BYTE = 8;
const MAX_MEMORY = 2 ** 32 - 65536;
const DEFAULT_RESERVE = 64 << 20;

/**
 * The metric, type, next hops, next hop and device a route of `attributes` has, checked as `add`
 * checks them (FibscopeArgumentError).
 */
function checkedAttributes(attributes: RouteAttributes) {
  const metric = checkMetric(attributes.metric ?? 0);
  const type = attributes.type ?? 'unicast';
  const typeCode = routeTypeCode(type);
  if (typeCode < 0) throw new FibscopeArgumentError(`unknown route type '${type}'`);
  const nextHops = attributes.nextHops && attributes.nextHops.length > 0 ? attributes.nextHops : undefined;
  if (nextHops) checkWeights(nextHops);
  const nextHop = attributes.nextHop ?? nextHops?.[0]?.via ?? null;
  const dev = attributes.dev ?? nextHops?.[0]?.dev ?? null;
  return { metric, typeCode, nextHops, nextHop, dev };
}

/** Writes a record's key at `record`: 16 network-order bytes (IPv4: its 4, then zeros). */
function writeRecordKey(words: Uint32Array, bytes: Uint8Array, record: number, family: number, v4: number,
  v6: Uint8Array, v6At: number): void {
  const word = record >>> 2;
  if (family === 4) {
    words[word] = ((v4 >>> 24) | ((v4 >>> 8) & 0xff00) | ((v4 & 0xff00) << 8) | (v4 << 24)) >>> 0;
    words[word + 1] = 0;
    words[word + 2] = 0;
    words[word + 3] = 0;
  } else {
    for (let b = 0; b < 16; b++) bytes[record + b] = v6[v6At + b];
  }
}

/**
 * A longest-prefix-match routing table for IPv4 and IPv6 in WebAssembly.
 *
 * The WebAssembly side keeps the RIB (every route, ordered per prefix by metric) and the
 * lookup structure; this side keeps what lookups never read (next-hop text, device, type)
 * in columns indexed by route id.
 */
export class Fib {
  private readonly wasm: FibscopeExports;
  private readonly ioPointer: number;
  private readonly ioOutput: number;
  private readonly maxBatch4: number;
  private readonly maxBatch6: number;
  private bytes!: Uint8Array;
  private u32!: Uint32Array;
  private i32!: Int32Array;
  private view!: DataView;

  // per route id
  private family = new Uint8Array(1024);
  private prefixLength = new Uint8Array(1024);
  private metric = new Uint32Array(1024);
  /** The attribute class of each route: its type, next hop and device are the class's (below). */
  private routeClass = new Uint32Array(1024);
  private nextHops = new Map<number, NextHop[]>();
  /**
   * BGP attributes by route id, shared objects; each column stays undefined until a route has
   * some, so tables without them (plain, ip) pay nothing.
   */
  private asAttributes: (AsAttributes | undefined)[] | undefined;
  /**
   * The AS paths of the routes of the last MRT bulk load, as numbers, their objects made when read
   * (what it holds for an id comes before `asAttributes`): read through asOf, written through setAs.
   */
  private lazyAs: LazyAsPaths | undefined;
  private communities: (readonly string[] | undefined)[] | undefined;
  /** Where a route came from and its BGP preference attributes; undefined until a route has them. */
  private provenance: (RouteProvenance | undefined)[] | undefined;
  private cache: (Route | undefined)[] = [];
  /** Prefix text by route id, made on first use: reports read the same routes again and again. */
  private prefixCache: (string | undefined)[] = [];
  private freeIds: number[] = [];
  private nextId = 0;
  private counts = { 4: 0, 6: 0 };
  /** Scratch for parsing the prefix of one API call. */
  private readonly key: PrefixKey = { family: 4, length: 0, v4: 0, v6: new Uint8Array(16) };

  // attribute classes: routes with equal class, prefix and metric are duplicates
  private attributeClasses = new Map<string, number>();
  /** Attribute classes WebAssembly has not been told the type and devices of (describeRouteClasses). */
  private undescribedClasses: { routeClass: number; type: number; devices: string[] }[] = [];
  private singleHopClasses = new Map<string | null, Map<number | string, number>>();
  private attributeClassCount = 0;
  // per attribute class, what a route of it has: one entry per class rather than per route
  // keeps a full table's load free of per-route JavaScript values
  private classType: number[] = [0];
  private classNextHop: (string | null)[] = [null];
  private classDev: (string | null)[] = [null];
  private lastAttributes: [string | null, string | null, number, readonly NextHop[] | undefined] | undefined;
  private lastClass = 0;
  /** The BGP attributes of the last add or replace, checked and frozen (bgpAttributesOf). */
  private lastBgp: SharedBgpAttributes | undefined;
  /** applyChanges' ids of one call, kept from call to call. */
  private changeIds: Int32Array | undefined;

  private constructor(wasm: FibscopeExports) {
    this.wasm = wasm;
    this.ioPointer = wasm.ioPointer();
    this.ioOutput = this.ioPointer + wasm.ioOutputOffset();
    this.maxBatch4 = Math.min(wasm.maxBatch4(), LOOKUP_CHUNK);
    this.maxBatch6 = Math.min(wasm.maxBatch6(), LOOKUP_CHUNK);
  }

  /** Compiles the WebAssembly once per process and returns a new, empty table. */
  static async create(options: FibOptions = {}): Promise<Fib> {
    const asked = options.memoryLimit ?? MAX_MEMORY;
    if (!Number.isSafeInteger(asked) || asked < 16 << 20 || asked > 2 ** 32) {
      throw new FibscopeArgumentError(`memoryLimit must be a whole number of bytes from 16 MiB to 4 GiB, got ${asked}`);
    }
    // 4 GiB itself is what wasm32 addresses: its last 64 KiB page cannot be ended at in 32 bits
    const limit = Math.min(asked, MAX_MEMORY);
    const reserve = options.memoryReserve ?? Math.min(DEFAULT_RESERVE, Math.floor(limit / 8));
    if (!Number.isSafeInteger(reserve) || reserve < 0 || reserve > limit / 2) {
      throw new FibscopeArgumentError(`memoryReserve must be a whole number of bytes up to half the limit, got ${reserve}`);
    }
    const wasm = await instantiateModule(options.module);
    wasm.memorySetLimits(limit, reserve);
    return new Fib(wasm);
  }

  /**
   * Throws before anything changes when `routes` more routes may not fit in WebAssembly memory
   * (an estimate: the reserve below the limit covers one that is off).
   */
  private ensureMemoryFor(routes: number, what: string): void {
    if (this.hasMemoryFor(routes)) return;
    const needed = routes * ROUTE_BYTES_ESTIMATE;
    const available = this.wasm.memoryAvailable();
    throw new FibscopeOutOfMemoryError(what, `out of WebAssembly memory: ${what} may need ${needed} bytes and `
      + `${available} are left under the ${this.wasm.memoryLimit()}-byte limit (less its reserve); nothing was changed`);
  }

  /** Whether `routes` more routes fit in WebAssembly memory (an estimate, as ensureMemoryFor says). */
  private hasMemoryFor(routes: number): boolean {
    // a change of a few routes fits in the reserve whatever is left: no walk of the free blocks
    return this.wasm.memoryBelowSoftLimit() && (routes <= FEW_ROUTES || this.wasm.memoryAvailable() >= routes * ROUTE_BYTES_ESTIMATE);
  }

  /**
   * Adds a route and returns its id (stable while the route exists). Adding a route identical
   * to one present (same prefix, metric, type, next hops, device) keeps that one and returns its id.
   */
  add(prefix: string, attributes: RouteAttributes = {}): number {
    const key = parsePrefixText(prefix, this.key);
    this.ensureMemoryFor(1, `adding ${prefix}`);
    const bgp = this.bgpAttributesOf(attributes);
    this.stage(key, attributes, 0, bgp.as, bgp.communities, bgp.provenance);
    return this.commitOne(false);
  }

  /** Replaces the routes of `prefix` that have the same metric (as `ip route replace`), or adds; returns the id. */
  replace(prefix: string, attributes: RouteAttributes = {}): number {
    const key = parsePrefixText(prefix, this.key);
    this.ensureMemoryFor(1, `replacing ${prefix}`);
    const bgp = this.bgpAttributesOf(attributes);
    this.stage(key, attributes, 0, bgp.as, bgp.communities, bgp.provenance);
    return this.commitOne(true);
  }

  /**
   * Takes the place of every route of `prefix`, whatever its metric (a BGP announcement), and
   * returns the id. A route identical to the new one stays, with its counters, as `replace` keeps it.
   */
  replacePrefix(prefix: string, attributes: RouteAttributes = {}): number {
    const key = parsePrefixText(prefix, this.key);
    this.ensureMemoryFor(1, `replacing ${prefix}`);
    const bgp = this.bgpAttributesOf(attributes);
    this.stage(key, attributes, 0, bgp.as, bgp.communities, bgp.provenance);
    return this.commitOne(true, true);
  }

  /**
   * The checked, frozen BGP attributes of `attributes`, shared with the previous call when they are
   * the same values: a peer's UPDATE gives hundreds of routes one path, and a frozen copy per route
   * was most of the cost of a full table (and its garbage).
   */
  private bgpAttributesOf(attributes: RouteAttributes): SharedBgpAttributes {
    const last = this.lastBgp;
    if (last !== undefined && last.asPath === attributes.asPath && last.originAs === attributes.originAs
      && sameItems(last.originAsSet, attributes.originAsSet) && sameItems(last.communitiesGiven, attributes.communities)
      && last.source === attributes.source && last.med === attributes.med && last.localPref === attributes.localPref) return last;
    const made: SharedBgpAttributes = {
      as: asAttributesOf(attributes), communities: communitiesOf(attributes), provenance: provenanceOf(attributes),
      // copies of what was given: a caller may change its arrays after the call
      asPath: attributes.asPath, originAs: attributes.originAs, originAsSet: copyOf(attributes.originAsSet),
      communitiesGiven: copyOf(attributes.communities), source: attributes.source, med: attributes.med, localPref: attributes.localPref,
    };
    this.lastBgp = made;
    return made;
  }

  /** Removes the routes of `prefix` that match (all of them when `match` is omitted); returns how many. */
  remove(prefix: string, match: RemoveMatch = {}): number {
    const key = parsePrefixText(prefix, this.key);
    if (match.metric === undefined && match.nextHop === undefined && match.dev === undefined) {
      this.writeKey(key, this.ioPointer);
      const removed = this.wasm.removePrefix(key.family, key.length);
      this.releaseRemoved(removed);
      return removed;
    }
    const ids = this.idsAt(key).filter((id) =>
      (match.metric === undefined || this.metric[id] === match.metric)
      && (match.nextHop === undefined || this.classNextHop[this.routeClass[id]] === match.nextHop)
      && (match.dev === undefined || this.classDev[this.routeClass[id]] === match.dev));
    return this.removeIds(ids);
  }

  /** The routes for exactly this prefix, best first (the first is the one lookups return). */
  routesFor(prefix: string): Route[] {
    return this.idsAt(parsePrefixText(prefix, this.key)).map((id) => this.route(id)!);
  }

  /** Removes one route by id; false if there is no such route. */
  removeRoute(id: number): boolean {
    return this.exists(id) && this.removeIds([id]) === 1;
  }

  /**
   * Loads routes from text (a string, or UTF-8 bytes such as a file's) in any format of
   * docs/route-formats.md, or from an already parsed list. All or nothing: a load that throws changed nothing.
   */
  load(input: string | Uint8Array | RouteList, options: LoadOptions = {}): LoadResult {
    if (input instanceof RouteList) return this.addList(input);
    const format = options.format ?? 'auto';
    // MRT is binary: only bytes can hold it; its parser reads everything before a change is made
    if (typeof input !== 'string' && (format === 'mrt' || (format === 'auto' && looksLikeMrt(input)))) {
      const fast = this.loadMrtRib(input, options);
      if (fast) return fast;
      const { routes, notes } = parseMrtRoutes(input, { source: options.source, peer: options.peer });
      return { ...this.addList(routes, options.source), mrt: notes };
    }
    if (options.peer !== undefined) {
      throw new FibscopeArgumentError(`a peer (${options.peer}) chooses among the peers of an MRT file; ${options.source ?? 'this input'} is not MRT`);
    }
    // plain text, the format of big tables, is read in WebAssembly; it leaves anything unusual
    // (and every error) to the parser below, which words the messages
    if (format === 'plain' || (format === 'auto' && detectRouteFormat(detectionTextOf(input)) === 'plain')) {
      const result = this.loadPlain(typeof input === 'string' ? utf8.encode(input) : input, options.source);
      if (result) return result;
    }
    const text = typeof input === 'string' ? input : new TextDecoder('utf-8').decode(input);
    return this.addList(parseRoutes(text, { format, source: options.source }), options.source);
  }

  /** The route that an address matches, or undefined. Throws on a string that is not an address. */
  lookup(address: string): Route | undefined {
    const v4 = parseIPv4(address);
    let id: number;
    if (v4 >= 0) {
      id = this.wasm.lookup4(v4);
    } else {
      this.refreshViews();
      if (!parseIPv6(address, this.bytes, this.ioPointer)) {
        throw new FibscopeArgumentError(`not an IPv4 or IPv6 address: '${address}'`);
      }
      id = this.wasm.lookup6();
    }
    return id < 0 ? undefined : this.route(id);
  }

  /**
   * Route ids for host-order IPv4 addresses (-1: no route). One WebAssembly call per 4096
   * addresses. A table of more than 2^18 IPv4 routes is rebuilt, once, into a faster form after
   * 2^24 lookups (64 MiB more; docs/library.md).
   */
  lookup4(addresses: Uint32Array, out: Int32Array = new Int32Array(addresses.length)): Int32Array {
    if (out.length < addresses.length) throw new FibscopeArgumentError(`out holds ${out.length} ids, ${addresses.length} needed`);
    this.refreshViews();
    const input = this.ioPointer >>> 2;
    const output = this.ioOutput >>> 2;
    for (let start = 0; start < addresses.length; start += this.maxBatch4) {
      const count = Math.min(this.maxBatch4, addresses.length - start);
      this.u32.set(addresses.subarray(start, start + count), input);
      this.wasm.lookup4Batch(count);
      // memory may have grown: a large table moves to its large direct array after enough lookups
      this.refreshViews();
      out.set(this.i32.subarray(output, output + count), start);
    }
    return out;
  }

  /**
   * Route ids for IPv6 addresses, 16 network-order bytes each (-1: no route). A table of more
   * than 2^16 IPv6 routes is rebuilt, once, into a faster form after 2^24 lookups (64 MiB more).
   */
  lookup6(addresses: Uint8Array, out: Int32Array = new Int32Array(addresses.length >>> 4)): Int32Array {
    if (addresses.length % 16 !== 0) throw new FibscopeArgumentError(`IPv6 addresses take 16 bytes each; got ${addresses.length} bytes`);
    const total = addresses.length >>> 4;
    if (out.length < total) throw new FibscopeArgumentError(`out holds ${out.length} ids, ${total} needed`);
    this.refreshViews();
    const output = this.ioOutput >>> 2;
    for (let start = 0; start < total; start += this.maxBatch6) {
      const count = Math.min(this.maxBatch6, total - start);
      this.bytes.set(addresses.subarray(start * 16, (start + count) * 16), this.ioPointer);
      this.wasm.lookup6Batch(count);
      this.refreshViews(); // as in lookup4
      out.set(this.i32.subarray(output, output + count), start);
    }
    return out;
  }

  /** The route with this id, or undefined if there is none. */
  route(id: number): Route | undefined {
    if (!this.exists(id)) return undefined;
    let route = this.cache[id];
    if (!route) {
      const routeClass = this.routeClass[id];
      const nextHop = this.classNextHop[routeClass];
      const dev = this.classDev[routeClass];
      const nextHops = this.nextHops.get(id) ?? (nextHop !== null || dev !== null ? [{ via: nextHop, dev, weight: 1 }] : []);
      const communities = this.communities?.[id];
      route = Object.freeze({
        id,
        prefix: this.prefixCache[id] ??= this.prefixText(id),
        type: ROUTE_TYPES[this.classType[routeClass]],
        nextHop,
        dev,
        metric: this.metric[id],
        nextHops: Object.freeze(nextHops.map((hop) => Object.freeze({ ...hop }))),
        ...this.asOf(id),
        ...(communities ? { communities } : {}),
        ...this.provenance?.[id],
      });
      this.cache[id] = route;
    }
    return route;
  }

  /**
   * @internal A route's prefix text, next hop, device, metric and type into `row`, without
   * making a Route: reports read tens of thousands of routes at once. False if there is no such route.
   */
  describeInto(id: number, row: RouteRowFields): boolean {
    if (!this.exists(id)) return false;
    row.prefix = this.prefixCache[id] ??= this.prefixText(id);
    const routeClass = this.routeClass[id];
    row.nextHop = this.classNextHop[routeClass];
    row.dev = this.classDev[routeClass];
    row.metric = this.metric[id];
    row.type = ROUTE_TYPES[this.classType[routeClass]];
    row.nextHops = this.nextHops.get(id);
    const as = this.asOf(id);
    row.originAs = as?.originAs;
    row.originAsSet = as?.originAsSet;
    row.asPath = as?.asPath;
    row.communities = this.communities?.[id];
    return true;
  }

  /**
   * @internal Every prefix of the table with the route its lookups answer (the best of the
   * prefix), read in one pass over the route records: `compare` builds its overlay from these.
   * `words` holds 4 u32 per prefix, most significant first (IPv4: the address, then zeros).
   */
  bestPrefixes(): BestPrefixes {
    this.refreshViews();
    // the records are one array by id: its start from the first route that exists
    let first = 0;
    while (first < this.nextId && this.family[first] === 0) first++;
    const records = first === this.nextId ? 0 : (this.wasm.routeRecordPointer(first) >>> 0) - first * 32;
    const view = this.view;
    // a route another route of its prefix points to (a worse metric) answers no lookup
    const worse = new Uint8Array(this.nextId);
    for (let id = 0; id < this.nextId; id++) {
      if (this.family[id] === 0) continue;
      const next = view.getInt32(records + id * 32 + 20, true);
      if (next >= 0) worse[next] = 1;
    }
    let count = 0;
    for (let id = 0; id < this.nextId; id++) if (this.family[id] !== 0 && worse[id] === 0) count++;
    const out: BestPrefixes = {
      count, ids: new Int32Array(count), family: new Uint8Array(count), length: new Uint8Array(count), words: new Uint32Array(count * 4),
    };
    let at = 0;
    for (let id = 0; id < this.nextId; id++) {
      if (this.family[id] === 0 || worse[id] !== 0) continue;
      const record = records + id * 32;
      out.ids[at] = id;
      out.family[at] = this.family[id];
      out.length[at] = this.prefixLength[id];
      // the record's key: u64 hi then u64 lo, little-endian
      out.words[at * 4] = view.getUint32(record + 4, true);
      out.words[at * 4 + 1] = view.getUint32(record, true);
      out.words[at * 4 + 2] = view.getUint32(record + 12, true);
      out.words[at * 4 + 3] = view.getUint32(record + 8, true);
      at++;
    }
    return out;
  }

  /**
   * @internal Tells the table the text of route `id`'s prefix, made already by another table of
   * the same prefix (`compare`'s overlay), so that it need not be made again.
   */
  notePrefixText(id: number, text: string): void {
    if (this.exists(id)) this.prefixCache[id] ??= text;
  }

  /** @internal Whether route `id` has several next hops (without making its Route). */
  isMultipath(id: number): boolean {
    return (this.nextHops.get(id)?.length ?? 0) > 1;
  }

  /** @internal Whether any route has several next hops. */
  hasMultipath(): boolean {
    for (const hops of this.nextHops.values()) if (hops.length > 1) return true;
    return false;
  }

  /** How many routes carry BGP attributes, and how many distinct origin ASes they name. */
  bgpStats(): { withOriginAs: number; originAses: number; withAsPath: number; withCommunities: number } {
    const origins = new Set<number>();
    let withOriginAs = 0;
    let withAsPath = 0;
    let withCommunities = 0;
    for (let id = 0; id < this.nextId; id++) {
      if (this.family[id] === 0) continue;
      const as = this.asOf(id);
      if (as?.originAs !== undefined) {
        withOriginAs++;
        origins.add(as.originAs);
      }
      if (as?.asPath) withAsPath++;
      if (this.communities?.[id]?.length) withCommunities++;
    }
    return { withOriginAs, originAses: origins.size, withAsPath, withCommunities };
  }

  /** @internal Whether routes may carry BGP attributes (some had them once): reports then read them route by route. */
  hasBgpAttributes(): boolean {
    return this.asAttributes !== undefined || this.lazyAs !== undefined || this.communities !== undefined;
  }

  /**
   * @internal Route `id`'s BGP AS attributes and communities as the table keeps them, objects shared
   * by the routes that have the same (undefined: none): reports make their text once per such object.
   */
  sharedBgpOf(id: number): [AsAttributes | undefined, readonly string[] | undefined] {
    return [this.asOf(id), this.communities?.[id]];
  }

  /** True when some route of the table has an origin AS (from bgpdump -m, pfx2as or `add`): what views by AS need. */
  hasOriginAs(): boolean {
    return (this.asAttributes?.some((as) => as?.originAs !== undefined) ?? false) || (this.lazyAs?.hasOriginAs() ?? false);
  }

  /** Every route in the table, in id order. */
  *routes(): IterableIterator<Route> {
    for (let id = 0; id < this.nextId; id++) {
      if (this.family[id] !== 0) yield this.route(id)!;
    }
  }

  stats(): FibStats {
    const ipv4LookupBytes = this.wasm.poolBytes(0);
    const ipv6LookupBytes = this.wasm.poolBytes(1);
    const ribBytes = this.wasm.poolBytes(2);
    return {
      ipv4Routes: this.counts[4],
      ipv6Routes: this.counts[6],
      memoryBytes: ipv4LookupBytes + ipv6LookupBytes + ribBytes,
      ipv4LookupBytes,
      ipv6LookupBytes,
      ribBytes,
    };
  }

  /**
   * @internal The WebAssembly instance behind this table and its I/O region: an Analyzer counts
   * in the same instance, so its per-packet lookups are plain calls inside WebAssembly.
   */
  engine(): { wasm: FibscopeExports; ioPointer: number } {
    return { wasm: this.wasm, ioPointer: this.ioPointer };
  }

  /** How many routes there are of each prefix length: `ipv4[0..32]`, `ipv6[0..128]`. */
  prefixLengthCounts(): { ipv4: number[]; ipv6: number[] } {
    const ipv4 = new Array<number>(33).fill(0);
    const ipv6 = new Array<number>(129).fill(0);
    for (let id = 0; id < this.nextId; id++) {
      if (this.family[id] === 4) ipv4[this.prefixLength[id]]++;
      else if (this.family[id] === 6) ipv6[this.prefixLength[id]]++;
    }
    return { ipv4, ipv6 };
  }

  private exists(id: number): boolean {
    return Number.isInteger(id) && id >= 0 && id < this.nextId && this.family[id] !== 0;
  }

  /**
   * Plain-format text through WebAssembly (assembly/routes/plain.ts): it scans every line into
   * records, this side names each distinct label once, gives the routes fresh ids and fills the
   * columns, WebAssembly inserts them. Undefined when the scan leaves the text to the parser.
   */
  private loadPlain(bytes: Uint8Array, source?: string): LoadResult | undefined {
    const size = Math.max(bytes.length, 1);
    const textAt = this.wasm.hostBufferCreate(size) >>> 0;
    if (textAt === 0) {
      throw new FibscopeOutOfMemoryError('route text', `out of WebAssembly memory: no room for ${size} bytes of route text; nothing was changed`);
    }
    let textHeld = true;
    try {
      // memory for everything the load makes, grown once rather than a quarter at a time
      this.wasm.memoryPrepare(bytes.length * LOAD_BYTES_PER_TEXT_BYTE);
      new Uint8Array(this.wasm.memory.buffer, textAt, bytes.length).set(bytes);
      let count: number;
      do count = this.wasm.plainScan(textAt, bytes.length, WASM_STEP);
      while (count === SCAN_MORE);
      if (count === SCAN_NO_MEMORY) {
        throw new FibscopeOutOfMemoryError('route text', `out of WebAssembly memory: no room to read ${bytes.length} bytes of routes; nothing was changed`);
      }
      if (count < 0) return undefined;
      const bulk = count > BULK_THRESHOLD;
      if (bulk) this.wasm.plainSortByPrefix(count);
      this.ensureMemoryFor(count, routesFrom(count, source));
      this.refreshViews();
      const memory = this.bytes;
      const words = this.u32;
      const decoder = new TextDecoder('utf-8');
      const labelsAt = this.wasm.plainLabels() >>> 0;
      const labels = Array.from({ length: this.wasm.plainLabelCount() }, (_, n) => {
        const at = textAt + words[(labelsAt >>> 2) + n * 2];
        return decoder.decode(memory.subarray(at, at + words[(labelsAt >>> 2) + n * 2 + 1]));
      });
      // each (next hop, device) pair: its strings and its attribute class
      const pairsAt = this.wasm.plainPairs() >>> 0;
      const pairCount = this.wasm.plainPairCount();
      const pairClass = new Uint32Array(pairCount);
      const unicast = routeTypeCode('unicast');
      for (let p = 0; p < pairCount; p++) {
        const at = pairsAt + p * 12;
        const hop = this.i32[at >>> 2];
        const dev = this.i32[(at >>> 2) + 1];
        pairClass[p] = this.attributeClass(hop < 0 ? null : canonicalNextHop(labels[hop]), dev < 0 ? null : labels[dev], unicast, undefined);
        words[(at >>> 2) + 2] = pairClass[p];
      }
      // the labels were the last thing read from the text: its pages (already touched) are free
      // for the route records and the RIB, instead of fresh ones
      this.wasm.hostBufferFree(textAt, size);
      textHeld = false;
      // ids freed by earlier removals first (a table reloaded for weeks must not outgrow its
      // id space), then fresh ones; WebAssembly reads each record's id as written here
      const fresh = this.freeIds.length === 0;
      const ids = this.takeIds(count);
      const highest = this.nextId - 1;
      if (this.nextId > this.family.length) this.growColumns(this.nextId);
      // fresh ids are one run: WebAssembly numbers the records and packs the columns to copy
      const packedAt = fresh && count > 0 ? this.wasm.plainPackColumns(count, ids[0]) >>> 0 : 0;
      const recordsAt = this.wasm.plainRecords() >>> 0;
      let ipv4 = 0;
      if (packedAt !== 0) {
        const buffer = this.wasm.memory.buffer;
        this.family.set(new Uint8Array(buffer, packedAt, count), ids[0]);
        this.prefixLength.set(new Uint8Array(buffer, packedAt + count, count), ids[0]);
        this.metric.set(new Uint32Array(buffer, this.wasm.plainPackedMetrics() >>> 0, count), ids[0]);
        this.routeClass.set(new Uint32Array(buffer, this.wasm.plainPackedClasses() >>> 0, count), ids[0]);
        ipv4 = this.wasm.plainPackedIPv4();
      } else {
        this.refreshViews();
        const recordPairsAt = this.wasm.plainRecordPairs() >>> 2;
        const { family, prefixLength, metric, routeClass, i32, bytes: memory, u32: words } = this;
        for (let i = 0; i < count; i++) {
          const id = ids[i];
          const record = recordsAt + i * ROUTE_INPUT;
          i32[(record + 16) >>> 2] = id;
          const routeFamily = memory[record + 24];
          if (routeFamily === 4) ipv4++;
          family[id] = routeFamily;
          prefixLength[id] = memory[record + 25];
          metric[id] = words[(record + 20) >>> 2];
          routeClass[id] = pairClass[words[recordPairsAt + i]];
        }
      }
      this.wasm.ensureRouteIds(highest + 1);
      return this.insertInSteps(recordsAt, ids, ipv4, bulk, (start, n) => this.wasm.plainInsert(start, n, bulk));
    } finally {
      this.wasm.plainFree();
      if (textHeld) this.wasm.hostBufferFree(textAt, size);
    }
  }

  /**
   * A TABLE_DUMP_V2 RIB dump through WebAssembly (src/mrt/rib-scan.ts): it scans the records into
   * addRoutes records, each distinct next hop, AS path and community list decoded once; this side
   * gives the routes fresh ids, their next hops' attribute classes and their shared BGP attributes,
   * WebAssembly inserts them. Undefined when the scan leaves the file to parseMrtRoutes.
   */
  private loadMrtRib(bytes: Uint8Array, options: LoadOptions): LoadResult | undefined {
    // fresh ids follow one another, which the scan's columns are written for; ids freed by
    // removals are taken first by the general path
    if (this.freeIds.length > 0) return undefined;
    const scan = MrtRibScan.run(this.wasm, bytes, { source: options.source, peer: options.peer });
    if (scan === undefined) return undefined;
    try {
      const count = scan.count;
      // the scan's own memory may be what is short: without it, the general path decides (and words the error)
      if (!this.hasMemoryFor(count)) return undefined;
      const result: LoadResult = { added: 0, ipv4: 0, ipv6: 0, duplicates: 0 };
      if (count > 0) this.addMrtRibRoutes(scan, result);
      return { ...result, mrt: scan.notes };
    } finally {
      scan.free();
    }
  }

  private addMrtRibRoutes(scan: MrtRibScan, result: LoadResult): void {
    const count = scan.count;
    // classes made in the order routes first name their next hop, as addList makes them
    const hopClasses = new Uint32Array(scan.nextHops.length);
    const unicast = routeTypeCode('unicast');
    for (const hop of scan.hopOrder()) hopClasses[hop] = this.attributeClass(scan.nextHops[hop], null, unicast, undefined);
    const ids = this.takeIds(count);
    const first = ids[0];
    const highest = this.nextId - 1;
    if (this.nextId > this.family.length) this.growColumns(this.nextId);
    this.wasm.ensureRouteIds(highest + 1);
    const columns = scan.columns(hopClasses);
    this.family.set(columns.family, first);
    this.prefixLength.set(columns.prefixLength, first);
    this.metric.set(columns.metric, first);
    this.routeClass.set(columns.routeClass, first);
    const bulk = count > BULK_THRESHOLD;
    const perCall = this.wasm.mrtRibBatchRoutes();
    for (let start = 0; start < count; start += perCall) {
      const n = Math.min(perCall, count - start);
      const records = this.wasm.mrtRibInsert(start, n, first, bulk) >>> 0;
      const counted = this.countInserted(records, ids, start, n, this.wasm.mrtRibBatchIpv4(), this.wasm.insertedDuplicates());
      result.added += counted.added;
      result.ipv4 += counted.ipv4;
      result.ipv6 += counted.ipv6;
      result.duplicates += counted.duplicates;
    }
    // the rebuild then reuses the pages the scan touched
    scan.release();
    if (bulk) this.rebuildLookups(result);
    // the BGP attributes last, once WebAssembly memory has stopped growing (see MrtRibScan);
    // fresh ids never had any, and a duplicate's id was released (its entry is cleared below)
    // AS paths as numbers (LazyAsPaths); one lazy load at a time, an older one folded into asAttributes first
    this.foldLazyAs();
    this.lazyAs = new LazyAsPaths(first, scan.pathNumbers(), scan.pathTable());
    if (scan.hasCommunities) this.communities = sharedColumn(this.communities, scan.communityColumn(), ids, highest + 1);
    if (result.duplicates > 0) {
      for (let i = 0; i < count; i++) {
        if (this.family[ids[i]] !== 0) continue;
        this.lazyAs.clear(ids[i]);
        if (this.communities !== undefined) this.communities[ids[i]] = undefined;
      }
    }
  }

  /**
   * Inserts the records at `recordsAt` (one per id of `ids`, `ipv4` of them IPv4), WASM_STEP a
   * call (`insertStep(start, count)` hands those over), counts what went in and, after a bulk
   * load, builds the lookup structure.
   */
  private insertInSteps(recordsAt: number, ids: Int32Array, ipv4: number, bulk: boolean,
    insertStep: (start: number, count: number) => void): LoadResult {
    const count = ids.length;
    let duplicates = 0;
    for (let start = 0; start < count; start += WASM_STEP) {
      insertStep(start, Math.min(WASM_STEP, count - start));
      duplicates += this.wasm.insertedDuplicates();
    }
    const result = this.countInserted(recordsAt, ids, 0, count, ipv4, duplicates);
    if (bulk) this.rebuildLookups(result);
    return result;
  }

  /**
   * Adds every route of `list`: its ids taken at once, the columns filled from the list's columns
   * (BGP attributes stay the list's shared objects), the records written straight into the I/O
   * region and handed over one WebAssembly call per region-full.
   */
  private addList(list: RouteList, source?: string): LoadResult {
    checkList(list);
    const count = list.count;
    this.ensureMemoryFor(count, routesFrom(count, source));
    const result: LoadResult = { added: 0, ipv4: 0, ipv6: 0, duplicates: 0 };
    if (count === 0) return result;
    const bulk = count > BULK_THRESHOLD;
    const classes = this.listRouteClasses(list);
    // ids freed by earlier removals first, then fresh ones (as loadPlain)
    const ids = this.takeIds(count);
    const highest = this.nextId - 1;
    if (this.nextId > this.family.length) this.growColumns(this.nextId);
    this.wasm.ensureRouteIds(highest + 1);
    const { family, prefixLength, metric, routeClass } = this;
    for (let i = 0; i < count; i++) {
      const id = ids[i];
      family[id] = list.family[i];
      prefixLength[id] = list.prefixLength[i];
      metric[id] = list.metric[i];
      routeClass[id] = classes[i];
    }
    // a fresh id never had attributes, a reused one lost them in release()
    if (list.asAttributes !== undefined) {
      this.asAttributes = sharedColumn(this.asAttributes, list.asAttributes, ids, highest + 1);
      if (this.lazyAs !== undefined) for (const id of ids) this.lazyAs.clear(id);
    }
    if (list.communities !== undefined) this.communities = sharedColumn(this.communities, list.communities, ids, highest + 1);
    for (const [i, hops] of list.nextHops) {
      this.nextHops.set(ids[i], hops.map((hop) => ({ via: hop.via, dev: hop.dev, weight: hop.weight })));
    }
    const perCall = Math.floor((this.ioOutput - this.ioPointer) / ROUTE_INPUT);
    for (let start = 0; start < count; start += perCall) {
      this.addListRecords(list, ids, classes, start, Math.min(perCall, count - start), bulk, result);
    }
    if (bulk) this.rebuildLookups(result);
    return result;
  }

  /**
   * Adds, for each prefix of `columns`, a unicast route without next hop or device, of the metric
   * given (compare's overlay table, whose routes differ in nothing else): the records are made in
   * WebAssembly from the columns, and nothing is done here per route.
   */
  addPrefixColumns(columns: PrefixColumns, source?: string): LoadResult {
    const { count } = columns;
    this.ensureMemoryFor(count, routesFrom(count, source));
    if (count === 0) return { added: 0, ipv4: 0, ipv6: 0, duplicates: 0 };
    const attributeClass = this.attributeClass(null, null, routeTypeCode('unicast'), undefined);
    // no freed ids to reuse: the ids are one run
    const contiguous = this.freeIds.length === 0;
    const ids = this.takeIds(count);
    const highest = this.nextId - 1;
    if (this.nextId > this.family.length) this.growColumns(this.nextId);
    // one block: records, then the columns they are made from
    const familyAt = count * ROUTE_INPUT;
    const lengthAt = familyAt + count;
    const keysAt = (lengthAt + count + 3) & ~3;
    const metricsAt = keysAt + count * 16;
    const size = metricsAt + count * 4;
    const base = this.wasm.hostBufferCreate(size) >>> 0;
    if (base === 0) throw new FibscopeOutOfMemoryError('routes', `out of WebAssembly memory: no room for ${count} routes; nothing was changed`);
    try {
      const buffer = this.wasm.memory.buffer;
      new Uint8Array(buffer, base + familyAt, count).set(columns.family.subarray(0, count));
      new Uint8Array(buffer, base + lengthAt, count).set(columns.length.subarray(0, count));
      new Uint32Array(buffer, base + keysAt, count * 4).set(columns.words.subarray(0, count * 4));
      new Uint32Array(buffer, base + metricsAt, count).set(columns.metric.subarray(0, count));
      this.wasm.recordsFromColumns(base, count, base + familyAt, base + lengthAt, base + keysAt, base + metricsAt, ids[0], attributeClass);
      if (contiguous) {
        this.family.set(columns.family.subarray(0, count), ids[0]);
        this.prefixLength.set(columns.length.subarray(0, count), ids[0]);
        this.metric.set(columns.metric.subarray(0, count), ids[0]);
        this.routeClass.fill(attributeClass, ids[0], ids[0] + count);
      } else {
        // ids freed by earlier removals among them: each record told its own
        this.refreshViews();
        for (let i = 0; i < count; i++) {
          const id = ids[i];
          this.i32[(base + i * ROUTE_INPUT + 16) >>> 2] = id;
          this.family[id] = columns.family[i];
          this.prefixLength[id] = columns.length[i];
          this.metric[id] = columns.metric[i];
          this.routeClass[id] = attributeClass;
        }
      }
      let ipv4 = 0;
      for (let i = 0; i < count; i++) if (columns.family[i] === 4) ipv4++;
      this.wasm.ensureRouteIds(highest + 1);
      const bulk = count > BULK_THRESHOLD;
      return this.insertInSteps(base, ids, ipv4, bulk, (start, n) => this.wasm.addRoutesAt(base + start * ROUTE_INPUT, n, bulk));
    } finally {
      this.wasm.hostBufferFree(base, size);
    }
  }

  /** The attribute class of each route of `list`; a run of routes of the same next hop costs one look. */
  private listRouteClasses(list: RouteList): Uint32Array {
    const classes = new Uint32Array(list.count);
    const multipath = list.nextHops.size > 0;
    // the common case, a single next hop and no device: one map look per next hop and type
    const byHop = new Map<string | null, number>();
    let lastHop: string | null | undefined;
    let lastType = -1;
    let lastClass = 0;
    for (let i = 0; i < list.count; i++) {
      const nextHops = multipath ? list.nextHops.get(i) : undefined;
      const dev = list.dev[i];
      const type = list.type[i];
      if (nextHops !== undefined && nextHops.length > 0) {
        classes[i] = this.attributeClass(list.nextHop[i] ?? nextHops[0]?.via ?? null, dev ?? nextHops[0]?.dev ?? null, type, nextHops);
        continue;
      }
      const hop = list.nextHop[i];
      if (dev !== null) {
        classes[i] = this.attributeClass(hop, dev, type, undefined);
        continue;
      }
      if (hop !== lastHop || type !== lastType) {
        const key = type === 0 ? hop : `${type}\u0000${hop}`;
        let found = byHop.get(key);
        if (found === undefined) byHop.set(key, found = this.attributeClass(hop, null, type, undefined));
        lastHop = hop;
        lastType = type;
        lastClass = found;
      }
      classes[i] = lastClass;
    }
    return classes;
  }

  /**
   * Writes routes `start` to `start + count` - 1 of `list` as records of the I/O region, hands
   * them to WebAssembly in one call and counts what went in. A record that duplicates a route
   * already present comes back marked; its id is released (the route present stays).
   */
  private addListRecords(list: RouteList, ids: Int32Array, classes: Uint32Array, start: number, count: number,
    defer: boolean, result: LoadResult): void {
    this.refreshViews();
    const words = this.u32;
    const bytes = this.bytes;
    const v6 = list.v6;
    let ipv4 = 0;
    for (let n = 0; n < count; n++) {
      const i = start + n;
      const record = this.ioPointer + n * ROUTE_INPUT;
      const word = record >>> 2;
      writeRecordKey(words, bytes, record, list.family[i], list.v4[i], v6, i * 16);
      words[word + 4] = ids[i];
      words[word + 5] = list.metric[i];
      // family, length, and 0: not (yet) a duplicate
      words[word + 6] = list.family[i] | (list.prefixLength[i] << 8);
      if (list.family[i] === 4) ipv4++;
      words[word + 7] = classes[i];
    }
    this.wasm.addRoutes(count, defer, false);
    const counted = this.countInserted(this.ioPointer, ids, start, count, ipv4, this.wasm.insertedDuplicates());
    result.added += counted.added;
    result.ipv4 += counted.ipv4;
    result.ipv6 += counted.ipv6;
    result.duplicates += counted.duplicates;
    if (list.nextHops.size === 0) return;
    const multipath: number[] = [];
    for (let n = 0; n < count; n++) {
      const id = ids[start + n];
      // a duplicate's id was released, and may be taken again only by a later load
      if (this.family[id] !== 0 && (list.nextHops.get(start + n)?.length ?? 0) > 1) multipath.push(id);
    }
    // after the records are read: the weights go where they were
    this.setPaths(multipath);
  }

  /** `count` ids for new routes: those freed by earlier removals first, then fresh ones. */
  private takeIds(count: number): Int32Array {
    const ids = new Int32Array(count);
    const reused = Math.min(count, this.freeIds.length);
    for (let i = 0; i < reused; i++) ids[i] = this.freeIds.pop()!;
    const first = this.nextId - reused;
    for (let i = reused; i < count; i++) ids[i] = first + i;
    this.nextId += count - reused;
    return ids;
  }

  /**
   * Counts the `count` records at `records` that WebAssembly just inserted (`ipv4` of them IPv4)
   * under `ids[start...]`, and releases the ids of those it marked as duplicates of routes present.
   * When it marked none, the records need no second look.
   */
  private countInserted(records: number, ids: Int32Array, start: number, count: number, ipv4: number, duplicates: number): LoadResult {
    const result: LoadResult = { added: count - duplicates, ipv4, ipv6: count - ipv4, duplicates };
    if (duplicates > 0) {
      this.refreshViews();
      for (let n = 0; n < count; n++) {
        const record = records + n * ROUTE_INPUT;
        if (this.bytes[record + 26] === 0) continue;
        if (this.bytes[record + 24] === 4) result.ipv4--; else result.ipv6--;
        this.release(ids[start + n]);
      }
    }
    this.counts[4] += result.ipv4;
    this.counts[6] += result.ipv6;
    return result;
  }

  /** After a bulk load, the lookup structure of each family it added to, rebuilt from its RIB. */
  private rebuildLookups(result: LoadResult): void {
    if (result.ipv4 > 0) this.wasm.rebuild(4);
    if (result.ipv6 > 0) this.wasm.rebuild(6);
  }

  /** Hands the route staged in record 0 to WebAssembly now; returns its id (or the id of the identical one present). */
  private commitOne(replace: boolean, everyMetric = false): number {
    const replaced = everyMetric ? this.wasm.addRoutesReplacingPrefix(1) : this.wasm.addRoutes(1, false, replace);
    this.releaseRemoved(replaced);
    const record = this.ioPointer;
    this.refreshViews();
    const id = this.i32[(record + 16) >>> 2];
    const family = this.bytes[record + 24] as 4 | 6;
    if (this.bytes[record + 26] !== 0) {
      const present = this.i32[(record + 28) >>> 2];
      // a replace says the new BGP attributes win; an add keeps the route present as it is
      if (replace) this.moveBgpAttributes(id, present);
      this.release(id);
      return present;
    }
    this.counts[family]++;
    this.setPaths([id]);
    return id;
  }

  /** Tells WebAssembly the next-hop weights of the multipath routes among `ids`. */
  private setPaths(ids: readonly number[]): void {
    for (const id of ids) {
      const hops = this.nextHops.get(id);
      if (!hops || hops.length < 2) continue;
      this.refreshViews();
      hops.forEach((hop, i) => this.view.setUint32(this.ioPointer + i * 4, hop.weight, true));
      this.wasm.routePathsSet(id, hops.length);
    }
  }

  /** Route `id`'s AS attributes, the objects the routes of one path share (made now for a lazy MRT load's route). */
  private asOf(id: number): AsAttributes | undefined {
    return this.lazyAs?.get(id) ?? this.asAttributes?.[id];
  }

  /** Gives route `id` the AS attributes `as` (undefined: none), in place of what a lazy load held for it. */
  private setAs(id: number, as: AsAttributes | undefined): void {
    this.lazyAs?.clear(id);
    setAt(this.asAttributes ??= [], id, as);
  }

  /** Route `id` has no AS attributes any more (its id released). */
  private clearAs(id: number): void {
    this.lazyAs?.clear(id);
    if (this.asAttributes !== undefined && id < this.asAttributes.length) this.asAttributes[id] = undefined;
  }

  /** Moves the lazy load's AS attributes into asAttributes (made now), before another lazy load. */
  private foldLazyAs(): void {
    const lazy = this.lazyAs;
    if (lazy === undefined) return;
    this.lazyAs = undefined;
    const column = lazy.column();
    const eager = fillTo(this.asAttributes ?? [], lazy.first + column.length);
    // an id the eager column set after the lazy load was cleared there: its entry is undefined
    for (let i = 0; i < column.length; i++) if (column[i] !== undefined) eager[lazy.first + i] = column[i];
    this.asAttributes = eager;
  }

  /** Gives route `to` the BGP attributes staged for `from` (none, when it had none). */
  private moveBgpAttributes(from: number, to: number): void {
    const as = this.asOf(from);
    const communities = this.communities?.[from];
    const provenance = this.provenance?.[from];
    if (as !== undefined || this.asAttributes !== undefined || this.lazyAs !== undefined) this.setAs(to, as);
    if (communities !== undefined || this.communities !== undefined) setAt(this.communities ??= [], to, communities);
    if (provenance !== undefined || this.provenance !== undefined) setAt(this.provenance ??= [], to, provenance);
    if (this.cache[to] !== undefined) this.cache[to] = undefined;
  }

  /** Releases the ids the last call listed as removed. */
  private releaseRemoved(count: number): void {
    if (count === 0) return;
    this.refreshViews();
    const first = this.wasm.removedPointer() >>> 2;
    for (let i = 0; i < count; i++) {
      this.forget(this.i32[first + i]);
    }
  }

  /**
   * Writes route record `slot` of the I/O region and records its attributes under a new id (BGP
   * attributes apart: a list shares them between routes, `add` makes them from `attributes`).
   */
  private stage(key: PrefixKey, attributes: RouteAttributes, slot: number,
    as: AsAttributes | undefined, communities: readonly string[] | undefined, provenance?: RouteProvenance): void {
    const { metric, typeCode, nextHops, nextHop, dev } = checkedAttributes(attributes);
    const id = this.freeIds.length > 0 ? this.freeIds.pop()! : this.nextId++;
    if (id >= this.family.length) this.growColumns(id + 1);
    this.family[id] = key.family;
    this.prefixLength[id] = key.length;
    this.metric[id] = metric;
    const routeClass = this.attributeClass(nextHop, dev, typeCode, nextHops);
    this.routeClass[id] = routeClass;
    if (nextHops) this.nextHops.set(id, nextHops.map((hop) => ({ via: hop.via, dev: hop.dev, weight: hop.weight })));
    else this.nextHops.delete(id);
    // a fresh id never had attributes, a reused one lost them in release()
    if (as !== undefined) this.setAs(id, as);
    if (communities !== undefined) setAt(this.communities ??= [], id, communities);
    if (provenance !== undefined) setAt(this.provenance ??= [], id, provenance);
    // cache and prefixCache need no reset: a fresh id never had them, release() cleared a reused one

    this.refreshViews();
    const record = this.ioPointer + slot * ROUTE_INPUT;
    this.writeKey(key, record);
    this.view.setInt32(record + 16, id, true);
    this.view.setUint32(record + 20, metric, true);
    this.bytes[record + 24] = key.family;
    this.bytes[record + 25] = key.length;
    this.bytes[record + 26] = 0;
    this.view.setUint32(record + 28, routeClass, true);
  }

  /**
   * @internal Tells WebAssembly the type and devices of each attribute class made since the last
   * call (assembly/checks/route-classes.ts): the security checks read them per packet.
   */
  describeRouteClasses(): void {
    if (this.undescribedClasses.length === 0) return;
    for (const { routeClass, type, devices } of this.undescribedClasses) {
      const numbers = devices.map((name) => registerInterfaceName(this.wasm, name));
      new Uint32Array(this.wasm.memory.buffer, this.ioPointer, numbers.length).set(numbers);
      if (!this.wasm.routeClassDescribe(routeClass, type, this.ioPointer, numbers.length)) {
        throw new FibscopeOutOfMemoryError('route classes', 'out of WebAssembly memory: no room to describe the routes\' devices for the checks');
      }
    }
    this.undescribedClasses = [];
  }

  private attributeClass(nextHop: string | null, dev: string | null, type: number, nextHops: readonly NextHop[] | undefined): number {
    const last = this.lastAttributes;
    if (last && last[0] === nextHop && last[1] === dev && last[2] === type && last[3] === nextHops) return this.lastClass;
    let value: number | undefined;
    if (nextHops === undefined) {
      // the common case, a single next hop: found by its strings, without building a key
      let byDev = this.singleHopClasses.get(nextHop);
      if (!byDev) this.singleHopClasses.set(nextHop, (byDev = new Map()));
      const key = dev === null ? type : `${type}\u0000${dev}`;
      value = byDev.get(key);
      if (value === undefined) {
        byDev.set(key, (value = this.newAttributeClass(nextHop, dev, type)));
        this.undescribedClasses.push({ routeClass: value, type, devices: dev === null ? [] : [dev] });
      }
    } else {
      const text = `${type}\u0000${nextHop}\u0000${dev}\u0000${JSON.stringify(nextHops)}`;
      value = this.attributeClasses.get(text);
      if (value === undefined) {
        this.attributeClasses.set(text, (value = this.newAttributeClass(nextHop, dev, type)));
        const devices = [...new Set(nextHops.map((hop) => hop.dev).filter((name): name is string => name !== null))];
        this.undescribedClasses.push({ routeClass: value, type, devices });
      }
    }
    this.lastAttributes = [nextHop, dev, type, nextHops];
    this.lastClass = value;
    return value;
  }

  private newAttributeClass(nextHop: string | null, dev: string | null, type: number): number {
    const value = ++this.attributeClassCount;
    this.classNextHop[value] = nextHop;
    this.classDev[value] = dev;
    this.classType[value] = type;
    return value;
  }

  /** Writes a key as WebAssembly reads it: 16 network-order bytes (IPv4: 4, then zeros). */
  private writeKey(key: PrefixKey, at: number): void {
    this.refreshViews();
    if (key.family === 4) {
      this.view.setUint32(at, key.v4, false);
      this.view.setUint32(at + 4, 0);
      this.view.setUint32(at + 8, 0);
      this.view.setUint32(at + 12, 0);
    } else {
      this.bytes.set(key.v6, at);
    }
  }

  /** Ids of the routes for exactly this prefix, best first. */
  private idsAt(key: PrefixKey): number[] {
    this.writeKey(key, this.ioPointer);
    const count = this.wasm.routesAt(key.family, key.length);
    this.refreshViews();
    const first = (this.ioPointer + 16) >>> 2;
    return Array.from(this.i32.subarray(first, first + count));
  }

  private removeIds(ids: number[]): number {
    if (ids.length === 0) return 0;
    this.refreshViews();
    const perCall = (this.ioOutput - this.ioPointer) >>> 2;
    let removed = 0;
    for (let start = 0; start < ids.length; start += perCall) {
      const chunk = ids.slice(start, start + perCall);
      this.i32.set(chunk, this.ioPointer >>> 2);
      removed += this.wasm.removeRoutes(chunk.length);
      for (const id of chunk) this.forget(id);
    }
    return removed;
  }

  /** A route WebAssembly removed: uncounted, its id released. */
  private forget(id: number): void {
    this.counts[this.family[id] as 4 | 6]--;
    this.release(id);
  }

  /** Frees an id and what this side kept for it (also for a staged duplicate that never counted). */
  private release(id: number): void {
    this.family[id] = 0;
    if (this.nextHops.size !== 0) this.nextHops.delete(id);
    this.clearAs(id);
    if (this.communities !== undefined && id < this.communities.length) this.communities[id] = undefined;
    if (this.provenance !== undefined && id < this.provenance.length) this.provenance[id] = undefined;
    // only where something is kept: a store past the end would leave a hole, and an array with
    // holes is slow (route updates release tens of thousands of ids no report ever read)
    if (this.cache[id] !== undefined) this.cache[id] = undefined;
    if (this.prefixCache[id] !== undefined) this.prefixCache[id] = undefined;
    this.freeIds.push(id);
  }

  private prefixText(id: number): string {
    this.refreshViews();
    const record = this.wasm.routeRecordPointer(id);
    const length = this.prefixLength[id];
    if (this.family[id] === 4) {
      // the record's key is a u64 whose top 32 bits are the address
      return `${formatIPv4(this.view.getUint32(record + 4, true))}/${length}`;
    }
    const address = new Uint8Array(16);
    const hi = this.view.getBigUint64(record, true);
    const lo = this.view.getBigUint64(record + 8, true);
    const out = new DataView(address.buffer);
    out.setBigUint64(0, hi, false);
    out.setBigUint64(8, lo, false);
    return `${formatIPv6(address, 0)}/${length}`;
  }

  private growColumns(needed: number): void {
    // doubling for routes added one by one; a bulk load past that gets what it asks for, not up
    // to twice as much (each column is zeroed when made: a full table's are tens of megabytes)
    const size = Math.max(this.family.length * 2, needed);
    this.family = widened(this.family, size);
    this.prefixLength = widened(this.prefixLength, size);
    this.metric = widened(this.metric, size);
    this.routeClass = widened(this.routeClass, size);
  }

  /**
   * WebAssembly memory may have grown during any call that allocates, which detaches every view
   * of the old buffer: a detached view has length 0, which is cheaper to test than fetching
   * `memory.buffer` each time.
   */
  private refreshViews(): void {
    if (this.bytes !== undefined && this.bytes.length !== 0) return;
    const buffer = this.wasm.memory.buffer;
    this.bytes = new Uint8Array(buffer);
    this.u32 = new Uint32Array(buffer);
    this.i32 = new Int32Array(buffer);
    this.view = new DataView(buffer);
  }

  // --- route updates applied in runs (src/updates/applier.ts) ---------------------------------

  /**
   * @internal What a route of `attributes` is in this table, checked as `add` checks it: made once
   * per distinct attributes object of an update stream, then used by applyChanges for each update.
   * Throws FibscopeArgumentError as `add` would.
   */
  prepareRoute(attributes: RouteAttributes = {}): PreparedRoute {
    const { metric, typeCode, nextHops, nextHop, dev } = checkedAttributes(attributes);
    const bgp = this.bgpAttributesOf(attributes);
    return {
      metric,
      routeClass: this.attributeClass(nextHop, dev, typeCode, nextHops),
      nextHops: nextHops?.map((hop) => ({ via: hop.via, dev: hop.dev, weight: hop.weight })),
      as: bgp.as,
      communities: bgp.communities,
      provenance: bgp.provenance,
    };
  }

  /**
   * @internal Applies changes `start` to `end` - 1 in order, one WebAssembly call per I/O region
   * of them (assembly/route-updates.ts): each as `add` (CHANGE_ADD), `replacePrefix`
   * (CHANGE_REPLACE) or `remove(prefix)` (CHANGE_DEL) would, with `routes[attributes[n]]` the
   * prepared route of an add or replace. Writes how many routes each del removed into
   * `removedOut[n - start]`.
   */
  applyChanges(changes: RouteChangeColumns, start: number, end: number, routes: readonly (PreparedRoute | undefined)[],
    removedOut: Int32Array): void {
    const perCall = Math.floor((this.ioOutput - this.ioPointer) / ROUTE_INPUT);
    const ids = this.changeIds ??= new Int32Array(perCall);
    for (let from = start; from < end; from += perCall) {
      const count = Math.min(perCall, end - from);
      this.ensureMemoryFor(count, `${count} route updates`);
      this.writeChangeRecords(changes, from, from + count, routes, this.ioPointer, ids);
      const removed = this.wasm.updatesApply(this.ioPointer, count);
      this.refreshViews();
      // as commitOne: the routes a change removed are released first, then the ids of new routes already present
      const first = this.wasm.updatesRemovedPointer() >>> 2;
      for (let r = 0; r < removed; r++) this.forget(this.i32[first + r]);
      let multipath: number[] | undefined;
      for (let n = 0; n < count; n++) {
        if (this.settleChangeRecord(changes, from + n, this.ioPointer + n * ROUTE_INPUT, ids[n], removedOut, from + n - start)) {
          (multipath ??= []).push(ids[n]);
        }
      }
      // after the records are read: the weights go where they were
      if (multipath) this.setPaths(multipath);
    }
  }

  /**
   * @internal Stages changes `start` to `end` - 1 (at most stepCapacity(); no multipath route, no
   * del narrowed to a next hop) for the feeds of `input` to apply in step, inside WebAssembly, as
   * the capture's clock reaches each one's time (assembly/updates/in-step.ts). Their ids go to
   * `ids`. False, with nothing staged, when memory may be short: the changes then go through
   * applyChanges, which says so.
   */
  stageSteps(changes: RouteChangeColumns & { seconds: Uint32Array; nanoseconds: Uint32Array }, start: number, end: number,
    routes: readonly (PreparedRoute | undefined)[], input: number, ids: Int32Array): boolean {
    const count = end - start;
    if (!this.hasMemoryFor(count)) return false;
    this.writeChangeRecords(changes, start, end, routes, this.wasm.stepsRecordsPointer(), ids);
    // every id has its counters before a feed counts a packet to it
    this.wasm.ensureRouteIds(this.nextId);
    this.refreshViews();
    const times = this.wasm.stepsTimesPointer() >>> 2;
    for (let n = 0; n < count; n++) {
      // packed as capture/time.ts: seconds in the high half
      this.u32[times + 2 * n] = changes.nanoseconds[start + n];
      this.u32[times + 2 * n + 1] = changes.seconds[start + n];
    }
    this.wasm.stepsStage(input, count);
    return true;
  }

  /** @internal How many updates can be staged at once (stageSteps). */
  stepCapacity(): number {
    return this.wasm.stepsCapacity();
  }

  /** @internal How many of the staged changes the feeds have applied so far. */
  stepsApplied(): number {
    return this.wasm.stepsApplied();
  }

  /** @internal Applies the staged changes due at `moment` here, the host having reached it. */
  applyStepsUpTo(moment: { seconds: number; nanoseconds: number }): void {
    this.wasm.stepsApplyUpTo(moment.seconds, moment.nanoseconds);
  }

  /**
   * @internal Takes up staged changes `from` to `to` - 1 once applied (stageSteps staged them from
   * `start`; `ids` as it gave them): as applyChanges does after its call, change by change, the
   * ids each removed released before its own. Writes how many routes each del removed into
   * `removedOut[n - from]`.
   */
  settleSteps(changes: RouteChangeColumns, start: number, from: number, to: number, ids: Int32Array, removedOut: Int32Array): void {
    this.refreshViews();
    const list = this.wasm.updatesRemovedPointer() >>> 2;
    const ends = this.wasm.stepsRemovedEndsPointer() >>> 2;
    const records = this.wasm.stepsRecordsPointer();
    let listed = from > start ? this.i32[ends + from - start - 1] : 0;
    for (let i = from; i < to; i++) {
      const n = i - start;
      for (const end = this.i32[ends + n]; listed < end; listed++) this.forget(this.i32[list + listed]);
      // stageSteps takes no multipath route: nothing has weights to set
      this.settleChangeRecord(changes, i, records + n * ROUTE_INPUT, ids[n], removedOut, i - from);
    }
  }

  /** @internal Gives back the ids of staged changes `from` to `to` - 1 that never applied, and ends the staging. */
  unstageSteps(changes: RouteChangeColumns, start: number, from: number, to: number, ids: Int32Array): void {
    this.wasm.stepsStage(0, 0);
    for (let i = from; i < to; i++) if (changes.op[i] !== CHANGE_DEL) this.release(ids[i - start]);
  }

  /** Gives changes `start` to `end` - 1 their ids (into `ids`) and writes them as update records at `records`. */
  private writeChangeRecords(changes: RouteChangeColumns, start: number, end: number, routes: readonly (PreparedRoute | undefined)[],
    records: number, ids: Int32Array): void {
    const count = end - start;
    // ids and columns first: growing the columns makes new arrays
    for (let n = 0; n < count; n++) {
      const i = start + n;
      ids[n] = changes.op[i] === CHANGE_DEL ? -1 : this.stageChange(changes, i, routes[changes.attributes[i]]!);
    }
    this.refreshViews();
    const words = this.u32;
    const bytes = this.bytes;
    for (let n = 0; n < count; n++) {
      const i = start + n;
      const record = records + n * ROUTE_INPUT;
      const word = record >>> 2;
      writeRecordKey(words, bytes, record, changes.family[i], changes.v4[i], changes.v6, i * 16);
      const route = changes.op[i] === CHANGE_DEL ? undefined : routes[changes.attributes[i]]!;
      words[word + 4] = ids[n];
      words[word + 5] = route ? route.metric : 0;
      // family, length, op, and 0: not (yet) present
      words[word + 6] = changes.family[i] | (changes.length[i] << 8) | (changes.op[i] << 16);
      words[word + 7] = route ? route.routeClass : 0;
    }
  }

  /**
   * This side of change `i` once applied, from its record: how many routes a del removed (into
   * `removedOut[at]`), or the new route counted, or released for the identical one present.
   * True when the new route has several next hops, whose weights the caller then sets.
   */
  private settleChangeRecord(changes: RouteChangeColumns, i: number, record: number, id: number, removedOut: Int32Array, at: number): boolean {
    const op = changes.op[i];
    if (op === CHANGE_DEL) {
      removedOut[at] = this.i32[(record + 28) >>> 2];
      return false;
    }
    if (this.bytes[record + 27] !== 0) {
      const present = this.i32[(record + 28) >>> 2];
      // a replace says the new BGP attributes win; an add keeps the route present as it is
      if (op === CHANGE_REPLACE) this.moveBgpAttributes(id, present);
      this.release(id);
      return false;
    }
    this.counts[changes.family[i] as 4 | 6]++;
    return this.nextHops.has(id);
  }

  /** Gives change `i` (an add or replace) a new id and this side's columns, as `stage` does; returns the id. */
  private stageChange(changes: RouteChangeColumns, i: number, route: PreparedRoute): number {
    const id = this.freeIds.length > 0 ? this.freeIds.pop()! : this.nextId++;
    if (id >= this.family.length) this.growColumns(id + 1);
    this.family[id] = changes.family[i];
    this.prefixLength[id] = changes.length[i];
    this.metric[id] = route.metric;
    this.routeClass[id] = route.routeClass;
    if (route.nextHops) this.nextHops.set(id, route.nextHops.map((hop) => ({ ...hop })));
    else if (this.nextHops.size !== 0) this.nextHops.delete(id);
    // a fresh id never had attributes, a reused one lost them in release()
    if (route.as !== undefined) this.setAs(id, route.as);
    if (route.communities !== undefined) setAt(this.communities ??= [], id, route.communities);
    if (route.provenance !== undefined) setAt(this.provenance ??= [], id, route.provenance);
    return id;
  }

}

function checkMetric(metric: number): number {
  if (!Number.isInteger(metric) || metric < 0 || metric > 0xffffffff) {
    throw new FibscopeArgumentError(`metric must be an integer 0..4294967295, got ${metric}`);
  }
  return metric;
}

/** Checks a whole list before any of it goes in, so a bad entry cannot leave half a load behind. */
function checkList(list: RouteList): void {
  for (let i = 0; i < list.count; i++) {
    const family = list.family[i];
    const max = family === 4 ? 32 : family === 6 ? 128 : -1;
    if (max < 0 || list.prefixLength[i] > max || list.type[i] >= ROUTE_TYPES.length) {
      throw new FibscopeArgumentError(`route list entry ${i} is not a valid route (family ${family}, length ${list.prefixLength[i]}, type ${list.type[i]})`);
    }
  }
  for (const hops of list.nextHops.values()) checkWeights(hops);
}

/** The BGP AS attributes `fib.add` was given: from `asPath`, unless `originAs`/`originAsSet` say otherwise. */
function asAttributesOf(attributes: RouteAttributes): AsAttributes | undefined {
  const { asPath, originAs, originAsSet } = attributes;
  if (asPath === undefined && originAs === undefined && originAsSet === undefined) return undefined;
  let fromPath: AsAttributes = {};
  if (asPath !== undefined) {
    const parsed = typeof asPath === 'string' ? asAttributesOfPath(asPath) : 'not a string';
    if (typeof parsed === 'string') throw new FibscopeArgumentError(`asPath must be an AS path like '3356 1299 64496' or '3356 {64500,64501}', got ${JSON.stringify(asPath)} (${parsed})`);
    fromPath = parsed;
  }
  if (originAs !== undefined) checkAsNumber(originAs, 'originAs');
  if (originAsSet !== undefined) {
    if (!Array.isArray(originAsSet) || originAsSet.length === 0) throw new FibscopeArgumentError('originAsSet must be a non-empty array of AS numbers');
    originAsSet.forEach((asn) => checkAsNumber(asn, 'originAsSet member'));
  }
  const origin = originAs ?? originAsSet?.[0] ?? fromPath.originAs;
  const set = originAsSet ?? (originAs === undefined ? fromPath.originAsSet : undefined);
  return Object.freeze({
    ...(fromPath.asPath !== undefined ? { asPath: fromPath.asPath } : {}),
    ...(origin !== undefined ? { originAs: origin } : {}),
    ...(set !== undefined ? { originAsSet: Object.freeze([...set]) } : {}),
  });
}

function checkAsNumber(value: unknown, what: string): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 0xffffffff) {
    throw new FibscopeArgumentError(`${what} must be an AS number 0..4294967295, got ${String(value)}`);
  }
}

function communitiesOf(attributes: RouteAttributes): readonly string[] | undefined {
  const { communities } = attributes;
  if (communities === undefined) return undefined;
  if (!Array.isArray(communities) || communities.some((word) => typeof word !== 'string' || word === '' || /\s/.test(word))) {
    throw new FibscopeArgumentError('communities must be an array of words such as \'3356:100\' or \'no-export\'');
  }
  return communities.length === 0 ? undefined : Object.freeze([...communities]);
}

/** What bgpAttributesOf made of the attribute values it was given (kept to compare the next call's). */
interface SharedBgpAttributes {
  readonly asPath: unknown;
  readonly originAs: unknown;
  readonly originAsSet: readonly unknown[] | undefined;
  readonly communitiesGiven: readonly unknown[] | undefined;
  readonly source: unknown;
  readonly med: unknown;
  readonly localPref: unknown;
  readonly as: AsAttributes | undefined;
  readonly communities: readonly string[] | undefined;
  readonly provenance: RouteProvenance | undefined;
}

/** Whether two arrays (or two absences) hold the same items. */
function sameItems(a: readonly unknown[] | undefined, b: unknown): boolean {
  if (a === undefined || b === undefined) return a === b;
  if (!Array.isArray(b) || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

const copyOf = (value: unknown): readonly unknown[] | undefined => (Array.isArray(value) ? [...value] : undefined);

/** The source, MED and LOCAL_PREF `fib.add` was given, checked. */
function provenanceOf(attributes: RouteAttributes): RouteProvenance | undefined {
  const { source, med, localPref } = attributes;
  if (source === undefined && med === undefined && localPref === undefined) return undefined;
  if (source !== undefined && (typeof source !== 'string' || source === '')) {
    throw new FibscopeArgumentError(`source must be a non-empty string such as 'bgp 192.0.2.1', got ${JSON.stringify(source)}`);
  }
  if (med !== undefined) checkUint32(med, 'med');
  if (localPref !== undefined) checkUint32(localPref, 'localPref');
  return Object.freeze({
    ...(source !== undefined ? { source } : {}),
    ...(med !== undefined ? { med } : {}),
    ...(localPref !== undefined ? { localPref } : {}),
  });
}

function checkUint32(value: unknown, what: string): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 0xffffffff) {
    throw new FibscopeArgumentError(`${what} must be a whole number 0..4294967295, got ${String(value)}`);
  }
}

/**
 * `column` (made when undefined) with `values[i]` at `ids[i]`, `length` entries at least. The
 * common case, a load into fresh ids that follow the column's end (a table loaded from a file),
 * appends the values in one copy instead of one store each.
 */
function sharedColumn<T>(column: (T | undefined)[] | undefined, values: readonly (T | undefined)[], ids: Int32Array,
  length: number): (T | undefined)[] {
  const count = ids.length;
  const first = ids[0];
  let contiguous = column === undefined || column.length <= first;
  for (let i = 0; contiguous && i < count; i++) contiguous = ids[i] === first + i;
  if (contiguous) {
    const start = fillTo(column ?? [], first);
    const given = values.length > count ? values.slice(0, count) : values;
    return fillTo(first === 0 && start.length === 0 ? given.slice() : start.concat(given), length);
  }
  const out = fillTo(column ?? [], length);
  for (let i = 0; i < count; i++) out[ids[i]] = values[i];
  return out;
}

/** `column`, lengthened with undefined to `length` entries at least: a column with holes is slow. */
function fillTo<T>(column: (T | undefined)[], length: number): (T | undefined)[] {
  while (column.length < length) column.push(undefined);
  return column;
}

/** WebAssembly picks among next hops by weight: whole numbers, at least 1. */
function checkWeights(nextHops: readonly NextHop[]): void {
  for (const hop of nextHops) {
    if (!Number.isInteger(hop.weight) || hop.weight < 1 || hop.weight > 0xffff) {
      throw new FibscopeArgumentError(`next-hop weight must be an integer 1..65535, got ${hop.weight}`);
    }
  }
}

/** The text format detection reads: a string as parseRoutes sees it, or the start of bytes. */
function detectionTextOf(input: string | Uint8Array): string {
  if (typeof input !== 'string') return detectionText(input);
  return input.charCodeAt(0) === 0xfeff ? input.slice(1) : input; // a byte order mark, as parseRoutes drops it
}
