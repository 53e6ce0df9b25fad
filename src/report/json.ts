// `-f json`: the report itself, the JSON of docs/report.md.
import { DESTINATION_JSON, type DestinationJsonSource } from '../analyze/destination-json.js';
import { ROUTE_JSON, type RouteJsonSource } from '../analyze/route-rows.js';
import type { AddressCounters, AnomalyCounters, Report, RuleCounters, TrackedAddress } from '../analyze/report.js';
import { jsonText } from './exact-json.js';

/**
 * The JSON report (docs/report.md), two-space indented, ending in a newline. Keys come in the
 * documented order whatever order the report object was built in; members outside the lists below
 * (such as a route's `nextHops`) follow the listed ones. Every route and destination is included.
 * Counts are plain JSON integers, every digit of them, at any size (bigints above 2^53).
 */
export function formatJson(report: Report): string {
  const decoder = new TextDecoder();
  let text = '';
  writeJson(report, (chunk) => {
    text += decoder.decode(chunk, { stream: true });
  });
  return text + decoder.decode();
}

const encoder = new TextEncoder();

/**
 * The text of formatJson, handed to `write` in chunks: for a report an Analyzer made, the routes
 * and the destinations are written in WebAssembly straight from its counters. A chunk is valid
 * only until `write` returns (it may be a view of WebAssembly memory): copy it to keep it. With
 * `indent` (even), the report is written as a member of another JSON document (`compare`): every
 * line after the first indented that many more blanks, and no newline at the end.
 */
export function writeJson(report: Report, write: (chunk: Uint8Array) => void, indent = 0): void {
  const end = indent === 0 ? '\n' : '';
  const fast = new Map<'routes' | 'destinations', FastSection>();
  const routes = (report as { [ROUTE_JSON]?: RouteJsonSource })[ROUTE_JSON];
  if (routes && routes.count > 0) fast.set('routes', routes);
  const destinations = (report as { [DESTINATION_JSON]?: DestinationJsonSource })[DESTINATION_JSON];
  if (destinations && destinations.count > 0) fast.set('destinations', destinations);
  if (fast.size === 0) {
    write(encoder.encode(`${jsonText(orderedReport(report), 2, indent / 2)}${end}`));
    return;
  }
  // everything else as JSON.stringify writes it, with those sections empty; the members are
  // copied by name, which leaves the lazy sections unread
  const rest = {} as Record<string, unknown>;
  for (const key of Object.keys(report)) rest[key] = fast.has(key as 'routes') ? [] : report[key as keyof Report];
  let text = jsonText(orderedReport(rest as unknown as Report), 2, indent / 2);
  // only members of the report itself start a line with two blanks more than the report: strings
  // hold no raw line break; routes come before destinations (REPORT_KEYS)
  for (const [name, section] of fast) {
    const marker = `\n${' '.repeat(indent + 2)}${JSON.stringify(name)}: `;
    const at = text.indexOf(`${marker}[]`) + marker.length;
    // the section's text indents its lines after the first: the first's here
    write(encoder.encode(`${text.slice(0, at)}[\n${' '.repeat(indent)}`));
    section.write(write, indent);
    write(encoder.encode(`\n${' '.repeat(indent + 2)}]`));
    text = text.slice(at + 2);
  }
  write(encoder.encode(`${text}${end}`));
}

/** A section of the report written in chunks by a fast writer. */
interface FastSection {
  write(write: (chunk: Uint8Array) => void, indent?: number): void;
}

