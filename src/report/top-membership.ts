// The accounting behind per-destination series with an `other` bucket, shared by `analyze -f
// prom` (prom.ts, on a whole report) and `serve`'s /metrics (top K picked in WebAssembly).
//
// A destination's series counts what it counted as a member of the top K: from the scrape it
// joined at (where its series starts at 0), or, for the members of the first scrape after the
// counting started or was reset, its whole count (no earlier value of any series was shown).
// `other` is counted minus the K series: everything else. So at every scrape
//   - the K series plus `other` add up to counted, exactly;
//   - no series goes down: a joining member starts at 0, so `other` keeps its count; a member
//     that leaves drops out and `other` takes its count (grows); between scrapes `other` gains
//     what every non-member counted. A destination that leaves and joins again starts again at
//     0 (a new series as a scraper sees it: the drop reads as a counter reset, not a spike).
// Only a reset of the counters lowers series, as it lowers counted. A reset is seen when counted
// or a member's count went down since the last scrape; one followed by more than was counted
// before it, before the next scrape, looks like growth (to this as to any Prometheus counter).
import type { Count } from '../analyze/report.js';
import { compareCounts, subtractCounts } from './count.js';

export interface Counted { address: string; packets: Count; bytes: Count }

/** A member's counts when its series started (0 for a first-scrape member), and at the last scrape. */
interface Membership { joinPackets: Count; joinBytes: Count; lastPackets: Count }

export interface MembershipSample {
  /** Each member's series value, in the order of `top`. */
  members: { packets: Count; bytes: Count }[];
  /** Counted minus the members' series. */
  other: { packets: Count; bytes: Count };
}

export class TopMembership {
  private members = new Map<string, Membership>();
  private lastTotal: Count = 0;
  /** No scrape since the counting started or was reset: members start with their whole counts. */
  private fresh = true;

  has(address: string): boolean {
    return this.members.has(address);
  }

  /** True when `totalPackets` went down since the last advance: the counters were reset. */
  wasReset(totalPackets: Count): boolean {
    return compareCounts(totalPackets, this.lastTotal) < 0;
  }

  private countWentDown(d: Counted): boolean {
    const member = this.members.get(d.address);
    return member !== undefined && compareCounts(d.packets, member.lastPackets) < 0;
  }

  /**
   * Moves the membership on to `top` (this scrape's top K, with every destination's whole counts)
   * given the totals of all destinations; returns each member's series and `other`. A reset of the
   * counters (the total went down) starts the accounting afresh.
   */
  advance(top: readonly Counted[], total: { packets: Count; bytes: Count }): MembershipSample {
    // a member whose count went down was reset too (the total may have grown past its old value)
    if (this.wasReset(total.packets) || top.some((d) => this.countWentDown(d))) {
      this.members.clear();
      this.fresh = true;
    }
    this.lastTotal = total.packets;
    const next = new Map<string, Membership>();
    const members: { packets: Count; bytes: Count }[] = [];
    let otherPackets = total.packets;
    let otherBytes = total.bytes;
    for (const d of top) {
      const member = this.members.get(d.address)
        ?? (this.fresh ? { joinPackets: 0, joinBytes: 0, lastPackets: 0 } : { joinPackets: d.packets, joinBytes: d.bytes, lastPackets: 0 });
      member.lastPackets = d.packets;
      next.set(d.address, member);
      const series = { packets: subtractCounts(d.packets, member.joinPackets), bytes: subtractCounts(d.bytes, member.joinBytes) };
      members.push(series);
      otherPackets = subtractCounts(otherPackets, series.packets);
      otherBytes = subtractCounts(otherBytes, series.bytes);
    }
    this.members = next;
    this.fresh = false;
    return { members, other: { packets: otherPackets, bytes: otherBytes } };
  }
}

