/**
 * A small WebAssembly binary emitter: enough to build classifier functions at run time.
 *
 * API (stable; the filter and rule-set compilers build on it):
 *   const module = new ModuleBuilder();             // imports `env.memory` (min 0 pages, no maximum)
 *   const body = module.addFunction([I32, I32], [I32]);   // params, results → a FunctionBuilder
 *   const scratch = body.addLocal(I32);             // locals are numbered after the params
 *   body.localGet(0).i32Load8U(3).i32Const(1).i32Eq().end();   // `end()` closes the body
 *   module.exportFunction('filter', body.index);
 *   const bytes = module.toBytes();                 // Uint8Array, ready for WebAssembly.compile
 *
 * The body builder is a stack-machine assembler with one method per instruction (chainable), plus:
 *   - `depth`: the number of open blocks; `brTo(label)` / `brIfTo(label)` branch to the block that
 *     was innermost when `label = body.depth` was taken just after opening it, so callers need not
 *     count nesting by hand.
 *   - big-endian loads for packet fields, `loadBe16(offset)` / `loadBe32(offset)`: a byte-by-byte load
 *     combined with shifts (no alignment assumptions; the address on the stack is the field's start).
 * Memory immediates use alignment 0 (packets are not aligned). Nothing is validated here beyond
 * closing every block: check the output with `WebAssembly.validate` in tests.
 */
import { encodeSigned32, encodeSigned64, encodeUnsigned } from './leb128.js';

/** Value types. */
export const I32 = 0x7f;
export const I64 = 0x7e;
export type ValueType = typeof I32 | typeof I64;
/** Block types: no result, or one value. */
export const VOID = 0x40;
export type BlockType = typeof VOID | ValueType;

const SECTION = { type: 1, import: 2, function: 3, export: 7, code: 10 } as const;

function utf8Name(name: string): number[] {
  const bytes = new TextEncoder().encode(name);
  return [...encodeUnsigned(bytes.length), ...bytes];
}

function vector(items: number[][]): number[] {
  return [...encodeUnsigned(items.length), ...items.flat()];
}

export class ModuleBuilder {
  private readonly types: { params: ValueType[]; results: ValueType[] }[] = [];
  private readonly functions: FunctionBuilder[] = [];
  private readonly exports: { name: string; functionIndex: number }[] = [];

  /** The index of the function type (params → results), reusing an identical one. */
  addType(params: ValueType[], results: ValueType[]): number {
    const key = `${params.join(',')}>${results.join(',')}`;
    const found = this.types.findIndex((t) => `${t.params.join(',')}>${t.results.join(',')}` === key);
    if (found >= 0) return found;
    this.types.push({ params: [...params], results: [...results] });
    return this.types.length - 1;
  }

  /** A new function; its index (for `call` and exports) is `body.index`. Finish it with `end()`. */
  addFunction(params: ValueType[], results: ValueType[]): FunctionBuilder {
    const body = new FunctionBuilder(this.functions.length, this.addType(params, results), params.length);
    this.functions.push(body);
    return body;
  }

  exportFunction(name: string, functionIndex: number): void {
    if (this.exports.some((e) => e.name === name)) throw new Error(`duplicate export ${name}`);
    this.exports.push({ name, functionIndex });
  }

