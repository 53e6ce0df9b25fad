// `--with` a change list instead of a whole table: `ip route` commands applied to a copy of the
// current table (docs/compare.md, "Change lists").
//
//     # move the /16 to the new peering
//     replace 203.0.113.0/24 via 192.0.2.7 dev eth3
//     add 198.51.100.0/24 metric 10
//     	nexthop via 192.0.2.1 dev eth0 weight 1
//     	nexthop via 192.0.2.2 dev eth1 weight 1
//     del 10.0.0.0/8 via 192.0.2.1
import { FibscopeArgumentError, FibscopeError, RouteFormatError } from '../errors.js';
import type { Fib, RemoveMatch } from '../fib/fib.js';
import { formatIPv4, formatIPv6 } from '../net/address.js';
import { parsePrefixText, type PrefixKey } from '../net/prefix.js';
import { parseIpRoutes } from '../routes/ip.js';
import { canonicalNextHop } from '../routes/scan.js';
import { RouteList } from '../routes/route-list.js';
import { ROUTE_TYPES, type RouteAttributes } from '../routes/route.js';

const VERBS = new Map<string, Change['verb']>([['add', 'add'], ['append', 'add'], ['del', 'del'], ['delete', 'del'], ['replace', 'replace']]);

export type Change =
  | { verb: 'add' | 'replace'; line: number; prefix: string; attributes: RouteAttributes }
  | { verb: 'del'; line: number; prefix: string; match: RemoveMatch };

export interface ChangeList {
  source: string;
  changes: Change[];
}

