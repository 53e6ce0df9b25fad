// /metrics' per-destination series: the top K by packets, picked in WebAssembly at each scrape
// (Analyzer.topDestinations: one pass, O(K) memory), and `other`. The accounting is that of
// report/prom.ts's TopDestinations, which `analyze -f prom` uses on a whole report: a member has
// its whole count; `other` holds what every destination counted while outside the top K, so it
// never goes down when a destination joins or leaves the top, and the K series and `other` add
// up to every destination's count. Ties on packets keep current members (they are passed to the
// pick as preferred), then the destination seen first.
import type { Analyzer } from '../analyze/analyzer.js';
import type { TopDestination } from '../analyze/top-destinations.js';
import type { Count } from '../analyze/report.js';
import { addCounts, compareCounts, subtractCounts } from '../report/count.js';
import type { PromFamily } from '../report/prom.js';

interface Membership { entry: number; joinPackets: Count; joinBytes: Count; lastPackets: Count; lastBytes: Count }

export interface TopDestinationSample {
  /** The top K, busiest first, with their whole counts. */
  members: TopDestination[];
  /** Packets and bytes of every destination while it was outside the top K. */
  other: { packets: Count; bytes: Count };
}

const LABELS = ['address', 'prefix'] as const;

export class TopDestinationSeries {
  readonly k: number;
  private members = new Map<string, Membership>();
  /** What former members counted while members: taken out of `other` for good. */
  private credited: { packets: Count; bytes: Count } = { packets: 0, bytes: 0 };
  private lastTotal: Count = 0;

  constructor(k: number) {
    if (!Number.isSafeInteger(k) || k < 1) throw new RangeError(`top destinations: expected a whole number of at least 1, got ${k}`);
    this.k = k;
  }

  /** Picks the top K now and moves the membership on. */
  sample(analyzer: Analyzer): TopDestinationSample {
    let picked = analyzer.topDestinations(this.k, [...this.members.values()].map((m) => m.entry));
    if (compareCounts(picked.packets, this.lastTotal) < 0) {
      // the counters were reset: so is what was taken out of `other`, and entry numbers were reused
      this.members.clear();
      this.credited = { packets: 0, bytes: 0 };
      picked = analyzer.topDestinations(this.k);
    }
    this.lastTotal = picked.packets;

    const next = new Map<string, Membership>();
    let attributedPackets = this.credited.packets;
    let attributedBytes = this.credited.bytes;
    for (const d of picked.destinations) {
      const member = this.members.get(d.address)
        ?? { entry: d.entry, joinPackets: d.packets, joinBytes: d.bytes, lastPackets: d.packets, lastBytes: d.bytes };
      member.entry = d.entry;
      member.lastPackets = d.packets;
      member.lastBytes = d.bytes;
      next.set(d.address, member);
      attributedPackets = addCounts(attributedPackets, subtractCounts(d.packets, member.joinPackets));
      attributedBytes = addCounts(attributedBytes, subtractCounts(d.bytes, member.joinBytes));
    }
    for (const [address, member] of this.members) {
      if (next.has(address)) continue;
      // a member leaving keeps what it counted as a member; from now on it counts in `other`
      const packets = subtractCounts(member.lastPackets, member.joinPackets);
      const bytes = subtractCounts(member.lastBytes, member.joinBytes);
      this.credited = { packets: addCounts(this.credited.packets, packets), bytes: addCounts(this.credited.bytes, bytes) };
      attributedPackets = addCounts(attributedPackets, packets);
      attributedBytes = addCounts(attributedBytes, bytes);
    }
    this.members = next;
    return {
      members: picked.destinations,
      other: { packets: subtractCounts(picked.packets, attributedPackets), bytes: subtractCounts(picked.bytes, attributedBytes) },
    };
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
      help: `Counted packets of the top ${this.k} destinations by packets; address="other": every destination while outside the top.`,
      type: 'counter',
      labelNames: LABELS,
      samples: series.map(({ labels, packets }) => ({ labels, value: packets })),
    }, {
      name: 'fibscope_destination_bytes_total',
      help: `Wire bytes of the top ${this.k} destinations by packets; address="other": every destination while outside the top.`,
      type: 'counter',
      labelNames: LABELS,
      samples: series.map(({ labels, bytes }) => ({ labels, value: bytes })),
    }];
  }
}
