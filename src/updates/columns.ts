// An update stream in columns: what every reader produces and what the applier reads. One
// typed-array entry per update (time, verb, prefix key, attributes as the number of a shared
// object, where it was read) instead of one object each: a stream of 100,000 updates is a few
// megabytes of arrays the garbage collector never walks, and its `RouteUpdate` objects are made
// only if someone asks for them (UpdateStream.updates).
import { FibscopeArgumentError } from '../errors.js';
import { createPrefixBuffer, formatIPv4, formatIPv6, maskV4, maskV6, PREFIX_OK, prefixErrorReason, scanPrefix } from '../net/address.js';
import type { RouteAttributes } from '../routes/route.js';
import { widened } from '../routes/route-list.js';
import type { RouteUpdate, UpdateStream, UpdateStreamNotes } from './types.js';

/** The verb of an update: its number in the `op` column. */
export const OP_ADD = 0;
export const OP_REPLACE = 1;
export const OP_DEL = 2;
const KINDS: readonly RouteUpdate['kind'][] = ['add', 'replace', 'del'];

/** No attributes: entry 0 of `attributeList`. */
export const NO_ATTRIBUTES = 0;

export class UpdateColumns {
  count = 0;
  seconds = new Uint32Array(1024);
  nanoseconds = new Uint32Array(1024);
  op = new Uint8Array(1024);
  family = new Uint8Array(1024);
  length = new Uint8Array(1024);
  /** IPv4 prefixes: the address, host order, host bits cleared. */
  v4 = new Uint32Array(1024);
  /** IPv6 prefixes: 16 network-order bytes each, host bits cleared. */
  v6 = new Uint8Array(1024 * 16);
  /** The number of the update's attributes in `attributeList` (NO_ATTRIBUTES: none). */
  attributes = new Uint32Array(1024);
  /** Distinct attribute objects, shared by the updates that have the same (entry 0: none). */
  readonly attributeList: (RouteAttributes | undefined)[] = [undefined];
  /** Where each update was read: a line number (`FILE:LINE`), or the number of a text in `whereTexts`. */
  where = new Uint32Array(1024);
  /** Set when `where` numbers texts rather than lines (MRT's `FILE@OFFSET`, streams built from objects). */
  readonly whereTexts: string[] | undefined;

  constructor(readonly source: string, whereByText = false) {
    this.whereTexts = whereByText ? [] : undefined;
  }

  /** Appends an update whose prefix is already in `key` (a PrefixBuffer from scanPrefix); host bits are cleared here. */
  push(seconds: number, nanoseconds: number, op: number, key: { family: number; length: number; v4: number; v6: Uint8Array },
    attributes: number, where: number): void {
    const i = this.count;
    if (i === this.op.length) this.grow();
    this.seconds[i] = seconds;
    this.nanoseconds[i] = nanoseconds;
    this.op[i] = op;
    this.family[i] = key.family;
    this.length[i] = key.length;
    this.writeKey(i, key);
    this.attributes[i] = attributes;
    this.where[i] = where;
    this.count = i + 1;
  }

  /** Sets the prefix and attributes of update `i` (a reader that parses some routes after the rest). */
  setRoute(i: number, key: { family: number; length: number; v4: number; v6: Uint8Array }, attributes: number): void {
    this.family[i] = key.family;
    this.length[i] = key.length;
    this.writeKey(i, key);
    this.attributes[i] = attributes;
  }

  private writeKey(i: number, key: { family: number; length: number; v4: number; v6: Uint8Array }): void {
    if (key.family === 4) this.v4[i] = maskV4(key.v4, key.length);
    else {
      this.v6.set(key.v6.subarray(0, 16), i * 16);
      maskV6(this.v6, i * 16, key.length);
    }
  }

  /** Takes `count` updates whose columns were read elsewhere (update-lines-wasm.ts), in place of any it held. */
  adopt(count: number, parts: Pick<UpdateColumns, 'seconds' | 'nanoseconds' | 'op' | 'family' | 'length' | 'v4' | 'v6' | 'attributes' | 'where'>): void {
    this.count = count;
    this.seconds = parts.seconds;
    this.nanoseconds = parts.nanoseconds;
    this.op = parts.op;
    this.family = parts.family;
    this.length = parts.length;
    this.v4 = parts.v4;
    this.v6 = parts.v6;
    this.attributes = parts.attributes;
    this.where = parts.where;
  }

