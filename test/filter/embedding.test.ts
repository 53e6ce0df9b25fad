// emitFilterMatch inside a function someone else builds (the rule-set compiler's use): its own
// parameter order, locals of its own before and after, two filters in one body. Each embedded
// match must answer exactly what the stand-alone compiled filter answers, frame by frame.
import { describe, expect, it } from 'vitest';
import { compileFilter, emitFilterMatch, parseFilter } from '../../src/filter/index.js';
import { I32, ModuleBuilder } from '../../src/wasm-gen/index.js';
import { builtCaptures } from './built-captures.js';
import { readCapture, runFilter } from './harness.js';

describe('emitFilterMatch', () => {
  it('embeds two filters in one function and agrees with compileFilter on every built frame', () => {
    const first = 'tcp[tcpflags] & tcp-syn != 0 or vlan 100';
    const second = 'port 53 and not ip6 or ether[0] & 1 = 1';
    const module = new ModuleBuilder();
    // (linkType, wirelen, frame, caplen) -> first + 2 * second
    const body = module.addFunction([I32, I32, I32, I32], [I32]);
    const unrelated = body.addLocal(I32);
    body.i32Const(7).localSet(unrelated);
    const locals = { linkType: 0, wirelen: 1, frame: 2, caplen: 3 };
    emitFilterMatch(body, parseFilter(first), locals);
    emitFilterMatch(body, parseFilter(second), locals);
    body.i32Const(2).i32Mul().i32Add();
    // the embedder's own local survives the embedded code
    body.localGet(unrelated).i32Const(7).i32Ne().if().unreachable().end();
    body.end();
    module.exportFunction('both', body.index);
    const bytes = module.toBytes();
    expect(WebAssembly.validate(bytes)).toBe(true);

    const memory = new WebAssembly.Memory({ initial: 1 });
    const both = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } }).exports.both as (...a: number[]) => number;
    let frames = 0;
    for (const { bytes: file } of builtCaptures()) {
      const capture = readCapture(file);
      const expectedFirst = new Set(runFilter(compileFilter(first), capture));
      const expectedSecond = new Set(runFilter(compileFilter(second), capture));
      capture.records.forEach((record, i) => {
        new Uint8Array(memory.buffer).set(record.data, 1000);
        const got = both(record.linkType, record.wirelen, 1000, record.data.length);
        expect(got, `record ${i}`).toBe((expectedFirst.has(i) ? 1 : 0) + (expectedSecond.has(i) ? 2 : 0));
        frames++;
      });
    }
    expect(frames).toBeGreaterThan(1000);
  });

  it('returns the refusals for the link types it cannot serve', () => {
    const module = new ModuleBuilder();
    const body = module.addFunction([I32, I32, I32, I32], [I32]);
    const { refusals } = emitFilterMatch(body, parseFilter('vlan'), { frame: 0, caplen: 1, wirelen: 2, linkType: 3 });
    body.end();
    expect(refusals.map((r) => r.linkType).sort((a, b) => a - b)).toEqual([0, 9, 12, 14, 50, 101, 104, 108, 113, 228, 229, 276]);
    expect(WebAssembly.validate(module.toBytes())).toBe(true);
  });
});
