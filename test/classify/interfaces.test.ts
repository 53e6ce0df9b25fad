// Capture interfaces by name (assembly/classify/interfaces.ts): pcapng if_name options registered as
// the reader meets them, a number per distinct name for the whole instance, pcap inputs given one by
// the host; each record's fields carry its interface's number. tshark reads the same names back.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { pcap, pcapng } from '../helpers/captures.js';
import { LINKTYPE, raw, udp4, udp6 } from '../helpers/packets.js';
import { tempDir } from '../helpers/temp-dir.js';
import { fieldsDriver, type FieldsDriver } from './fields-driver.js';
import { hasTshark } from './tshark-fields.js';

let driver: FieldsDriver;
const dir = tempDir('fibscope-interfaces-');
beforeAll(async () => {
  driver = await fieldsDriver();
});

const v4 = raw(udp4('192.0.2.1', '198.51.100.1'));
const v6 = raw(udp6('2001:db8::1', '2001:db8::2'));
const epb = (iface: number, i: number, data = v4) => ({ kind: 'epb' as const, interface: iface, ts: BigInt(i), data });

// two named interfaces and one without a name, packets from each in turn, then a packet without a timestamp (interface 0)
const twoNamed = pcapng({ sections: [{
  interfaces: [{ linkType: LINKTYPE.RAW, name: 'eth0' }, { linkType: LINKTYPE.RAW, name: 'wlan0' }, { linkType: LINKTYPE.RAW }],
  blocks: [epb(0, 1), epb(1, 2, v6), epb(2, 3), epb(1, 4), epb(0, 5, v6), { kind: 'spb', data: v4 }],
}] });
const twoNamedInterfaces = ['eth0', 'wlan0', '', 'wlan0', 'eth0', 'eth0'];

describe('interfaces of a pcapng capture', () => {
  it('each record carries its interface, a number per distinct name', () => {
    const records = driver.fieldsOf(twoNamed);
    expect(records.map((r) => r.interfaceName)).toEqual(twoNamedInterfaces);
    expect(driver.names()).toEqual(['eth0', 'wlan0']);
    expect(records.map((r) => r.interface)).toEqual([1, 2, 0, 2, 1, 1]);
  });

  it('a name met again, in another capture or another section, keeps its number; trailing NULs are not part of it', () => {
    const again = pcapng({ sections: [
      { interfaces: [{ linkType: LINKTYPE.RAW, name: 'tun9' }], blocks: [epb(0, 1)] },
      { bigEndian: true, interfaces: [{ linkType: LINKTYPE.RAW, options: [{ code: 2, value: 'wlan0\0\0' }] }, { linkType: LINKTYPE.RAW, name: 'eth0' }], blocks: [epb(0, 2), epb(1, 3)] },
    ] });
    const before = driver.names();
    const records = driver.fieldsOf(again);
    expect(records.map((r) => r.interfaceName)).toEqual(['tun9', 'wlan0', 'eth0']);
    expect(driver.names()).toEqual([...before.filter((n) => n !== 'tun9'), 'tun9']);
    expect(records[2].interface).toBe(before.indexOf('eth0') + 1);
  });

  it('a name over 255 bytes is cut there, on a whole UTF-8 character', () => {
    const long = 'é'.repeat(150); // 300 bytes
    const records = driver.fieldsOf(pcapng({ sections: [{ interfaces: [{ linkType: LINKTYPE.RAW, name: long }], blocks: [epb(0, 1)] }] }));
    expect(records[0].interfaceName).toBe('é'.repeat(127));
  });

  it.skipIf(!hasTshark)('tshark reads the same interface names', () => {
    const path = join(dir, 'two-named.pcapng');
    writeFileSync(path, twoNamed);
    const result = spawnSync('tshark', ['-r', path, '-T', 'fields', '-e', 'frame.interface_name'], { encoding: 'utf8' });
    expect(result.status, result.stderr).toBe(0);
    // tshark says 'unknown' for an interface without if_name
    expect(result.stdout.trimEnd().split('\n').map((n) => (n === 'unknown' ? '' : n))).toEqual(twoNamedInterfaces);
  });
});

describe('interfaces the host names', () => {
  const records = pcap({ linkType: LINKTYPE.RAW, records: [v4, v6, v4].map((data, i) => ({ ts: { sec: i, frac: 0 }, data })) });

  it('a pcap input: every record has the number the host set, 0 without one', () => {
    const tap = driver.register('tap7');
    expect(tap).toBeGreaterThan(0);
    expect(driver.register('tap7')).toBe(tap);
    expect(driver.fieldsOf(records, tap).map((r) => [r.interface, r.interfaceName])).toEqual([[tap, 'tap7'], [tap, 'tap7'], [tap, 'tap7']]);
    expect(driver.fieldsOf(records).map((r) => r.interface)).toEqual([0, 0, 0]);
  });

  it('names the registry refuses: empty is 0 (unnamed), over 255 bytes an error (-1 from WebAssembly); a number not in use is not set', () => {
    expect(driver.register('')).toBe(0);
    expect(() => driver.register('x'.repeat(256))).toThrow(/256 bytes long; at most 255/);
    expect(driver.wasm.interfaceRegister(driver.wasm.ioPointer(), 256)).toBe(-1);
    const name255 = driver.register('y'.repeat(255));
    expect(driver.names()[name255 - 1]).toBe('y'.repeat(255));
    expect(() => driver.fieldsOf(records, driver.wasm.interfaceCount() + 1)).toThrow(/not registered/);
    expect(driver.wasm.interfaceNameLength(0)).toBe(0);
    expect(driver.wasm.interfaceNameAt(driver.wasm.interfaceCount() + 1)).toBe(0);
  });
});
