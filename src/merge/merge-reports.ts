// `fibscope merge`: saved JSON reports as one, as `nfdump -R` reads many files as one: every count
// summed, first seen the earliest, last seen the latest, distinct destinations counted again
// from the merged destinations (docs/report.md, "Merging reports").
import { VERSION } from '../analyze/build-report.js';
import type { AnomalyCounters, Count, DestinationCounters, Report } from '../analyze/report.js';
import { addCounts } from '../report/count.js';
import { MergeError, mergeAnomalyCounts, mergeRoutes, mergeTotals, timeDigits, widenTime } from './merge-parts.js';

/** A report and the name errors call it by (its path). */
export interface NamedReport {
  name: string;
  report: Report;
}

/** The report sections a merge cannot make exact: a bounded list, or distinct counts of a union. */
const REFUSED_SECTIONS: readonly [keyof Report, string][] = [
  ['rules', 'a rule set (a rule\'s distinct sources and destinations, and its top ten, do not add up)'],
  ['matrix', 'a route matrix (its top cells and "other" do not add up)'],
  ['sourceRoutes', 'a source view (--by src-route)'],
  ['sources', 'a source view (--by source)'],
  ['interfaces', 'an interface view (--by interface)'],
];

/**
 * One report from several, as analysing their captures one after another would give (the
 * captures in the order given). Throws MergeError, naming the report, for reports that cannot
 * be merged exactly: different routing tables or fibscope versions, a filter in some only, rule
 * sets, views, a destination table that overflowed.
 */
export function mergeReports(named: readonly NamedReport[]): Report {
  if (named.length === 0) throw new MergeError('nothing to merge: give at least one report');
  const nameOf = (part: number) => named[part].name;
  const reports = named.map(({ report }) => report);
  checkMergeable(named);
  const digits = Math.max(6, ...reports.flatMap((report) => [
    ...(report.totals.timeSpan ? [timeDigits(report.totals.timeSpan.first)] : []),
    ...report.destinations.slice(0, 1).map((destination) => timeDigits(destination.firstSeen)),
  ]));
  const destinations = mergeDestinations(reports, digits, nameOf);
  const perRoute = new Map<string, number>();
  for (const destination of destinations) {
    if (destination.prefix !== null) perRoute.set(destination.prefix, (perRoute.get(destination.prefix) ?? 0) + 1);
  }
  const totals = mergeTotals(reports.map((report) => report.totals), digits);
  const merged = {
    fibscope: { version: VERSION },
    inputs: reports.flatMap((report) => report.inputs.map((input) => ({ ...input }))),
    totals,
    routes: mergeRoutes(reports.map((report) => report.routes), (prefix) => perRoute.get(prefix) ?? 0, nameOf),
  } as Report;
  if (reports[0].anomalies) {
    merged.anomalies = mergeAnomalyCounts(reports.map((report) => report.anomalies!), totals.counted, () => ({ topSources: [], topDestinations: [] }))
      .map((row): AnomalyCounters => ({ ...row, topsMerged: false } as AnomalyCounters));
  }
  merged.destinations = destinations;
  return merged;
}

function checkMergeable(named: readonly NamedReport[]): void {
  const [first] = named;
  for (const { name, report } of named) {
    if (report?.fibscope?.version === undefined || !Array.isArray(report.inputs) || !Array.isArray(report.routes)
      || !Array.isArray(report.destinations) || typeof report.totals !== 'object') {
      throw new MergeError(`${name}: not a fibscope JSON report (docs/report.md)`);
    }
    if (report.fibscope.version !== VERSION) {
      throw new MergeError(`${name} was written by fibscope ${report.fibscope.version}; this is ${VERSION}: analyse again with one version`);
    }
    for (const [section, what] of REFUSED_SECTIONS) {
      if (report[section] !== undefined) throw new MergeError(`${name} holds ${what}: it cannot be merged exactly; analyse the captures together instead`);
    }
    if (report.totals.destinationOverflow) {
      throw new MergeError(`${name}: its destination table overflowed (totals.destinationOverflow): the distinct destinations cannot be merged exactly`);
    }
    const filtered = (r: Report) => r.totals.filtered !== undefined;
    if (filtered(report) !== filtered(first.report)) {
      throw new MergeError(`${first.name} and ${name} differ: one was analysed with a filter (totals.filtered), the other without`);
    }
    if ((report.anomalies === undefined) !== (first.report.anomalies === undefined)) {
      throw new MergeError(`${first.name} and ${name} differ: one was analysed with checks (anomalies), the other without`);
    }
  }
}

interface MergedDestination extends DestinationCounters {
  /** where it was first seen: the report, then its place there */
  part: number;
  place: number;
}

/** Packet counts as the sort of assembly/count/destinations.ts sees them: those above 2^32 - 1 tie. */
function sortKey(packets: Count): number {
  return typeof packets === 'bigint' ? 0xffffffff : Math.min(packets, 0xffffffff);
}

/**
 * The destinations of every report, summed by address, busiest first. An analysis orders equal
 * counts by when each destination first appeared in the capture; a saved report no longer says
 * that, so equal counts go by first-seen time, then the order of the reports and their lines.
 */
function mergeDestinations(reports: readonly Report[], digits: number, nameOf: (part: number) => string): DestinationCounters[] {
  const byAddress = new Map<string, MergedDestination>();
  reports.forEach((report, part) => {
    report.destinations.forEach((destination, place) => {
      const firstSeen = widenTime(destination.firstSeen, digits);
      const lastSeen = widenTime(destination.lastSeen, digits);
      const seen = byAddress.get(destination.address);
      if (!seen) {
        byAddress.set(destination.address, { ...destination, firstSeen, lastSeen, part, place });
        return;
      }
      if (seen.prefix !== destination.prefix) {
        throw new MergeError(`${nameOf(seen.part)} and ${nameOf(part)} were made with different routing tables: `
          + `destination ${destination.address} took ${seen.prefix ?? 'no route'} in one, ${destination.prefix ?? 'no route'} in the other`);
      }
      seen.packets = addCounts(seen.packets, destination.packets);
      seen.bytes = addCounts(seen.bytes, destination.bytes);
      if (firstSeen < seen.firstSeen) seen.firstSeen = firstSeen;
      if (lastSeen > seen.lastSeen) seen.lastSeen = lastSeen;
    });
  });
  const rows = [...byAddress.values()];
  rows.sort((a, b) => sortKey(b.packets) - sortKey(a.packets)
    || (a.firstSeen < b.firstSeen ? -1 : a.firstSeen > b.firstSeen ? 1 : 0) || a.part - b.part || a.place - b.place);
  return rows.map(({ address, prefix, packets, bytes, firstSeen, lastSeen }) => ({ address, prefix, packets, bytes, firstSeen, lastSeen }));
}
