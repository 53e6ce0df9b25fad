/**
 * The slow, obviously correct longest-prefix match the WebAssembly table is checked against:
 * one Map per prefix length, searched longest first. Addresses are BigInt (IPv4 and IPv6 alike);
 * map keys are their hex text, because V8 hashes a BigInt by its low bits, which masked IPv6
 * prefixes share, and a Map of them degrades to a list.
 * Among routes of one prefix the lowest metric wins, then the one given last.
 */
interface Entry {
  id: number;
  metric: number;
  order: number;
}

export class ReferenceLpm {
  private readonly bits: number;
  private readonly byLength = new Map<number, Map<string, Entry[]>>();
  private readonly where = new Map<number, { key: string; length: number }>();
  private order = 0;
  /** Prefix lengths in use, longest first; undefined when it must be recomputed. */
  private lengths: number[] | undefined;

  constructor(bits: 32 | 128) {
    this.bits = bits;
  }

  private mask(address: bigint, length: number): string {
    if (length === 0) return '0';
    const hostBits = BigInt(this.bits - length);
    return ((address >> hostBits) << hostBits).toString(16);
  }

  /** Records route `id` for address/length (host bits ignored); an id given again is re-given. */
  add(id: number, address: bigint, length: number, metric: number): void {
    this.remove(id);
    const key = this.mask(address, length);
    let table = this.byLength.get(length);
    if (!table) this.byLength.set(length, (table = new Map()));
    this.lengths = undefined;
    const list = table.get(key) ?? [];
    list.push({ id, metric, order: this.order++ });
    table.set(key, list);
    this.where.set(id, { key, length });
  }

  remove(id: number): void {
    const at = this.where.get(id);
    if (!at) return;
    const table = this.byLength.get(at.length)!;
    const list = table.get(at.key)!.filter((entry) => entry.id !== id);
    if (list.length === 0) table.delete(at.key); else table.set(at.key, list);
    if (table.size === 0) {
      this.byLength.delete(at.length);
      this.lengths = undefined;
    }
    this.where.delete(id);
  }

  lookup(address: bigint): number {
    this.lengths ??= [...this.byLength.keys()].sort((a, b) => b - a);
    for (const length of this.lengths) {
      const list = this.byLength.get(length)?.get(this.mask(address, length));
      if (list) {
        let best = list[0];
        for (const entry of list) {
          if (entry.metric < best.metric || (entry.metric === best.metric && entry.order > best.order)) best = entry;
        }
        return best.id;
      }
    }
    return -1;
  }

  get size(): number {
    return this.where.size;
  }
}

export function v6ToBigInt(bytes: Uint8Array, offset = 0): bigint {
  let value = 0n;
  for (let i = 0; i < 16; i++) value = (value << 8n) | BigInt(bytes[offset + i]);
  return value;
}

export function bigIntToV6(value: bigint, out = new Uint8Array(16), offset = 0): Uint8Array {
  for (let i = 15; i >= 0; i--) {
    out[offset + i] = Number(value & 0xffn);
    value >>= 8n;
  }
  return out;
}