  toBytes(): Uint8Array<ArrayBuffer> {
    const sections: number[] = [];
    const section = (id: number, content: number[]) => sections.push(id, ...encodeUnsigned(content.length), ...content);
    section(SECTION.type, vector(this.types.map((t) => [0x60, ...vector(t.params.map((p) => [p])), ...vector(t.results.map((r) => [r]))])));
    // The analyzer's memory: min 0 pages, no maximum, so any memory the host passes fits.
    section(SECTION.import, vector([[...utf8Name('env'), ...utf8Name('memory'), 0x02, 0x00, 0x00]]));
    section(SECTION.function, vector(this.functions.map((f) => encodeUnsigned(f.typeIndex))));
    section(SECTION.export, vector(this.exports.map((e) => [...utf8Name(e.name), 0x00, ...encodeUnsigned(e.functionIndex)])));
    section(SECTION.code, vector(this.functions.map((f) => {
      const code = f.encode();
      return [...encodeUnsigned(code.length), ...code];
    })));
    const out = new Uint8Array(8 + sections.length);
    out.set([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
    out.set(sections, 8);
    return out;
  }
}

export class FunctionBuilder {
  private readonly code: number[] = [];
  private readonly locals: ValueType[] = [];
  private openBlocks = 0;
  private finished = false;

  constructor(readonly index: number, readonly typeIndex: number, private readonly paramCount: number) {}

  /** A new local of `type`, numbered after the params and earlier locals. */
  addLocal(type: ValueType): number {
    this.locals.push(type);
    return this.paramCount + this.locals.length - 1;
  }

  /** Open blocks (block/loop/if) right now: take it just after opening a block to name that block. */
  get depth(): number {
    return this.openBlocks;
  }

  private op(...bytes: number[]): this {
    if (this.finished) throw new Error('function body already ended');
    this.code.push(...bytes);
    return this;
  }

  private memory(opcode: number, offset: number): this {
    return this.op(opcode, 0x00, ...encodeUnsigned(offset));
  }

  // Constants and locals
  i32Const(value: number): this { return this.op(0x41, ...encodeSigned32(value)); }
  i64Const(value: bigint): this { return this.op(0x42, ...encodeSigned64(value)); }
  localGet(index: number): this { return this.op(0x20, ...encodeUnsigned(index)); }
  localSet(index: number): this { return this.op(0x21, ...encodeUnsigned(index)); }
  localTee(index: number): this { return this.op(0x22, ...encodeUnsigned(index)); }

  // Memory (address on the stack, constant offset added)
  i32Load(offset = 0): this { return this.memory(0x28, offset); }
  i64Load(offset = 0): this { return this.memory(0x29, offset); }
  i32Load8U(offset = 0): this { return this.memory(0x2d, offset); }
  i32Load16U(offset = 0): this { return this.memory(0x2f, offset); }

  /** Network-order u16 at address+offset: two byte loads and a shift. Consumes the address. */
  loadBe16(offset = 0, scratch?: number): this {
    const address = scratch ?? this.addLocal(I32);
    return this.localTee(address).i32Load8U(offset).i32Const(8).i32Shl()
      .localGet(address).i32Load8U(offset + 1).i32Or();
  }

  /** Network-order u32 at address+offset: a little-endian load, then a byte swap. Consumes the address. */
  loadBe32(offset = 0, scratch?: number): this {
    const value = scratch ?? this.addLocal(I32);
    // bswap32(v) = rotl(v & 0xff00ff00, 8) | rotr(v & 0x00ff00ff, 8)
    return this.i32Load(offset).localTee(value).i32Const(0xff00ff00 | 0).i32And().i32Const(8).i32Rotl()
      .localGet(value).i32Const(0x00ff00ff).i32And().i32Const(8).i32Rotr().i32Or();
  }

  // i32 arithmetic and logic
  i32Add(): this { return this.op(0x6a); }
  i32Sub(): this { return this.op(0x6b); }
  i32Mul(): this { return this.op(0x6c); }
  i32DivU(): this { return this.op(0x6e); }
  i32RemU(): this { return this.op(0x70); }
  i32And(): this { return this.op(0x71); }
  i32Or(): this { return this.op(0x72); }
  i32Xor(): this { return this.op(0x73); }
  i32Shl(): this { return this.op(0x74); }
  i32ShrU(): this { return this.op(0x76); }
  i32Rotl(): this { return this.op(0x77); }
  i32Rotr(): this { return this.op(0x78); }
  // i32 compares (unsigned where it matters: packet fields are unsigned)
  i32Eqz(): this { return this.op(0x45); }
  i32Eq(): this { return this.op(0x46); }
  i32Ne(): this { return this.op(0x47); }
  i32LtU(): this { return this.op(0x49); }
  i32GtU(): this { return this.op(0x4b); }
  i32LeU(): this { return this.op(0x4d); }
  i32GeU(): this { return this.op(0x4f); }
  // i64 (128-bit addresses as two halves)
  i64And(): this { return this.op(0x83); }
  i64Or(): this { return this.op(0x84); }
  i64Xor(): this { return this.op(0x85); }
  i64Add(): this { return this.op(0x7c); }
  i64Shl(): this { return this.op(0x86); }
  i64ShrU(): this { return this.op(0x88); }
  i64Eqz(): this { return this.op(0x50); }
  i64Eq(): this { return this.op(0x51); }
  i64Ne(): this { return this.op(0x52); }
  i64LtU(): this { return this.op(0x54); }
  i64GtU(): this { return this.op(0x56); }
  i64LeU(): this { return this.op(0x58); }
  i64GeU(): this { return this.op(0x5a); }
  i32WrapI64(): this { return this.op(0xa7); }
  i64ExtendI32U(): this { return this.op(0xad); }

  // Control
  block(type: BlockType = VOID): this { this.openBlocks++; return this.op(0x02, type); }
  loop(type: BlockType = VOID): this { this.openBlocks++; return this.op(0x03, type); }
  if(type: BlockType = VOID): this { this.openBlocks++; return this.op(0x04, type); }
  else(): this { return this.op(0x05); }
  /** Closes the innermost block, or the function body when none is open. */
  end(): this {
    this.op(0x0b);
    if (this.openBlocks === 0) this.finished = true;
    else this.openBlocks--;
    return this;
  }
  br(relativeDepth: number): this { return this.op(0x0c, ...encodeUnsigned(relativeDepth)); }
  brIf(relativeDepth: number): this { return this.op(0x0d, ...encodeUnsigned(relativeDepth)); }
  /** Branch to the block named by `label` (its `depth` just after it was opened). */
  brTo(label: number): this { return this.br(this.relative(label)); }
  brIfTo(label: number): this { return this.brIf(this.relative(label)); }
  brTable(relativeDepths: number[], defaultDepth: number): this {
    return this.op(0x0e, ...vector(relativeDepths.map(encodeUnsigned)), ...encodeUnsigned(defaultDepth));
  }
  return(): this { return this.op(0x0f); }
  call(functionIndex: number): this { return this.op(0x10, ...encodeUnsigned(functionIndex)); }
  drop(): this { return this.op(0x1a); }
  select(): this { return this.op(0x1b); }
  unreachable(): this { return this.op(0x00); }

  private relative(label: number): number {
    if (label < 1 || label > this.openBlocks) throw new Error(`label ${label} is not an open block (depth ${this.openBlocks})`);
    return this.openBlocks - label;
  }

  /** The body as the code section wants it (locals, then instructions). */
  encode(): number[] {
    if (!this.finished) throw new Error(`function ${this.index} was not ended (${this.openBlocks} blocks open)`);
    const groups: number[][] = [];
    for (let i = 0; i < this.locals.length;) {
      let run = 1;
      while (i + run < this.locals.length && this.locals[i + run] === this.locals[i]) run++;
      groups.push([...encodeUnsigned(run), this.locals[i]]);
      i += run;
    }
    return [...vector(groups), ...this.code];
  }
}
