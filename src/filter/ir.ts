// The small IR between the syntax tree and WebAssembly: boolean tests over values read from the
// frame at fixed (or computed) offsets. Constructors fold constants, so a primitive that cannot
// hold on a link type (`arp` on raw IP) disappears, and a whole filter that folds to `false` is
// the "expression rejects all packets" that libpcap refuses.

export type Value =
  | { v: 'const'; n: number }
  | { v: 'len' }
  /** big-endian field of `size` bytes at frame offset `offset`; out of the captured bytes rejects the packet */
  | { v: 'load'; size: 1 | 2 | 4; offset: Value }
  /** 4 * (low nibble of the byte at `at`): the IPv4 header length (BPF's `ldxb 4*([k]&0xf)`) */
  | { v: 'ipHeaderLength'; at: number }
  | { v: 'arith'; op: '+' | '-' | '*' | '/' | '%' | '&' | '|' | '^' | '<<' | '>>'; a: Value; b: Value };

export type Cond =
  | { t: 'const'; value: boolean }
  | { t: 'and' | 'or'; a: Cond; b: Cond }
  | { t: 'not'; a: Cond }
  /** unsigned compare of two values */
  | { t: 'cmp'; op: 'eq' | 'gt' | 'ge'; a: Value; b: Value };

export const TRUE: Cond = { t: 'const', value: true };
export const FALSE: Cond = { t: 'const', value: false };

export function constant(n: number): Value {
  return { v: 'const', n: n >>> 0 };
}

export function load(size: 1 | 2 | 4, offset: number | Value): Value {
  return { v: 'load', size, offset: typeof offset === 'number' ? constant(offset) : offset };
}

export function arith(op: Extract<Value, { v: 'arith' }>['op'], a: Value, b: Value): Value {
  if (a.v === 'const' && b.v === 'const') {
    const x = a.n, y = b.n;
    switch (op) {
      case '+': return constant(x + y);
      case '-': return constant(x - y);
      case '*': return constant(Math.imul(x, y));
      case '/': if (y !== 0) return constant(Math.floor(x / y)); break;
      case '%': if (y !== 0) return constant(x % y); break;
      case '&': return constant(x & y);
      case '|': return constant(x | y);
      case '^': return constant(x ^ y);
      case '<<': return constant(y < 32 ? x << y : 0);
      case '>>': return constant(y < 32 ? x >>> y : 0);
    }
  }
  // offsets fold into the load's constant part: `x + 14` stays one add
  if (op === '+' && a.v === 'const' && a.n === 0) return b;
  if (op === '+' && b.v === 'const' && b.n === 0) return a;
  return { v: 'arith', op, a, b };
}

export function and(a: Cond, b: Cond): Cond {
  if (a.t === 'const') return a.value ? b : FALSE;
  if (b.t === 'const') return b.value ? a : FALSE;
  return { t: 'and', a, b };
}

export function or(a: Cond, b: Cond): Cond {
  if (a.t === 'const') return a.value ? TRUE : b;
  if (b.t === 'const') return b.value ? TRUE : a;
  return { t: 'or', a, b };
}

export function not(a: Cond): Cond {
  if (a.t === 'const') return { t: 'const', value: !a.value };
  if (a.t === 'not') return a.a;
  return { t: 'not', a };
}

export function cmp(op: 'eq' | 'gt' | 'ge', a: Value, b: Value): Cond {
  if (a.v === 'const' && b.v === 'const') {
    return { t: 'const', value: op === 'eq' ? a.n === b.n : op === 'gt' ? a.n > b.n : a.n >= b.n };
  }
  // a field masked to nothing equals zero whatever the packet: libpcap's optimizer drops the load too
  if (op === 'eq' && a.v === 'arith' && a.op === '&' && a.b.v === 'const' && a.b.n === 0 && b.v === 'const') {
    return { t: 'const', value: b.n === 0 };
  }
  return { t: 'cmp', op, a, b };
}

/** `field & mask == value` (the mask left out when it is all ones), as libpcap's gen_mcmp. */
export function maskedEquals(field: Value, mask: number, value: number): Cond {
  const full = field.v === 'load' ? 2 ** (8 * field.size) - 1 : 0xffffffff;
  return cmp('eq', (mask >>> 0) === full ? field : arith('&', field, constant(mask)), constant(value & mask));
}
