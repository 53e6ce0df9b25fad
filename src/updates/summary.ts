/** The report's `updates` section (docs/report.md, docs/updates.md): what an update stream did. */
export interface UpdatesReport {
  /** The stream's file name. */
  source: string;
  /** Updates applied: every one at or before the capture's last counted record. */
  applied: number;
  /** Withdrawals (del) that found no route to remove: counted, not fatal. */
  withdrawnNothing: number;
  /** Where the first of them was read (`FILE:LINE`). */
  firstWithdrawnNothing?: string;
  /** With --allow-unordered: how many updates were earlier than the one before them, and the first. */
  unordered?: { updates: number; first: string };
  /** Lines read but not applied, by kind (`BGP4MP STATE`, `BGP4MP of other peers`). */
  skipped: Record<string, number>;
  /** Updates later than the capture's last record: not applied. */
  pending: number;
  /** Present when the stream broke off (a truncated MRT record): where and why. */
  truncated?: { where: string; reason: string };
}
