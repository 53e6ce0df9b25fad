/**
 * The JSON that `ip -j route show` / `ip -j -6 route show` print: an array of objects
 *
 *     {"type":"blackhole","dst":"10.9.0.0/16","gateway":"192.0.2.1","dev":"eth0","metric":10,
 *      "protocol":"static","scope":"link","prefsrc":"192.0.2.10","flags":[],
 *      "nexthops":[{"gateway":"10.77.0.2","dev":"veth0","weight":1,"flags":[]}]}
 *
 * `dst` is a prefix, a bare address (a host route) or "default"; `type` is absent for unicast;
 * a gateway of the other family comes as `"via": {"family": "inet6", "host": "fe80::1"}`.
 * Several arrays one after another (`ip -j route; ip -j -6 route` into one file) are accepted.
 * Pretty-printed output (`ip -j -p`) works too; an error names the line on which the bad entry
 * starts, and the entry's 1-based position in its array; JSON that does not parse, the line and
 * column where it goes wrong. Nesting deeper than `MAX_JSON_DEPTH` is refused before parsing:
 * `ip` never nests past 4 levels, and nothing below may recurse on an unbounded depth.
 *
 * The family of "default" follows the rules of `ip.ts`: the gateway (a `via` object means the
 * other family), `prefsrc`, the presence of `pref` (IPv6 only), then the rest of the file.
 */

import { RouteFormatError } from '../errors.js';
import {
  createPrefixBuffer, PREFIX_OK, prefixErrorReason, scanAddress, scanPrefix,
} from '../net/address.js';
import type { NextHop, RouteType } from './route.js';
import { ROUTE_TYPES } from './route.js';
import type { RouteList } from './route-list.js';
import { findJsonSyntaxError, offsetInJsonMessage } from './json-syntax.js';
import { canonicalNextHop, Interner, PREFIX_EXAMPLE, quoteInput } from './scan.js';

/** One top-level array: where it is and on which line each of its elements starts. */
interface Segment {
  start: number;
  end: number;
  line: number;
  elementLines: number[];
}

export function parseIpJsonRoutes(text: string, source: string, into: RouteList): RouteList {
  const segments = findArrays(text, source);
  const arrays: unknown[][] = [];
  for (const segment of segments) {
    const json = text.slice(segment.start, segment.end);
    let value: unknown;
    try {
      value = JSON.parse(json);
    } catch (error) {
      throw syntaxError(source, text, segment, error instanceof Error ? error.message : String(error));
    }
    arrays.push(value as unknown[]);
  }

  const reader = new EntryReader(source, arrays);
  for (let s = 0; s < arrays.length; s++) {
    const entries = arrays[s];
    const lines = segments[s].elementLines;
    for (let n = 0; n < entries.length; n++) reader.read(entries[n], n + 1, lines[n] ?? segments[s].line, into);
  }
  return into;
}

/** Deeper than any `ip -j` output (a route's next hop's `via` is at 4), far below a stack's limit. */
export const MAX_JSON_DEPTH = 32;

