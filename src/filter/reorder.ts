// Where a load outside the captured bytes rejects the packet, the ORDER of tests decides the
// answer for truncated frames. libpcap's optimizer merges the common tests of alternatives and
// tests every constant against a loaded field before the next load: `host a or b` checks the
// source against a and b before it reads the destination. This pass reorders alternatives the
// same way (results on whole frames are unchanged: `or` of side-effect-free tests commutes):
//   (X and P) or (X and Q)   →  X and (P or Q)
//   f=a or g=a or f=b        →  f=a or f=b or g=a
import { and, or, type Cond, type Value } from './ir.js';

function key(c: Cond | Value): string {
  return JSON.stringify(c);
}

/** and-chains as lists of conjuncts */
function conjuncts(c: Cond): Cond[] {
  return c.t === 'and' ? [...conjuncts(c.a), ...conjuncts(c.b)] : [c];
}

function disjuncts(c: Cond): Cond[] {
  return c.t === 'or' ? [...disjuncts(c.a), ...disjuncts(c.b)] : [c];
}

function andAll(parts: Cond[]): Cond {
  return parts.reduceRight((rest, part) => and(part, rest));
}

function orAll(parts: Cond[]): Cond {
  return parts.reduceRight((rest, part) => or(part, rest));
}

/** the load a test reads first, for grouping tests on one field */
function fieldOf(c: Cond): string | undefined {
  if (c.t !== 'cmp') return undefined;
  let value = c.a;
  while (value.v === 'arith') value = value.a;
  return value.v === 'load' ? key(value) : undefined;
}

export function reorderLikeLibpcap(c: Cond): Cond {
  switch (c.t) {
    case 'const': case 'cmp': return c;
    case 'not': return { t: 'not', a: reorderLikeLibpcap(c.a) };
    case 'and': return andAll(conjuncts(c).map(reorderLikeLibpcap));
    case 'or': {
      const alternatives = disjuncts(c).map(reorderLikeLibpcap);
      // group alternatives by their first conjunct, in order of first appearance
      const groups = new Map<string, { head: Cond; tails: Cond[]; field?: string }>();
      for (const alternative of alternatives) {
        const [head, ...tail] = conjuncts(alternative);
        const id = key(head);
        const group = groups.get(id);
        if (!group) groups.set(id, { head, tails: [tail.length ? andAll(tail) : { t: 'const', value: true }], field: tail.length ? undefined : fieldOf(head) });
        else group.tails.push(tail.length ? andAll(tail) : { t: 'const', value: true });
      }
      const merged = [...groups.values()].map((g) => g.tails.length === 1
        ? (g.tails[0].t === 'const' ? g.head : and(g.head, g.tails[0]))
        : and(g.head, reorderLikeLibpcap(orAll(g.tails))));
      // bare tests on the same field next to each other
      const byField = new Map<string, Cond[]>();
      const order: string[] = [];
      merged.forEach((m, i) => {
        const field = fieldOf(m) ?? `#${i}`;
        if (!byField.has(field)) { byField.set(field, []); order.push(field); }
        byField.get(field)!.push(m);
      });
      return orAll(order.flatMap((f) => byField.get(f)!));
    }
  }
}
