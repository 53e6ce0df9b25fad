// `-f json`: the report itself, the JSON of SPEC section 4.
import { DESTINATION_JSON, type DestinationJsonSource } from '../analyze/destination-json.js';
import type { Report } from '../analyze/report.js';

/**
 * The SPEC JSON report, two-space indented, ending in a newline. Keys come in the SPEC's order
 * whatever order the report object was built in; members the SPEC does not name (such as
 * `totals.malformedReasons`) follow the named ones. Every route and destination is included.
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
 * The text of formatJson, handed to `write` in chunks: for a report an Analyzer made, the
 * destinations are written in WebAssembly straight from its counters. A chunk is valid only
 * until `write` returns (it may be a view of WebAssembly memory): copy it to keep it.
 */
export function writeJson(report: Report, write: (chunk: Uint8Array) => void): void {
  const source = (report as { [DESTINATION_JSON]?: DestinationJsonSource })[DESTINATION_JSON];
  if (!source || source.count === 0) {
    write(encoder.encode(`${JSON.stringify(orderedReport(report), null, 2)}\n`));
    return;
  }
  // everything but the destinations as JSON.stringify writes it, which ends `"destinations": []\n}`
  const { fibscope, inputs, totals, routes } = report;
  const head = JSON.stringify(orderedReport({ fibscope, inputs, totals, routes, destinations: [] }), null, 2);
  write(encoder.encode(`${head.slice(0, -'[]\n}'.length)}[\n`));
  source.write(write);
  write(encoder.encode('\n  ]\n}\n'));
}

function orderedReport(report: Report): Report {
  const totals = ordered(report.totals, TOTALS_KEYS);
  totals.noRoute = ordered(report.totals.noRoute, ['packets', 'bytes']);
  return ordered({
    ...report,
    inputs: report.inputs.map((input) => ordered(input, ['path', 'format', 'linkTypes', 'records', 'error'])),
    totals,
    routes: report.routes.map((route) => ordered(route, ROUTE_KEYS)),
    destinations: report.destinations.map((destination) => ordered(destination, DESTINATION_KEYS)),
  }, ['fibscope', 'inputs', 'totals', 'routes', 'destinations']);
}

const TOTALS_KEYS = ['records', 'bytes', 'counted', 'ipv4', 'ipv6', 'nonIp', 'malformed', 'unsupportedLink', 'noRoute', 'malformedReasons'] as const;
const ROUTE_KEYS = ['prefix', 'nextHop', 'dev', 'metric', 'type', 'packets', 'bytes', 'destinations'] as const;
const DESTINATION_KEYS = ['address', 'prefix', 'packets', 'bytes', 'firstSeen', 'lastSeen'] as const;

/** A shallow copy of `value` with `keys` first, in that order, then its other members. */
function ordered<T extends object>(value: T, keys: readonly (keyof T)[]): T {
  const out = {} as T;
  for (const key of keys) if (key in value) out[key] = value[key];
  // assigning existing keys keeps their place; the others are appended in their own order
  return Object.assign(out, value);
}
