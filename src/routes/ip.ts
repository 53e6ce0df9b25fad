/**
 * The text that `ip route show`, `ip -6 route show`, `ip route show table all` (and `-o`, one
 * line per route) print:
 *
 *     default via 192.0.2.1 dev eth0 proto dhcp src 192.0.2.10 metric 100
 *     blackhole 10.9.0.0/16 proto static
 *     local 10.0.0.1 dev eth0 table local proto kernel scope host src 10.0.0.1
 *     10.88.0.0/16 proto static
 *     \tnexthop via 10.77.0.2 dev veth0 weight 1
 *     \tnexthop via 10.77.0.3 dev veth0 weight 3
 *
 * A line that starts with a blank continues the route above it (multipath `nexthop` lines,
 * `cache` lines); `ip -o` puts those on the route line after a backslash, which counts as a blank. A route line is `[TYPE] PREFIX|default ATTRIBUTES...`; of the attributes, `via`,
 * `dev`, `metric` and the `nexthop ... weight` groups are kept, the others are skipped with their
 * values (`proto static`, `mtu lock 1400`, `expires 297sec`, `encap mpls 100 ...`). Unknown words
 * are taken for flags (newer `ip` versions add flags; they must not break loading). Routes of every
 * table are loaded, including `table local` (local and broadcast routes).
 *
 * Multipath: `nextHops` lists every `nexthop` group as `{ via, dev, weight }`; the route's
 * `nextHop` is the first group's gateway and `dev` the first group's device, unless the route line
 * itself names them.
 *
 * The family of `default` (which `ip -6` prints for ::/0) is decided in this order:
 * 1. the gateway: `via ADDR` has the family of ADDR; `via inet6 ADDR` / `via inet ADDR` is how ip
 *    prints a gateway of the *other* family (RFC 5549), so the route is of the other family;
 * 2. `src ADDR` (the preferred source has the route's family);
 * 3. a `pref` attribute (ip prints it for IPv6 routes only) means IPv6;
 * 4. the rest of the file: IPv6 when it has IPv6 prefixes and no IPv4 ones, otherwise IPv4.
 */

import { RouteFormatError } from '../errors.js';
import type { PrefixBuffer } from '../net/address.js';
import {
  createPrefixBuffer, PREFIX_OK, prefixErrorReason, scanAddress, scanPrefix,
} from '../net/address.js';
import type { NextHop, RouteType } from './route.js';
import type { RouteList } from './route-list.js';
import {
  canonicalNextHop, CH_HASH, Interner, isBlank, parseUnsigned, PREFIX_EXAMPLE, quoteInput, tokenIs,
} from './scan.js';

/** Route types as ip prints them. */
const ROUTE_TYPE_WORDS = new Map<string, RouteType>([
  ['unicast', 'unicast'], ['local', 'local'], ['broadcast', 'broadcast'], ['blackhole', 'blackhole'],
  ['unreachable', 'unreachable'], ['prohibit', 'prohibit'], ['throw', 'throw'],
  ['multicast', 'multicast'], ['anycast', 'anycast'],
]);
/** Types the kernel knows and fibscope does not route by. */
const UNSUPPORTED_TYPES = new Set(['nat', 'xresolve', 'unspec']);

const K_FLAG = 0;
const K_VIA = 1;
const K_DEV = 2;
const K_METRIC = 3;
const K_NEXTHOP = 4;
const K_WEIGHT = 5;
const K_SRC = 6;
const K_PREF = 7;
/** Takes one value. */
const K_VALUE = 8;
/** A route metric of `ip route`'s metrics list: an optional `lock`, then one value. */
const K_LOCKABLE = 9;
/** `encap TYPE ...`: skipped up to the next attribute that ends an encapsulation. */
const K_ENCAP = 10;
/** `as [to] ADDR` */
const K_AS = 11;

