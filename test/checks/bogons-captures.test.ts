import { execFile, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { pcap } from '../helpers/captures.js';
import { ethernet, ETHERTYPE, LINKTYPE, udp4, udp6 } from '../helpers/packets.js';
import { tempDir } from '../helpers/temp-dir.js';
import { addressText, classifierWith, classifyAll } from './classifier.js';
import type { TestAddress } from './classifier.js';
import { PRIVATE_USE, REGISTRY_ROWS, SOURCE, addressValue, referenceClasses } from './registry-reference.js';

// The classifier on packets: frames with every registry boundary as source and destination go
// through the fields decode (classify/fields.ts) into bogonsClassifyFields, checked against the
// reference on the addresses tshark reads from the same capture; and the addresses of real
// captures (../shared/data/captures, read by tshark) against the reference.

const run = promisify(execFile);
const tshark = spawnSync('sh', ['-c', 'command -v tshark']).status === 0;
if (!tshark) console.log('bogons-captures: tshark tests skipped: `tshark` (Wireshark) is not on PATH');
const mergecap = spawnSync('sh', ['-c', 'command -v mergecap']).status === 0;
if (!mergecap) console.log('bogons-captures: real-capture test skipped: `mergecap` (Wireshark) is not on PATH');
const CAPTURES = fileURLToPath(new URL('../../../shared/data/captures/', import.meta.url));
const shared = existsSync(CAPTURES);
if (!shared) console.log(`bogons-captures: real-capture test skipped: ${CAPTURES} is absent`);

const dir = tempDir('fibscope-bogons-');

/** Every registry row's first and last address and their neighbours, per family. */
function boundaryAddresses(family: 4 | 6): TestAddress[] {
  const out: TestAddress[] = [];
  const bits = family === 4 ? 32 : 128;
  for (const row of REGISTRY_ROWS.filter((r) => r.family === family)) {
    const last = row.start + (1n << BigInt(bits - row.length)) - 1n;
    for (const value of [row.start - 1n, row.start, row.start + 1n, last - 1n, last, last + 1n]) {
      if (value >= 0n && value < 1n << BigInt(bits)) out.push({ family, value });
    }
  }
  return out;
}

/** Each address once as a source, with the list reversed as destinations. */
function framesOf(addresses: readonly TestAddress[]): { source: TestAddress; destination: TestAddress; frame: Uint8Array }[] {
  return addresses.map((source, i) => {
    const destination = addresses[addresses.length - 1 - i];
    const packet = source.family === 4
      ? udp4(addressText(source), addressText(destination))
      : udp6(addressText(source), addressText(destination));
    return { source, destination, frame: ethernet({ etherType: source.family === 4 ? ETHERTYPE.IPV4 : ETHERTYPE.IPV6, payload: packet }) };
  });
}

function tsharkAddresses(path: string, stdout: string): TestAddress[][] {
  const lines = stdout.split('\n').filter((line) => line.length > 0);
  return lines.map((line) => line.split(/[\t,]/).filter((text) => text.length > 0).map((text) => {
    try { return addressValue(text); } catch { throw new Error(`${path}: tshark gave ${JSON.stringify(text)}`); }
  }));
}

const FIELDS = ['-T', 'fields', '-e', 'ip.src', '-e', 'ip.dst', '-e', 'ipv6.src', '-e', 'ipv6.dst'];

describe('bogon classes of packets', () => {
  const frames = [...framesOf(boundaryAddresses(4)), ...framesOf(boundaryAddresses(6))];

  it('the fields decode and bogonsClassifyFields give the reference classes of source and destination', async () => {
    const wasm = await classifierWith();
    const io = wasm.ioPointer();
    const fields = io + 65536;
    const wrong: string[] = [];
    for (const { source, destination, frame } of frames) {
      new Uint8Array(wasm.memory.buffer, io, frame.length).set(frame);
      wasm.fieldsOfFrame(LINKTYPE.EN10MB, io, frame.length, fields);
      const masks = wasm.bogonsClassifyFields(fields);
      const want = referenceClasses(source.family, source.value) | (referenceClasses(destination.family, destination.value) << 8);
      if (masks !== want) wrong.push(`${addressText(source)} > ${addressText(destination)}: ${masks.toString(16)}, reference ${want.toString(16)}`);
    }
    expect(wrong).toEqual([]);
  });

  it.skipIf(!tshark)('tshark reads the built capture\'s addresses as the frames were built', async () => {
    const path = join(dir, 'boundaries.pcap');
    writeFileSync(path, pcap({ linkType: LINKTYPE.EN10MB, records: frames.map(({ frame }, i) => ({ ts: { sec: 1 + i, frac: 0 }, data: frame })) }));
    const { stdout } = await run('tshark', ['-r', path, ...FIELDS], { maxBuffer: 64 << 20 });
    const read = tsharkAddresses(path, stdout);
    expect(read.map((pair) => pair.map(addressText))).toEqual(frames.map(({ source, destination }) => [addressText(source), addressText(destination)]));
  });

  it.skipIf(!tshark || !mergecap || !shared)('classifies every address of real captures as the reference does', async () => {
    const files: string[] = [];
    const walk = (at: string) => {
      for (const name of readdirSync(at).sort()) {
        const path = join(at, name);
        if (statSync(path).isDirectory()) walk(path);
        else files.push(path);
      }
    };
    walk(CAPTURES);
    // every 12th capture and every one of 200 KiB or more: a spread of link types and the big ones,
    // merged into one file (mergecap) so tshark starts once
    const chosen = files.filter((path, i) => i % 12 === 0 || statSync(path).size >= 200 << 10);
    const merged = join(dir, 'merged.pcapng');
    for (let round = 0; ; round++) {
      const result = spawnSync('mergecap', ['-a', '-w', merged, ...chosen], { encoding: 'utf8' });
      if (result.status === 0) break;
      // mergecap stops at a file it cannot read (not a capture, a link type it does not know): leave that one out
      const refused = /"([^"]+)"/.exec(result.stderr)?.[1];
      if (!refused || !chosen.includes(refused) || round > 100) throw new Error(`mergecap: ${result.stderr}`);
      chosen.splice(chosen.indexOf(refused), 1);
    }
    // a damaged last record makes tshark exit non-zero after printing what it read
    const stdout = await run('tshark', ['-n', '-r', merged, ...FIELDS], { maxBuffer: 256 << 20 })
      .then((r) => r.stdout, (e: { stdout?: string }) => e.stdout ?? '');
    const seen = new Map<string, TestAddress>();
    for (const address of tsharkAddresses(merged, stdout).flat()) seen.set(`${address.family}/${address.value}`, address);
    const addresses = [...seen.values()];
    const wasm = await classifierWith();
    const masks = classifyAll(wasm, addresses);
    const wrong = addresses.flatMap((address, i) => {
      const want = referenceClasses(address.family, address.value);
      return masks[i] === want ? [] : [`${addressText(address)}: ${masks[i]}, reference ${want}`];
    });
    expect(wrong).toEqual([]);
    console.log(`bogons-captures: ${chosen.length} captures, ${addresses.length} distinct addresses, `
      + `${masks.filter((m) => m & PRIVATE_USE).length} private, ${masks.filter((m) => m & SOURCE).length} bogon as a source`);
    expect(addresses.length).toBeGreaterThan(500);
    expect(masks.some((m) => m & PRIVATE_USE)).toBe(true);
    expect(masks.some((m) => m & SOURCE)).toBe(true);
  });
});
