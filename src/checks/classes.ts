// The bogon classes as bits of one mask, the same numbers as assembly/checks/bogons.ts. An
// address's mask says what it is; whether it is the source or the destination of a packet
// decides which bit a check reads (docs/checks.md).

/** Not valid as the source of a packet on the Internet (counted as `bogon-source`). */
export const BOGON_SOURCE = 1;
/** Not valid as the destination of a packet on the Internet (counted as `bogon-destination`). */
export const BOGON_DESTINATION = 2;
/** Private-use space (RFC 1918, RFC 4193 ULA): its own class, `private-source`, never a bogon bit too. */
export const PRIVATE = 4;

export const BOGON_BOTH = BOGON_SOURCE | BOGON_DESTINATION;

/** Names of a mask's classes, for messages and tests: 'bogon-source', 'bogon-destination', 'private'. */
export function classNames(mask: number): string[] {
  const names: string[] = [];
  if (mask & BOGON_SOURCE) names.push('bogon-source');
  if (mask & BOGON_DESTINATION) names.push('bogon-destination');
  if (mask & PRIVATE) names.push('private');
  return names;
}