const KEYWORDS = new Map<string, number>([
  ['via', K_VIA], ['dev', K_DEV], ['oif', K_DEV], ['metric', K_METRIC], ['priority', K_METRIC],
  ['nexthop', K_NEXTHOP], ['weight', K_WEIGHT], ['src', K_SRC], ['pref', K_PREF],
  ['encap', K_ENCAP], ['as', K_AS],
  ...['proto', 'protocol', 'scope', 'table', 'from', 'tos', 'dsfield', 'mark', 'realm', 'realms',
    'uid', 'iif', 'nhid', 'expires', 'error', 'users', 'used', 'age', 'ipid', 'ts', 'tsage',
    'ttl-propagate'].map((word): [string, number] => [word, K_VALUE]),
  ...['mtu', 'advmss', 'rtt', 'rttvar', 'reordering', 'window', 'cwnd', 'initcwnd', 'initrwnd',
    'ssthresh', 'rto_min', 'hoplimit', 'features', 'quickack', 'congctl', 'fastopen_no_cookie']
    .map((word): [string, number] => [word, K_LOCKABLE]),
]);
/** Words after which an `encap ...` description is over. */
const ENCAP_END = new Set(['via', 'dev', 'nexthop', 'weight', 'metric', 'table', 'proto', 'scope',
  'pref', 'onlink', 'nhid']);

const TYPE_LIST = [...ROUTE_TYPE_WORDS.keys()].join(', ');

/** The route being read: its head line and any continuation lines that follow. */
class PendingRoute {
  active = false;
  line = 0;
  type: RouteType = 'unicast';
  /** 0 while a `default` route's family is still open. */
  family: 0 | 4 | 6 = 0;
  length = 0;
  v4 = 0;
  readonly v6 = new Uint8Array(16);
  via: string | null = null;
  dev: string | null = null;
  metric = 0;
  nextHops: NextHop[] | null = null;
  /** Family hints for `default`, by rule order (see the file comment). */
  viaFamily: 0 | 4 | 6 = 0;
  srcFamily: 0 | 4 | 6 = 0;
  hasPref = false;

  reset(line: number): void {
    this.active = true;
    this.line = line;
    this.type = 'unicast';
    this.family = 0;
    this.length = 0;
    this.v4 = 0;
    this.v6.fill(0);
    this.via = null;
    this.dev = null;
    this.metric = 0;
    this.nextHops = null;
    this.viaFamily = 0;
    this.srcFamily = 0;
    this.hasPref = false;
  }
}

class IpTextParser {
  private readonly words = new Interner();
  private readonly gateways = new Interner(canonicalNextHop);
  private readonly devices = new Interner();
  private readonly address: PrefixBuffer = createPrefixBuffer();
  private readonly route = new PendingRoute();
  private starts = new Int32Array(64);
  private ends = new Int32Array(64);
  private count = 0;
  private line = 0;
  private fileFamily: 0 | 4 | 6 = 0;

  constructor(private readonly text: string, private readonly source: string, private readonly into: RouteList) {}

  run(): void {
    const text = this.text;
    const length = text.length;
    let pos = 0;
    while (pos < length) {
      this.line++;
      let end = text.indexOf('\n', pos);
      if (end < 0) end = length;
      const lineStart = pos;
      pos = end + 1;
      let i = lineStart;
      while (i < end && isBlank(text.charCodeAt(i))) i++;
      if (i === end || text.charCodeAt(i) === CH_HASH) continue;
      this.tokenize(i, end);
      if (this.count === 0) continue;
      if (i > lineStart) {
        if (!this.route.active) {
          throw this.error(`expected a route line, found an indented line ${quoteInput(text, i, this.lineEndTrimmed(end))} with no route above it`);
        }
        this.attributes(0);
      } else {
        this.flush();
        this.head();
      }
    }
    this.flush();
  }

  private lineEndTrimmed(end: number): number {
    while (end > 0 && isBlank(this.text.charCodeAt(end - 1))) end--;
    return end;
  }

  private tokenize(i: number, end: number): void {
    const text = this.text;
    let count = 0;
    for (;;) {
      while (i < end && isSeparator(text.charCodeAt(i))) i++;
      if (i === end) break;
      const start = i;
      while (i < end && !isSeparator(text.charCodeAt(i))) i++;
      if (count === this.starts.length) {
        const starts = new Int32Array(count * 2);
        const ends = new Int32Array(count * 2);
        starts.set(this.starts);
        ends.set(this.ends);
        this.starts = starts;
        this.ends = ends;
      }
      this.starts[count] = start;
      this.ends[count] = i;
      count++;
    }
    this.count = count;
  }