function orderedReport(report: Report): Report {
  const totals = ordered(report.totals, TOTALS_KEYS);
  totals.noRoute = ordered(report.totals.noRoute, ['packets', 'bytes']);
  if (report.totals.noRule) totals.noRule = ordered(report.totals.noRule, ['packets', 'bytes']);
  if (report.totals.sourceOverflow) totals.sourceOverflow = ordered(report.totals.sourceOverflow, ['packets', 'bytes']);
  const matrix = report.matrix;
  return ordered({
    ...report,
    inputs: report.inputs.map((input) => ordered(input, ['path', 'format', 'linkTypes', 'records', 'error'])),
    totals,
    ...(report.updates ? { updates: ordered(report.updates, UPDATES_KEYS) } : {}),
    routes: report.routes.map((route) => ordered(route, ROUTE_KEYS)),
    ...(report.rules ? { rules: report.rules.map(orderedRule) } : {}),
    ...(report.anomalies ? { anomalies: report.anomalies.map(orderedAnomaly) } : {}),
    ...(report.sourceRoutes ? { sourceRoutes: report.sourceRoutes.map((route) => ordered(route, SOURCE_ROUTE_KEYS)) } : {}),
    ...(report.interfaces ? { interfaces: report.interfaces.map((row) => ordered(row, ['name', 'packets', 'bytes'])) } : {}),
    ...(matrix ? {
      matrix: ordered({
        ...matrix,
        cells: matrix.cells.map((cell) => ordered(cell, ['from', 'to', 'packets', 'bytes'])),
        other: ordered(matrix.other, ['cells', 'packets', 'bytes']),
      }, ['cells', 'other', 'lost']),
    } : {}),
    destinations: report.destinations.map((destination) => ordered(destination, DESTINATION_KEYS)),
    ...(report.sources ? { sources: report.sources.map((source) => ordered(source, DESTINATION_KEYS)) } : {}),
  }, REPORT_KEYS);
}

// short sections before the destinations, which may be millions of lines; the sources, as many, after them
const REPORT_KEYS = ['fibscope', 'inputs', 'totals', 'updates', 'routes', 'rules', 'anomalies', 'sourceRoutes', 'interfaces', 'matrix', 'intervals', 'destinations', 'sources'] as const;

function orderedAnomaly(row: AnomalyCounters): AnomalyCounters {
  const out = ordered(row, ANOMALY_KEYS);
  const addresses = (list: TrackedAddress[]) => list.map((address) => ordered(address, ['address', 'packets', 'bytes', 'overstatedBy']));
  return {
    ...out,
    ...(row.unchecked ? { unchecked: ordered(row.unchecked, ['packets', 'bytes']) } : {}),
    topSources: addresses(row.topSources),
    topDestinations: addresses(row.topDestinations),
  };
}

function orderedRule(rule: RuleCounters): RuleCounters {
  const out = ordered(rule, RULE_KEYS);
  const addresses = (list: AddressCounters[]) => list.map((address) => ordered(address, ['address', 'packets', 'bytes']));
  return { ...out, topSources: addresses(rule.topSources), topDestinations: addresses(rule.topDestinations) };
}

// rules before the destinations: a rule set is short, the destinations may be millions of lines
const RULE_KEYS = ['name', 'action', 'packets', 'bytes', 'sources', 'destinations', 'firstSeen', 'lastSeen', 'topSources', 'topDestinations'] as const;
const ANOMALY_KEYS = ['class', 'checked', 'packets', 'bytes', 'unchecked', 'topSources', 'topDestinations'] as const;
const SOURCE_ROUTE_KEYS = ['prefix', 'nextHop', 'dev', 'type', 'packets', 'bytes'] as const;
const TOTALS_KEYS = ['records', 'bytes', 'filtered', 'counted', 'ipv4', 'ipv6', 'nonIp', 'malformed', 'unsupportedLink', 'noRoute', 'noRule', 'ruleAddressOverflow', 'malformedReasons', 'nonIpByType', 'unsupportedLinkByType', 'timeSpan', 'destinationOverflow', 'sourceOverflow'] as const;
const UPDATES_KEYS = ['source', 'applied', 'withdrawnNothing', 'firstWithdrawnNothing', 'unordered', 'skipped', 'pending', 'truncated'] as const;
const ROUTE_KEYS = ['prefix', 'nextHop', 'dev', 'metric', 'type', 'packets', 'bytes', 'destinations'] as const;
const DESTINATION_KEYS = ['address', 'prefix', 'packets', 'bytes', 'firstSeen', 'lastSeen'] as const;

/**
 * `value` with `keys` first, in that order, then its other members: `value` itself when it is
 * so already (as every object an Analyzer's report holds), else a shallow copy.
 */
function ordered<T extends object>(value: T, keys: readonly (keyof T)[]): T {
  let matched = 0;
  for (const key of Object.keys(value)) {
    if (matched === keys.length || key !== keys[matched]) break;
    matched++;
  }
  if (matched === keys.length) return value;
  const out = {} as T;
  for (const key of keys) if (key in value) out[key] = value[key];
  // assigning existing keys keeps their place; the others are appended in their own order
  return Object.assign(out, value);
}