  /** Adds an attribute object and returns its number (callers intern: one object per distinct value). */
  addAttributes(attributes: RouteAttributes | undefined): number {
    if (attributes === undefined) return NO_ATTRIBUTES;
    this.attributeList.push(attributes);
    return this.attributeList.length - 1;
  }

  /** Adds a `where` text (for streams that say where by text) and returns its number. */
  addWhere(text: string): number {
    const texts = this.whereTexts!;
    // an MRT record's updates share one text
    if (texts.length > 0 && texts[texts.length - 1] === text) return texts.length - 1;
    texts.push(text);
    return texts.length - 1;
  }

  whereOf(i: number): string {
    return this.whereTexts ? this.whereTexts[this.where[i]] : `${this.source}:${this.where[i]}`;
  }

  kindOf(i: number): RouteUpdate['kind'] {
    return KINDS[this.op[i]];
  }

  /** `a.b.c.d/len` or the IPv6 form, as fibscope writes prefixes (host bits cleared). */
  prefixOf(i: number): string {
    return this.family[i] === 4 ? `${formatIPv4(this.v4[i])}/${this.length[i]}` : `${formatIPv6(this.v6, i * 16)}/${this.length[i]}`;
  }

  /** Update `i` as an object. */
  update(i: number): RouteUpdate {
    return {
      seconds: this.seconds[i], nanoseconds: this.nanoseconds[i], kind: this.kindOf(i), prefix: this.prefixOf(i),
      attributes: this.attributeList[this.attributes[i]], where: this.whereOf(i),
    };
  }

  private grow(): void {
    const size = this.op.length * 2;
    this.seconds = widened(this.seconds, size);
    this.nanoseconds = widened(this.nanoseconds, size);
    this.op = widened(this.op, size);
    this.family = widened(this.family, size);
    this.length = widened(this.length, size);
    this.v4 = widened(this.v4, size);
    this.v6 = widened(this.v6, size * 16);
    this.attributes = widened(this.attributes, size);
    this.where = widened(this.where, size);
  }
}

/**
 * An UpdateStream over columns: `updates` is made from them on first read (and kept), for
 * library callers and tests; the applier reads `columns`.
 */
export function columnStream(columns: UpdateColumns, notes: UpdateStreamNotes, truncated?: UpdateStream['truncated']): UpdateStream {
  let made: RouteUpdate[] | undefined;
  const stream = {
    source: columns.source,
    columns,
    notes,
    ...(truncated ? { truncated } : {}),
  } as UpdateStream;
  Object.defineProperty(stream, 'updates', {
    enumerable: true,
    get: () => (made ??= Array.from({ length: columns.count }, (_, i) => columns.update(i))),
  });
  return stream;
}

const scratchKey = createPrefixBuffer();

/**
 * The columns of a stream: its own, or made from its `updates` (a stream a caller built of
 * objects). A prefix that is not one throws FibscopeArgumentError naming the update.
 */
export function columnsOf(stream: UpdateStream): UpdateColumns {
  if (stream.columns) return stream.columns;
  const columns = new UpdateColumns(stream.source, true);
  const numbers = new Map<RouteAttributes, number>();
  for (const update of stream.updates) {
    const prefix = update.prefix === 'default' ? '0.0.0.0/0' : update.prefix;
    const status = typeof prefix === 'string' ? scanPrefix(prefix, 0, prefix.length, scratchKey) : -1;
    if (status !== PREFIX_OK) {
      const reason = typeof prefix === 'string' ? prefixErrorReason(status, prefix) : `a prefix must be a string, got ${typeof prefix}`;
      throw new FibscopeArgumentError(`${update.where}: ${reason}`);
    }
    const op = KINDS.indexOf(update.kind);
    if (op < 0) throw new FibscopeArgumentError(`${update.where}: an update is 'add', 'replace' or 'del', got ${String(update.kind)}`);
    let attributes = NO_ATTRIBUTES;
    if (update.attributes !== undefined) {
      attributes = numbers.get(update.attributes) ?? columns.addAttributes(update.attributes);
      numbers.set(update.attributes, attributes);
    }
    columns.push(update.seconds, update.nanoseconds, op, scratchKey, attributes, columns.addWhere(update.where));
  }
  return columns;
}