  /** A route line: `[TYPE] PREFIX|default ATTRIBUTES...`. */
  private head(): void {
    const text = this.text;
    const route = this.route;
    route.reset(this.line);
    let j = 0;
    let start = this.starts[0];
    let end = this.ends[0];
    if (isTypeWord(text, start, end)) {
      const word = this.words.get(text, start, end);
      const type = ROUTE_TYPE_WORDS.get(word);
      if (type === undefined) {
        if (UNSUPPORTED_TYPES.has(word)) throw this.error(`route type '${word}' is not supported (expected ${TYPE_LIST})`);
        throw this.error(`expected a route type (${TYPE_LIST}) or ${PREFIX_EXAMPLE}, found ${quoteInput(text, start, end)}`);
      }
      route.type = type;
      j = 1;
      if (this.count < 2) throw this.error(`expected ${PREFIX_EXAMPLE} or 'default' after '${word}', found the end of the line`);
      start = this.starts[1];
      end = this.ends[1];
    }
    if (tokenIs(text, start, end, 'default')) {
      route.family = 0;
      route.length = 0;
    } else {
      const status = scanPrefix(text, start, end, this.address);
      if (status !== PREFIX_OK) {
        throw this.error(`expected ${PREFIX_EXAMPLE}, found ${quoteInput(text, start, end)} (${prefixErrorReason(status, text, start, end)})`);
      }
      route.family = this.address.family;
      route.length = this.address.length;
      if (route.family === 4) route.v4 = this.address.v4;
      else route.v6.set(this.address.v6);
    }
    this.attributes(j + 1);
  }

  /** Applies the attributes in tokens `j..` to the pending route. */
  private attributes(j: number): void {
    const text = this.text;
    const route = this.route;
    const count = this.count;
    let hop: NextHop | null = route.nextHops ? route.nextHops[route.nextHops.length - 1] : null;
    while (j < count) {
      const word = this.words.get(text, this.starts[j], this.ends[j]);
      j++;
      const kind = KEYWORDS.get(word) ?? K_FLAG;
      if (kind === K_FLAG) continue;
      if (kind === K_NEXTHOP) {
        hop = { via: null, dev: null, weight: 1 };
        (route.nextHops ??= []).push(hop);
        continue;
      }
      if (kind === K_ENCAP) {
        while (j < count && !ENCAP_END.has(this.words.get(text, this.starts[j], this.ends[j]))) j++;
        continue;
      }
      if (j === count) throw this.error(`expected a value after '${word}', found the end of the line`);
      let start = this.starts[j];
      let end = this.ends[j];
      switch (kind) {
        case K_VIA: {
          let other = false;
          if (tokenIs(text, start, end, 'inet') || tokenIs(text, start, end, 'inet6')) {
            other = true;
            j++;
            if (j === count) throw this.error(`expected an address after 'via ${text.slice(start, end)}', found the end of the line`);
            start = this.starts[j];
            end = this.ends[j];
          }
          const family = scanAddress(text, start, end, this.address);
          if (family === 0) throw this.error(`expected a gateway address after 'via', found ${quoteInput(text, start, end)}`);
          const via = this.gateways.get(text, start, end);
          const routeFamily = other ? (family === 4 ? 6 : 4) : family;
          if (hop) {
            hop.via = via;
          } else {
            route.via = via;
          }
          if (route.viaFamily === 0) route.viaFamily = routeFamily;
          break;
        }
        case K_DEV: {
          const dev = this.devices.get(text, start, end);
          if (hop) hop.dev = dev;
          else route.dev = dev;
          break;
        }
        case K_METRIC: {
          const metric = parseUnsigned(text, start, end);
          if (metric < 0) throw this.error(`expected a metric 0..4294967295 after 'metric', found ${quoteInput(text, start, end)}`);
          route.metric = metric;
          break;
        }
        case K_WEIGHT: {
          const weight = parseUnsigned(text, start, end, 256);
          if (weight < 1) throw this.error(`expected a weight 1..256 after 'weight', found ${quoteInput(text, start, end)}`);
          if (hop) hop.weight = weight;
          break;
        }
        case K_SRC: {
          const family = scanAddress(text, start, end, this.address);
          if (route.srcFamily === 0) route.srcFamily = family;
          break;
        }
        case K_PREF:
          route.hasPref = true;
          break;
        case K_LOCKABLE:
          if (tokenIs(text, start, end, 'lock')) {
            j++;
            if (j === count) throw this.error(`expected a value after '${word} lock', found the end of the line`);
          }
          break;
        case K_AS:
          if (tokenIs(text, start, end, 'to')) {
            j++;
            if (j === count) throw this.error(`expected an address after 'as to', found the end of the line`);
          }
          break;
        default: // K_VALUE
          break;
      }
      j++; // the value
    }
  }

