import { describe, expect, it } from 'vitest';
import { encodeSigned32, encodeSigned64, encodeUnsigned, I32, I64, ModuleBuilder } from '../../src/wasm-gen/index.js';

function instantiate(bytes: Uint8Array<ArrayBuffer>, memory = new WebAssembly.Memory({ initial: 1 })) {
  expect(WebAssembly.validate(bytes)).toBe(true);
  const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } });
  return { exports: instance.exports as Record<string, (...args: number[]) => number>, memory };
}

describe('LEB128', () => {
  it('encodes the boundary values the way the spec examples do', () => {
    expect(encodeUnsigned(0)).toEqual([0]);
    expect(encodeUnsigned(127)).toEqual([0x7f]);
    expect(encodeUnsigned(128)).toEqual([0x80, 0x01]);
    expect(encodeUnsigned(624485)).toEqual([0xe5, 0x8e, 0x26]);
    expect(encodeSigned32(-1)).toEqual([0x7f]);
    expect(encodeSigned32(63)).toEqual([0x3f]);
    expect(encodeSigned32(64)).toEqual([0xc0, 0x00]);
    expect(encodeSigned32(-123456)).toEqual([0xc0, 0xbb, 0x78]);
    expect(() => encodeUnsigned(-1)).toThrow(RangeError);
  });

  it('round-trips every i32 and i64 constant through a module that returns it', () => {
    const values = [0, 1, -1, 63, 64, -64, -65, 0x7fffffff, -0x80000000, 0xffffffff, 0x12345678];
    const module = new ModuleBuilder();
    values.forEach((value, i) => {
      const body = module.addFunction([], [I32]).i32Const(value).end();
      module.exportFunction(`v${i}`, body.index);
    });
    const wide = [0n, -1n, 1n << 62n, -(1n << 63n), (1n << 63n) - 1n, 0x0123456789abcdefn];
    wide.forEach((value, i) => {
      const body = module.addFunction([], [I32]);
      const half = body.i64Const(value);
      half.i64Const(32n).i64ShrU().i32WrapI64().end();
      module.exportFunction(`w${i}`, body.index);
    });
    const { exports } = instantiate(module.toBytes());
    values.forEach((value, i) => expect(exports[`v${i}`]()).toBe(value | 0));
    wide.forEach((value, i) => expect(exports[`w${i}`]()).toBe(Number(BigInt.asIntN(32, BigInt.asUintN(64, value) >> 32n))));
  });
});

describe('function bodies', () => {
  it('loads network-order fields at any alignment, byte-swapped', () => {
    const module = new ModuleBuilder();
    const be16 = module.addFunction([I32], [I32]).localGet(0).loadBe16(1).end();
    const be32 = module.addFunction([I32], [I32]).localGet(0).loadBe32(1).end();
    const le64 = module.addFunction([I32], [I32]);
    le64.localGet(0).i64Load(0).i64Const(0xffn).i64And().i32WrapI64().end();
    module.exportFunction('be16', be16.index);
    module.exportFunction('be32', be32.index);
    module.exportFunction('low', le64.index);
    const { exports, memory } = instantiate(module.toBytes());
    const bytes = new Uint8Array(memory.buffer);
    bytes.set([0xaa, 0x12, 0x34, 0x56, 0x78, 0x9a], 7);
    expect(exports.be16(7)).toBe(0x1234);
    expect(exports.be32(7) >>> 0).toBe(0x12345678);
    expect(exports.be32(8) >>> 0).toBe(0x3456789a);
    expect(exports.low(7)).toBe(0xaa);
  });

  it('branches to named blocks, through br_table, select, if/else and calls', () => {
    const module = new ModuleBuilder();
    const double = module.addFunction([I32], [I32]).localGet(0).i32Const(2).i32Mul().end();
    // classify(x): 0 → 10, 1 → 20, else → call double(x); then "+1 if odd" via select
    const classify = module.addFunction([I32], [I32]);
    const result = classify.addLocal(I32);
    classify.block();
    const done = classify.depth;
    classify.block().block().block();
    classify.localGet(0).brTable([0, 1], 2);
    classify.end().i32Const(10).localSet(result).brTo(done);
    classify.end().i32Const(20).localSet(result).brTo(done);
    classify.end().localGet(0).call(double.index).localSet(result);
    classify.end();
    classify.localGet(result).i32Const(1).i32Add().localGet(result)
      .localGet(0).i32Const(1).i32And().select();
    classify.localGet(0).i32Const(100).i32GeU().if(I32).i32Const(-1).else().i32Const(0).end().i32Xor();
    classify.end();
    module.exportFunction('classify', classify.index);
    const { exports } = instantiate(module.toBytes());
    expect(exports.classify(0)).toBe(10);
    expect(exports.classify(1)).toBe(21);
    expect(exports.classify(4)).toBe(8);
    expect(exports.classify(5)).toBe(11);
    expect(exports.classify(100)).toBe(~200);
  });

  it('refuses an unfinished body and a branch to a block that is not open', () => {
    const module = new ModuleBuilder();
    const body = module.addFunction([], []);
    body.block();
    expect(() => body.brTo(2)).toThrow(/not an open block/);
    expect(() => module.toBytes()).toThrow(/not ended/);
  });
});
