// The accounting behind per-destination series with an `other` bucket, shared by `analyze -f
// prom` (prom.ts, on a whole report) and `serve`'s /metrics (top K picked in WebAssembly). A
// destination in the top K has its own series with its whole count; `other` holds what every
// destination counted while outside the top K. Defined so, `other` never goes down when a
// destination joins or leaves the top (a counter that drops reads as a reset, and rate() would
// see a spike), and at any time the rates of the K series and `other` add up to the rate of
// counted packets.
import type { Count } from '../analyze/report.js';
import { addCounts, compareCounts, subtractCounts } from './count.js';

export interface Counted { address: string; packets: Count; bytes: Count }

interface Membership { joinPackets: Count; joinBytes: Count; lastPackets: Count; lastBytes: Count }

export class TopMembership {
  private members = new Map<string, Membership>();
  /** What former members counted while members: taken out of `other` for good. */
  private credited: { packets: Count; bytes: Count } = { packets: 0, bytes: 0 };
  private lastTotal: Count = 0;

  has(address: string): boolean {
    return this.members.has(address);
  }

  /** True when `totalPackets` went down since the last advance: the counters were reset. */
  wasReset(totalPackets: Count): boolean {
    return compareCounts(totalPackets, this.lastTotal) < 0;
  }

  /**
   * Moves the membership on to `top` (this scrape's top K) given every destination's total;
   * returns `other`. A reset of the counters (the total went down) starts the accounting afresh.
   */
  advance(top: readonly Counted[], total: { packets: Count; bytes: Count }): { packets: Count; bytes: Count } {
    if (this.wasReset(total.packets)) {
      this.members.clear();
      this.credited = { packets: 0, bytes: 0 };
    }
    this.lastTotal = total.packets;
    const next = new Map<string, Membership>();
    let attributedPackets = this.credited.packets;
    let attributedBytes = this.credited.bytes;
    for (const d of top) {
      const member = this.members.get(d.address)
        ?? { joinPackets: d.packets, joinBytes: d.bytes, lastPackets: d.packets, lastBytes: d.bytes };
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
    return { packets: subtractCounts(total.packets, attributedPackets), bytes: subtractCounts(total.bytes, attributedBytes) };
  }
}
