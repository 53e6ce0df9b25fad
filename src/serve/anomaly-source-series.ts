// /metrics' busiest sources of each anomaly class, which only a live server has: a gauge per
// (class, address) of the class's tracked top sources (at most 10 a class), for a dashboard table
// of who is sending forged or bogon traffic now. The counters of the classes themselves,
// fibscope_anomaly_{packets,bytes}_total, come with the report's other families (promFamilies).
//
// A gauge, not a counter: the trackers are bounded (docs/checks.md), so an address can leave the
// top list and come back with another count; its series then ends or jumps, and rate() over it
// would lie. The value is what the report's topSources says at scrape time.
import type { Report } from '../analyze/report.js';
import type { PromFamily } from '../report/prom.js';

/** The class's top sources now, for every class that was checked; none without checks. */
export function anomalyTopSourcesFamily(report: Report): PromFamily | undefined {
  if (!report.anomalies) return undefined;
  return {
    name: 'fibscope_anomaly_top_source_packets',
    help: "Packets of the anomaly class from one of its busiest sources (the report's topSources, at most 10 a class); "
      + 'tracked in bounded memory, exact while the class has few sources, else high by at most overstatedBy.',
    type: 'gauge',
    labelNames: ['class', 'address'],
    samples: report.anomalies.filter((row) => row.checked).flatMap((row) =>
      row.topSources.map((source) => ({ labels: { class: row.class, address: source.address }, value: source.packets }))),
  };
}
