// `-f json`: the report itself, the JSON of SPEC section 4.
import type { Report } from '../analyze/report.js';

/**
 * The SPEC JSON report, two-space indented, ending in a newline. Keys come in the SPEC's order
 * whatever order the report object was built in; members the SPEC does not name (such as
 * `totals.malformedReasons`) follow the named ones. Every route and destination is included.
 */
export function formatJson(report: Report): string {
  return `${JSON.stringify(orderedReport(report), null, 2)}\n`;
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
