// IR to WebAssembly. Each test leaves 0 or 1 on the stack; and/or short-circuit through `if`.
// A load outside [frame, frame+caplen) branches straight out of the whole match with 0, the
// way a BPF program returns 0 on an out-of-bounds load; so do division by zero and modulo zero.
import { I32, type FunctionBuilder } from '../wasm-gen/index.js';
import type { Cond, Value } from './ir.js';

export interface FilterLocals {
  frame: number;
  caplen: number;
  wirelen: number;
  linkType: number;
}

export class CondEmitter {
  private readonly scratch: number;
  private readonly offset: number;
  private readonly divisor: number;

  /** `rejectLabel`: the depth of an open block of type i32 that a failed load leaves with 0. */
  constructor(private readonly body: FunctionBuilder, private readonly locals: FilterLocals, private readonly rejectLabel: number) {
    this.scratch = body.addLocal(I32);
    this.offset = body.addLocal(I32);
    this.divisor = body.addLocal(I32);
  }

  cond(c: Cond): void {
    const body = this.body;
    switch (c.t) {
      case 'const': body.i32Const(c.value ? 1 : 0); return;
      case 'not': this.cond(c.a); body.i32Eqz(); return;
      case 'and':
        this.cond(c.a);
        body.if(I32); this.cond(c.b); body.else().i32Const(0).end();
        return;
      case 'or':
        this.cond(c.a);
        body.if(I32).i32Const(1).else(); this.cond(c.b); body.end();
        return;
      case 'cmp':
        this.value(c.a);
        this.value(c.b);
        if (c.op === 'eq') body.i32Eq();
        else if (c.op === 'gt') body.i32GtU();
        else body.i32GeU();
        return;
    }
  }

  private reject(): void {
    this.body.i32Const(0).brTo(this.rejectLabel);
  }

  /** Leaves the frame-relative offset checked: [offset, offset+size) lies inside the captured bytes. */
  private checkedAddress(offset: Value, size: number): 'static' | 'dynamic' {
    const body = this.body;
    if (offset.v === 'const') {
      body.localGet(this.locals.caplen).i32Const(offset.n + size).i32LtU();
      body.if(); this.reject(); body.end();
      return 'static';
    }
    this.value(offset);
    body.localSet(this.offset);
    // in 64 bits: a computed offset near 2^32 must not wrap into range
    body.localGet(this.offset).i64ExtendI32U().i64Const(BigInt(size)).i64Add()
      .localGet(this.locals.caplen).i64ExtendI32U().i64GtU();
    body.if(); this.reject(); body.end();
    return 'dynamic';
  }

  value(v: Value): void {
    const body = this.body;
    switch (v.v) {
      case 'const': body.i32Const(v.n); return;
      case 'len': body.localGet(this.locals.wirelen); return;
      case 'ipHeaderLength':
        this.checkedAddress({ v: 'const', n: v.at }, 1);
        body.localGet(this.locals.frame).i32Load8U(v.at).i32Const(0x0f).i32And().i32Const(2).i32Shl();
        return;
      case 'load': {
        const kind = this.checkedAddress(v.offset, v.size);
        const immediate = kind === 'static' && v.offset.v === 'const' ? v.offset.n : 0;
        body.localGet(this.locals.frame);
        if (kind === 'dynamic') body.localGet(this.offset).i32Add();
        if (v.size === 1) body.i32Load8U(immediate);
        else if (v.size === 2) body.loadBe16(immediate, this.scratch);
        else body.loadBe32(immediate, this.scratch);
        return;
      }
      case 'arith': {
        this.value(v.a);
        if (v.op === '/' || v.op === '%') {
          this.value(v.b);
          body.localTee(this.divisor).i32Eqz();
          body.if(); this.reject(); body.end();
          body.localGet(this.divisor);
          if (v.op === '/') body.i32DivU(); else body.i32RemU();
          return;
        }
        if (v.op === '<<' || v.op === '>>') {
          // BPF: a shift by 32 or more gives 0 (WebAssembly would take the count modulo 32)
          this.value(v.b);
          body.localSet(this.divisor);
          if (v.op === '<<') body.localGet(this.divisor).i32Shl(); else body.localGet(this.divisor).i32ShrU();
          body.i32Const(0).localGet(this.divisor).i32Const(32).i32LtU().select();
          return;
        }
        this.value(v.b);
        switch (v.op) {
          case '+': body.i32Add(); return;
          case '-': body.i32Sub(); return;
          case '*': body.i32Mul(); return;
          case '&': body.i32And(); return;
          case '|': body.i32Or(); return;
          case '^': body.i32Xor(); return;
        }
      }
    }
  }
}