  /** Appends the pending route, if any, to the list. */
  private flush(): void {
    const route = this.route;
    if (!route.active) return;
    route.active = false;
    let family = route.family;
    if (family === 0) {
      family = route.viaFamily || route.srcFamily || (route.hasPref ? 6 : 0) || this.familyOfFile();
    }
    let nextHop = route.via;
    let dev = route.dev;
    const hops = route.nextHops;
    if (hops) {
      for (const hop of hops) {
        if (nextHop === null && hop.via !== null) nextHop = hop.via;
        if (dev === null && hop.dev !== null) dev = hop.dev;
      }
    }
    if (family === 4) {
      this.into.push4(route.v4, route.length, nextHop, dev, route.metric, route.type, route.line, hops ?? undefined);
    } else {
      this.into.push6(route.v6, 0, route.length, nextHop, dev, route.metric, route.type, route.line, hops ?? undefined);
    }
  }

  /** Rule 4 for `default`: IPv6 when the file's route lines have IPv6 prefixes and no IPv4 ones. */
  private familyOfFile(): 4 | 6 {
    if (this.fileFamily === 0) this.fileFamily = guessFileFamily(this.text);
    return this.fileFamily;
  }

  private error(message: string): RouteFormatError {
    return new RouteFormatError(this.source, this.line, message);
  }
}

/** Blanks, and the backslash that `ip -o` prints where a line break would be. */
function isSeparator(c: number): boolean {
  return isBlank(c) || c === 92;
}

/** A lowercase word with no `:` or `.`: a route type, not an address (`fe80::` has a colon). */
function isTypeWord(text: string, start: number, end: number): boolean {
  const first = text.charCodeAt(start);
  if (first < 97 || first > 122) return false;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 58 || c === 46 || c === 47) return false;
  }
  return !tokenIs(text, start, end, 'default');
}

/** Counts the families of the prefixes on route lines: 6 if only IPv6 ones, else 4. */
function guessFileFamily(text: string): 4 | 6 {
  let v4 = 0;
  let v6 = 0;
  let pos = 0;
  while (pos < text.length) {
    let end = text.indexOf('\n', pos);
    if (end < 0) end = text.length;
    let i = pos;
    pos = end + 1;
    if (i === end || isBlank(text.charCodeAt(i)) || text.charCodeAt(i) === CH_HASH) continue;
    for (let token = 0; token < 2 && i < end; token++) {
      const start = i;
      while (i < end && !isBlank(text.charCodeAt(i))) i++;
      if (token === 0 && isTypeWord(text, start, i)) {
        while (i < end && isBlank(text.charCodeAt(i))) i++;
        continue;
      }
      let colon = false;
      let dot = false;
      for (let k = start; k < i; k++) {
        const c = text.charCodeAt(k);
        if (c === 58) colon = true;
        else if (c === 46) dot = true;
      }
      if (colon) v6++;
      else if (dot) v4++;
      break;
    }
  }
  return v6 > 0 && v4 === 0 ? 6 : 4;
}

export function parseIpRoutes(text: string, source: string, into: RouteList): RouteList {
  new IpTextParser(text, source, into).run();
  return into;
}