/** The line and column in `text` where JSON.parse found the segment bad, as a RouteFormatError. */
function syntaxError(source: string, text: string, segment: Segment, message: string): RouteFormatError {
  const json = text.slice(segment.start, segment.end);
  let offset = offsetInJsonMessage(message, json);
  if (offset < 0) offset = findJsonSyntaxError(json);
  if (offset < 0) offset = 0; // V8 and the validator disagree: name where the array starts
  const at = segment.start + offset;
  let line = segment.line;
  let lineStart = text.lastIndexOf('\n', segment.start - 1) + 1;
  for (let i = text.indexOf('\n', segment.start); i >= 0 && i < at; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return new RouteFormatError(source, line,
    `expected JSON (the output of ip -j route show), but it does not parse at column ${at - lineStart + 1}: ${message}`);
}

/**
 * Finds each top-level `[...]` and the line each of its elements starts on, without parsing
 * values (JSON.parse does that). Anything but arrays and blanks at the top level is an error.
 */
function findArrays(text: string, source: string): Segment[] {
  const segments: Segment[] = [];
  const length = text.length;
  let line = 1;
  let i = 0;
  while (i < length) {
    const c = text.charCodeAt(i);
    if (c === 10) { line++; i++; continue; }
    if (c === 32 || c === 9 || c === 13) { i++; continue; }
    if (c !== 91 /* [ */) {
      throw new RouteFormatError(source, line,
        `expected a JSON array of routes (the output of ip -j route show), found ${quoteInput(text, i, Math.min(length, i + 20))}`);
    }
    const segment: Segment = { start: i, end: length, line, elementLines: [] };
    let depth = 0;
    let expectElement = false;
    let inString = false;
    for (; i < length; i++) {
      const ch = text.charCodeAt(i);
      if (inString) {
        if (ch === 92 /* \ */) i++;
        else if (ch === 34 /* " */) inString = false;
        else if (ch === 10) line++;
        continue;
      }
      if (ch === 10) { line++; continue; }
      if (ch === 32 || ch === 9 || ch === 13) continue;
      if (depth === 1 && expectElement && ch !== 93 /* ] */ && ch !== 44 /* , */) {
        segment.elementLines.push(line);
        expectElement = false;
      }
      if (ch === 34) inString = true;
      else if (ch === 91 || ch === 123 /* { */) {
        depth++;
        if (depth === 1) expectElement = true;
        if (depth > MAX_JSON_DEPTH) {
          throw new RouteFormatError(source, line,
            `expected JSON routes (the output of ip -j route show), but it nests deeper than ${MAX_JSON_DEPTH} levels here`);
        }
      } else if (ch === 93 || ch === 125 /* } */) {
        depth--;
        if (depth === 0) { i++; break; }
      } else if (ch === 44 && depth === 1) {
        expectElement = true;
      }
    }
    if (depth !== 0) {
      throw new RouteFormatError(source, segment.line,
        'expected JSON (the output of ip -j route show), but the array that starts here is never closed (a truncated file?)');
    }
    segment.end = i;
    segments.push(segment);
  }
  return segments;
}

const TYPES = new Set<string>(ROUTE_TYPES);

class EntryReader {
  private readonly gateways = new Interner(canonicalNextHop);
  private readonly devices = new Interner();
  private readonly prefix = createPrefixBuffer();
  private readonly address = createPrefixBuffer();
  private fileFamily: 0 | 4 | 6 = 0;
  private line = 0;
  private entry = 0;

  constructor(private readonly source: string, private readonly arrays: unknown[][]) {}

  read(value: unknown, entry: number, line: number, into: RouteList): void {
    this.entry = entry;
    this.line = line;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw this.error(`expected a route object like {"dst": "10.0.0.0/8", ...}, found ${show(value)}`);
    }
    const route = value as Record<string, unknown>;

    const dst = route.dst;
    if (typeof dst !== 'string') {
      throw this.error(`expected "dst" with ${PREFIX_EXAMPLE} or "default", found ${dst === undefined ? 'no "dst"' : show(dst)}`);
    }
    let family: 0 | 4 | 6 = 0;
    let length = 0;
    if (dst !== 'default') {
      const status = scanPrefix(dst, 0, dst.length, this.prefix);
      if (status !== PREFIX_OK) {
        throw this.error(`expected "dst" with ${PREFIX_EXAMPLE} or "default", found ${quoteInput(dst)} (${prefixErrorReason(status, dst)})`);
      }
      family = this.prefix.family;
      length = this.prefix.length;
    }

    let type: RouteType = 'unicast';
    if (route.type !== undefined) {
      if (typeof route.type !== 'string' || !TYPES.has(route.type)) {
        throw this.error(`expected "type" to be one of ${ROUTE_TYPES.join(', ')}, found ${show(route.type)}`);
      }
      type = route.type as RouteType;
    }

    const gateway = this.gateway(route, 'the route');
    let nextHop = gateway.via;
    let hint = gateway.family;
    const dev = this.device(route.dev, '"dev"');

    let metric = 0;
    if (route.metric !== undefined) {
      const m = route.metric;
      if (typeof m !== 'number' || !Number.isInteger(m) || m < 0 || m > 0xffffffff) {
        throw this.error(`expected "metric" 0..4294967295, found ${show(m)}`);
      }
      metric = m;
    }

    let nextHops: NextHop[] | undefined;
    if (route.nexthops !== undefined) {
      if (!Array.isArray(route.nexthops)) throw this.error(`expected "nexthops" to be an array, found ${show(route.nexthops)}`);
      nextHops = [];
      let k = 0;
      for (const item of route.nexthops) {
        k++;
        if (typeof item !== 'object' || item === null || Array.isArray(item)) {
          throw this.error(`expected next hop ${k} to be an object like {"gateway": ..., "dev": ..., "weight": 1}, found ${show(item)}`);
        }
        const hop = item as Record<string, unknown>;
        const hopGateway = this.gateway(hop, `next hop ${k}`);
        if (hint === 0) hint = hopGateway.family;
        let weight = 1;
        if (hop.weight !== undefined) {
          const w = hop.weight;
          if (typeof w !== 'number' || !Number.isInteger(w) || w < 1 || w > 256) {
            throw this.error(`expected "weight" 1..256 in next hop ${k}, found ${show(w)}`);
          }
          weight = w;
        }
        nextHops.push({ via: hopGateway.via, dev: this.device(hop.dev, `"dev" of next hop ${k}`), weight });
      }
    }
    let firstDev = dev;
    if (nextHops) {
      for (const hop of nextHops) {
        if (nextHop === null && hop.via !== null) nextHop = hop.via;
        if (firstDev === null && hop.dev !== null) firstDev = hop.dev;
      }
    }

    if (family === 0) {
      if (hint === 0 && typeof route.prefsrc === 'string') hint = scanAddress(route.prefsrc, 0, route.prefsrc.length, this.address);
      if (hint === 0 && route.pref !== undefined) hint = 6;
      family = hint || this.familyOfFile();
    }
    if (family === 4) {
      into.push4(dst === 'default' ? 0 : this.prefix.v4, length,
        nextHop, firstDev, metric, type, this.line, nextHops);
    } else {
      if (dst === 'default') this.prefix.v6.fill(0);
      into.push6(this.prefix.v6, 0, length, nextHop, firstDev, metric, type, this.line, nextHops);
    }
  }

  /** `gateway: "ADDR"` or `via: {family, host}` of a route or next hop; the family is the route's. */
  private gateway(object: Record<string, unknown>, what: string): { via: string | null; family: 0 | 4 | 6 } {
    if (object.gateway !== undefined) {
      const g = object.gateway;
      if (typeof g !== 'string') throw this.error(`expected "gateway" of ${what} to be an address, found ${show(g)}`);
      const family = scanAddress(g, 0, g.length, this.address);
      if (family === 0) throw this.error(`expected "gateway" of ${what} to be an address, found ${quoteInput(g)}`);
      return { via: this.gateways.get(g, 0, g.length), family };
    }
    if (object.via !== undefined) {
      const v = object.via as Record<string, unknown> | null;
      const host = typeof v === 'object' && v !== null ? v.host : undefined;
      if (typeof host !== 'string') {
        throw this.error(`expected "via" of ${what} to be {"family": ..., "host": ADDRESS}, found ${show(v)}`);
      }
      const family = scanAddress(host, 0, host.length, this.address);
      if (family === 0) throw this.error(`expected "via" of ${what} to hold an address, found ${quoteInput(host)}`);
      // ip uses "via" for a gateway of the other family (RFC 5549).
      return { via: this.gateways.get(host, 0, host.length), family: family === 4 ? 6 : 4 };
    }
    return { via: null, family: 0 };
  }

  private device(value: unknown, what: string): string | null {
    if (value === undefined || value === null) return null;
    if (typeof value !== 'string') throw this.error(`expected ${what} to be a device name, found ${show(value)}`);
    return this.devices.get(value, 0, value.length);
  }

  private familyOfFile(): 4 | 6 {
    if (this.fileFamily === 0) {
      let v4 = 0;
      let v6 = 0;
      for (const entries of this.arrays) {
        for (const entry of entries) {
          const dst = typeof entry === 'object' && entry !== null ? (entry as Record<string, unknown>).dst : undefined;
          if (typeof dst !== 'string' || dst === 'default') continue;
          if (dst.includes(':')) v6++;
          else v4++;
        }
      }
      this.fileFamily = v6 > 0 && v4 === 0 ? 6 : 4;
    }
    return this.fileFamily;
  }

  private error(message: string): RouteFormatError {
    return new RouteFormatError(this.source, this.line, `entry ${this.entry}: ${message}`);
  }
}

/** A short quote of a parsed value for a message; never throws. */
function show(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? typeof value;
  } catch {
    text = Array.isArray(value) ? 'an array' : typeof value;
  }
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}