/** The first word of the first line that is neither blank nor a comment. */
function firstWord(text: string): string | undefined {
  for (const line of text.split('\n', 200)) {
    const trimmed = line.replace(/#.*/, '').trim();
    if (trimmed !== '') return trimmed.split(/\s+/, 1)[0];
  }
  return undefined;
}

/** Whether `text` is a change list rather than a table: its first meaningful line starts with add, del or replace. */
export function isChangeList(text: string): boolean {
  const word = firstWord(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  return word !== undefined && VERBS.has(word);
}

/**
 * Parses a change list. Lines: `add|append|replace ROUTE` with ROUTE in `ip route` syntax (and
 * its indented `nexthop` lines), `del|delete PREFIX [via ADDR] [dev NAME] [metric N]`; `#`
 * starts a comment. Throws RouteFormatError naming `source` and the line.
 */
export function parseChangeList(text: string, source: string): ChangeList {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const lines = text.split('\n');
  // the routes of add and replace, each on its own line number, for the ip route parser
  const routeLines: string[] = new Array(lines.length).fill('');
  const verbs: (Change['verb'] | undefined)[] = new Array(lines.length).fill(undefined);
  const changes: Change[] = [];
  let inRoute = false;
  lines.forEach((raw, index) => {
    const number = index + 1;
    const line = raw.replace(/#.*/, '').replace(/\s+$/, '');
    if (line === '') return;
    if (/^\s/.test(line)) {
      // an indented line continues the route above it (multipath nexthop lines)
      if (!inRoute) throw new RouteFormatError(source, number, `an indented line continues only an add or a replace: '${line.trim()}'`);
      routeLines[index] = line;
      return;
    }
    const [word, ...rest] = line.split(/\s+/);
    const verb = VERBS.get(word);
    if (verb === undefined) {
      throw new RouteFormatError(source, number, `expected add, del or replace, found '${word}' (a change list holds 'ip route' commands)`);
    }
    if (rest.length === 0) throw new RouteFormatError(source, number, `expected a prefix after '${word}'`);
    inRoute = verb !== 'del';
    if (verb === 'del') {
      changes.push({ verb, line: number, ...parseDelete(rest, source, number) });
      return;
    }
    verbs[index] = verb;
    routeLines[index] = line.slice(line.indexOf(word) + word.length).replace(/^\s+/, '');
  });
  const list = parseIpRoutes(routeLines.join('\n'), source, new RouteList());
  for (let i = 0; i < list.count; i++) {
    const line = list.line[i];
    const verb = verbs[line - 1];
    if (verb === undefined || verb === 'del') throw new RouteFormatError(source, line, 'expected add, del or replace');
    changes.push({ verb, line, prefix: prefixOf(list, i), attributes: attributesOf(list, i) });
  }
  changes.sort((a, b) => a.line - b.line);
  return { source, changes };
}

function parseDelete(words: string[], source: string, line: number): { prefix: string; match: RemoveMatch } {
  const key: PrefixKey = { family: 4, length: 0, v4: 0, v6: new Uint8Array(16) };
  const [prefixWord, ...rest] = words;
  try {
    parsePrefixText(prefixWord, key);
  } catch (error) {
    throw new RouteFormatError(source, line, (error as Error).message);
  }
  const prefix = keyText(key);
  const match: RemoveMatch = {};
  for (let i = 0; i < rest.length; i += 2) {
    const name = rest[i];
    const value = rest[i + 1];
    if (value === undefined) throw new RouteFormatError(source, line, `expected a value after '${name}'`);
    if (name === 'via') match.nextHop = canonicalNextHop(value);
    else if (name === 'dev') match.dev = value;
    else if (name === 'metric' || name === 'preference' || name === 'priority') {
      if (!/^\d+$/.test(value) || Number(value) > 0xffffffff) throw new RouteFormatError(source, line, `expected a metric 0..4294967295, found '${value}'`);
      match.metric = Number(value);
    } else throw new RouteFormatError(source, line, `del takes a prefix and then via, dev or metric; found '${name}'`);
  }
  return { prefix, match };
}

function keyText(key: PrefixKey): string {
  return key.family === 4 ? `${formatIPv4(key.v4)}/${key.length}` : `${formatIPv6(key.v6)}/${key.length}`;
}

function prefixOf(list: RouteList, i: number): string {
  return list.family[i] === 4 ? `${formatIPv4(list.v4[i])}/${list.prefixLength[i]}` : `${formatIPv6(list.v6, i * 16)}/${list.prefixLength[i]}`;
}

function attributesOf(list: RouteList, i: number): RouteAttributes {
  const as = list.asAttributes?.[i];
  return {
    type: ROUTE_TYPES[list.type[i]],
    nextHop: list.nextHop[i],
    dev: list.dev[i],
    metric: list.metric[i],
    ...(list.nextHops.has(i) ? { nextHops: list.nextHops.get(i) } : {}),
    ...(as?.asPath !== undefined ? { asPath: as.asPath } : {}),
  };
}

/**
 * Applies the changes to `fib` in order, as `ip route` would: add refuses a route whose prefix
 * and metric are taken (use replace), del one that matches nothing. Throws RouteFormatError
 * naming the line; the changes before it stay applied (apply to a copy).
 */
export function applyChangeList(fib: Fib, list: ChangeList): void {
  for (const change of list.changes) {
    try {
      if (change.verb === 'del') {
        if (fib.remove(change.prefix, change.match) === 0) throw new FibscopeArgumentError(`no route ${change.prefix}${describeMatch(change.match)} to delete`);
      } else if (change.verb === 'replace') {
        fib.replace(change.prefix, change.attributes);
      } else {
        const metric = change.attributes.metric ?? 0;
        if (fib.routesFor(change.prefix).some((route) => route.metric === metric)) {
          throw new FibscopeArgumentError(`${change.prefix} already has a route of metric ${metric}: use replace to change it`);
        }
        fib.add(change.prefix, change.attributes);
      }
    } catch (error) {
      if (error instanceof FibscopeError && !(error instanceof RouteFormatError) && error.code !== 'OUT_OF_MEMORY') {
        throw new RouteFormatError(list.source, change.line, error.message);
      }
      throw error;
    }
  }
}

function describeMatch(match: RemoveMatch): string {
  return `${match.nextHop !== undefined ? ` via ${match.nextHop}` : ''}${match.dev !== undefined ? ` dev ${match.dev}` : ''}`
    + `${match.metric !== undefined ? ` metric ${match.metric}` : ''}`;
}
