// The covering routes of the overlay table (docs/compare.md): for every prefix of either table,
// the route each table's own lookup answers for every address of that prefix. A sort of the
// union and one walk with a stack, not a lookup per prefix.

/** A prefix of one table and the route (id) its lookups answer for exactly that prefix. */
export interface TablePrefix {
  family: 4 | 6;
  length: number;
  /** The network address as an unsigned integer of 32 (IPv4) or 128 (IPv6) bits, host bits clear. */
  address: bigint;
  route: number;
}

/** A prefix of the union and, for each table, the longest of its prefixes containing it (-1: none). */
export interface CoveredPrefix {
  family: 4 | 6;
  length: number;
  address: bigint;
  before: number;
  after: number;
}

const NONE = -1;

/**
 * Every distinct prefix of `before` and `after` with its covering pair: the route of the longest
 * prefix of each table of length at most its own that contains it. Any address's longest match
 * among these prefixes then carries (lookup in before, lookup in after) for that address: a
 * longer prefix of either table containing the address would be in the union itself.
 */
export function coveringPairs(before: readonly TablePrefix[], after: readonly TablePrefix[]): CoveredPrefix[] {
  const byKey = new Map<string, CoveredPrefix>();
  const own = (prefix: TablePrefix) => {
    const key = `${prefix.family}/${prefix.address}/${prefix.length}`;
    let entry = byKey.get(key);
    if (!entry) byKey.set(key, (entry = { family: prefix.family, length: prefix.length, address: prefix.address, before: NONE, after: NONE }));
    return entry;
  };
  // own routes first: -1 marks "not a prefix of that table" until the walk fills it in
  const ownBefore = new Set<CoveredPrefix>();
  const ownAfter = new Set<CoveredPrefix>();
  for (const prefix of before) {
    const entry = own(prefix);
    entry.before = prefix.route;
    ownBefore.add(entry);
  }
  for (const prefix of after) {
    const entry = own(prefix);
    entry.after = prefix.route;
    ownAfter.add(entry);
  }
  const union = [...byKey.values()];
  // family, then address, then length: a prefix comes right after the prefixes containing it
  union.sort((a, b) => a.family - b.family || (a.address < b.address ? -1 : a.address > b.address ? 1 : 0) || a.length - b.length);
  const stack: CoveredPrefix[] = [];
  for (const entry of union) {
    while (stack.length > 0 && !contains(stack[stack.length - 1], entry)) stack.pop();
    const parent = stack[stack.length - 1];
    if (!ownBefore.has(entry)) entry.before = parent ? parent.before : NONE;
    if (!ownAfter.has(entry)) entry.after = parent ? parent.after : NONE;
    stack.push(entry);
  }
  return union;
}

/** Whether `outer` contains `inner` (same family, no longer, same leading bits). */
function contains(outer: CoveredPrefix, inner: CoveredPrefix): boolean {
  if (outer.family !== inner.family || outer.length > inner.length) return false;
  const shift = BigInt((outer.family === 4 ? 32 : 128) - outer.length);
  return (inner.address >> shift) === (outer.address >> shift);
}
