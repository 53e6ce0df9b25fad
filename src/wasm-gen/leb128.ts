// LEB128, the variable-length integer encoding of every number in a WebAssembly binary.

/** Unsigned LEB128 of a non-negative integer below 2^32 (indices, sizes, offsets). */
export function encodeUnsigned(value: number): number[] {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) throw new RangeError(`unsigned LEB128 needs an integer in 0..2^32-1, got ${value}`);
  const out: number[] = [];
  let rest = value;
  do {
    let byte = rest % 128;
    rest = Math.floor(rest / 128);
    if (rest !== 0) byte |= 0x80;
    out.push(byte);
  } while (rest !== 0);
  return out;
}

/** Signed LEB128 of an i32 (i32.const immediates; values above 2^31 wrap, as the instruction does). */
export function encodeSigned32(value: number): number[] {
  if (!Number.isInteger(value) || value < -0x80000000 || value > 0xffffffff) throw new RangeError(`i32 immediate out of range: ${value}`);
  return encodeSigned64(BigInt(value | 0));
}

/** Signed LEB128 of an i64 (i64.const immediates; values at or above 2^63 wrap). */
export function encodeSigned64(value: bigint): number[] {
  let rest = BigInt.asIntN(64, value);
  const out: number[] = [];
  for (;;) {
    const byte = Number(rest & 0x7fn);
    rest >>= 7n;
    const signBitSet = (byte & 0x40) !== 0;
    if ((rest === 0n && !signBitSet) || (rest === -1n && signBitSet)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}
