// What the left side of an `and` proves about a field holds on its right side: after
// `ether[12:2] = 0x800 or ether[12:2] = 0x806` the same field cannot be 0x86dd. libpcap's
// optimizer finds these by value numbering; without them `ip and ip6` would compile to a test
// that never holds, where libpcap says "expression rejects all packets" (and fibscope must list
// the link type as refused). Dropping a test on a field already read is safe for truncated
// frames too: the first read would have rejected the packet already.
import { and, not, or, type Cond } from './ir.js';

/** field (a value expression, as JSON) → the values it can still have */
type Facts = Map<string, Set<number>>;

function equalityOf(c: Cond): { field: string; value: number } | undefined {
  if (c.t !== 'cmp' || c.op !== 'eq' || c.b.v !== 'const' || c.a.v === 'const') return undefined;
  return { field: JSON.stringify(c.a), value: c.b.n };
}

function both(left: Facts, right: Facts): Facts {
  const out = new Map(left);
  for (const [field, values] of right) {
    const known = out.get(field);
    out.set(field, known ? new Set([...values].filter((v) => known.has(v))) : values);
  }
  return out;
}

function either(left: Facts, right: Facts): Facts {
  const out: Facts = new Map();
  for (const [field, values] of left) {
    const other = right.get(field);
    if (other) out.set(field, new Set([...values, ...other]));
  }
  return out;
}

/** facts that hold whenever `c` is true */
function factsOf(c: Cond): Facts {
  const equality = equalityOf(c);
  if (equality) return new Map([[equality.field, new Set([equality.value])]]);
  if (c.t === 'and') return both(factsOf(c.a), factsOf(c.b));
  if (c.t === 'or') return either(factsOf(c.a), factsOf(c.b));
  return new Map();
}

function simplify(c: Cond, facts: Facts): Cond {
  switch (c.t) {
    case 'const': return c;
    case 'cmp': {
      const equality = equalityOf(c);
      const known = equality && facts.get(equality.field);
      if (!equality || !known) return c;
      if (!known.has(equality.value)) return { t: 'const', value: false };
      return known.size === 1 ? { t: 'const', value: true } : c;
    }
    case 'not': return not(simplify(c.a, facts));
    case 'or': {
      // `f = a or f = b` when f is known to be a or b (BSD loopback's two byte orders)
      const alternatives = disjuncts(c).map(equalityOf);
      const field = alternatives[0]?.field;
      const known = field === undefined ? undefined : facts.get(field);
      if (known && alternatives.every((e) => e?.field === field) && [...known].every((v) => alternatives.some((e) => e!.value === v))) {
        return { t: 'const', value: true };
      }
      return or(simplify(c.a, facts), simplify(c.b, facts));
    }
    case 'and': {
      const a = simplify(c.a, facts);
      return and(a, simplify(c.b, both(facts, factsOf(a))));
    }
  }
}

function disjuncts(c: Cond): Cond[] {
  return c.t === 'or' ? [...disjuncts(c.a), ...disjuncts(c.b)] : [c];
}

export function foldKnownValues(c: Cond): Cond {
  return simplify(c, new Map());
}
