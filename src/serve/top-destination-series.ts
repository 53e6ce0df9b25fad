// /metrics' per-destination series: the top K by packets, picked in WebAssembly at each scrape
// (Analyzer.topDestinations: one pass, O(K) memory), and `other`, accounted as `analyze -f prom`
// does (report/top-membership.ts): a member's series counts what it counted since it joined the
// top K, `other` the rest, so at every scrape the K series and `other` add up to counted and no
// series goes down. Ties on packets keep current members (they are passed to the pick as
// preferred), then the destination seen first.
import type { Analyzer } from '../analyze/analyzer.js';
import type { TopDestination } from '../analyze/top-destinations.js';
import type { Count } from '../analyze/report.js';
import { destinationHelp, type PromFamily } from '../report/prom.js';
import { TopMembership } from '../report/top-membership.js';

export interface TopDestinationSample {
  /** The top K, busiest first, each with what it counted as a member (its series). */
  members: TopDestination[];
  /** Counted minus the members' series. */
  other: { packets: Count; bytes: Count };
}

const LABELS = ['address', 'prefix'] as const;

export class TopDestinationSeries {
  readonly k: number;
  private readonly membership = new TopMembership();
  /** The entry numbers of the current members: they win ties in the next pick. */
  private memberEntries: number[] = [];

  constructor(k: number) {
    if (!Number.isSafeInteger(k) || k < 1) throw new RangeError(`top destinations: expected a whole number of at least 1, got ${k}`);
    this.k = k;
  }

  /** Picks the top K now and moves the membership on. */
  sample(analyzer: Analyzer): TopDestinationSample {
    let picked = analyzer.topDestinations(this.k, this.memberEntries);
    // after a reset of the counters entry numbers are reused: pick again with no preference
    if (this.membership.wasReset(picked.packets)) picked = analyzer.topDestinations(this.k);
    this.memberEntries = picked.destinations.map((d) => d.entry);
    const sample = this.membership.advance(picked.destinations, picked);
    return { members: picked.destinations.map((d, i) => ({ ...d, ...sample.members[i] })), other: sample.other };
  }

  /** `fibscope_destination_{packets,bytes}_total`, as `analyze -f prom` names them. */
  families(analyzer: Analyzer): PromFamily[] {
    const top = this.sample(analyzer);
    const series = [
      ...top.members.map((d) => ({ labels: { address: d.address, prefix: d.prefix ?? '' }, packets: d.packets, bytes: d.bytes })),
      { labels: { address: 'other', prefix: '' }, packets: top.other.packets, bytes: top.other.bytes },
    ];
    return [{
      name: 'fibscope_destination_packets_total',
      help: destinationHelp('Counted packets', this.k),
      type: 'counter',
      labelNames: LABELS,
      samples: series.map(({ labels, packets }) => ({ labels, value: packets })),
    }, {
      name: 'fibscope_destination_bytes_total',
      help: destinationHelp('Wire bytes', this.k),
      type: 'counter',
      labelNames: LABELS,
      samples: series.map(({ labels, bytes }) => ({ labels, value: bytes })),
    }];
  }
}
