import { describe, expect, it } from 'vitest';
import { formatIPv4, type Fib } from '../../src/node.js';
import { formatIPv6 } from '../../src/net/address.js';
import { Random } from '../helpers/random.js';
import { captureOf, randomFrames } from './random-capture.js';
import { compareBy } from './compare-check.js';
import { randomTablePair } from './random-tables.js';

// The move matrix against a slow model: every packet's next hop on each side picked in
// JavaScript — its destination looked up in that table, its flow hashed as
// assembly/parse/flow.ts does, the next hop picked as assembly/fib/routes.ts pickPath does.

const MASK = (1n << 64n) - 1n;
function mix(x: bigint): bigint {
  x ^= x >> 33n;
  x = (x * 0xff51afd7ed558ccdn) & MASK;
  x ^= x >> 33n;
  x = (x * 0xc4ceb9fe1a85ec53n) & MASK;
  return x ^ (x >> 33n);
}
const u64 = (bytes: Uint8Array, at: number) => {
  let value = 0n;
  for (let i = 7; i >= 0; i--) value = (value << 8n) | BigInt(bytes[at + i]);
  return value;
};
const u32 = (bytes: Uint8Array, at: number) => (bytes[at] | (bytes[at + 1] << 8) | (bytes[at + 2] << 16) | (bytes[at + 3] << 24)) >>> 0;

/** The flow hash of the IP packet in `ip` (the model of assembly/parse/flow.ts; UDP, no fragments). */
function flowHash(ip: Uint8Array): number {
  const v6 = ip[0] >> 4 === 6;
  let protocol: number;
  let x: bigint;
  let ports = 0;
  if (v6) {
    protocol = ip[6];
    ports = u32(ip, 40);
    x = mix(u64(ip, 8) ^ mix(u64(ip, 16) ^ mix(u64(ip, 24) ^ mix(u64(ip, 32)))));
  } else {
    protocol = ip[9];
    ports = u32(ip, (ip[0] & 15) * 4);
    x = mix(u64(ip, 12));
  }
  return Number(mix(x ^ (BigInt(ports) << 8n) ^ BigInt(protocol)) >> 32n);
}

function pick(weights: readonly number[], hash: number): number {
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  const point = Number((BigInt(hash) * BigInt(total)) >> 32n);
  let cumulative = 0;
  for (let i = 0; i < weights.length; i++) if (point < (cumulative += weights[i])) return i;
  throw new Error('no path');
}

/** Where `fib` sends the packet: its route's next hop for this flow, or no route. */
function nextHopOf(fib: Fib, destination: string, hash: number): string {
  const route = fib.lookup(destination);
  if (!route) return 'no route';
  if (route.nextHops.length < 2) return `${route.nextHop} ${route.dev}`;
  const hop = route.nextHops[pick(route.nextHops.map((h) => h.weight), hash)];
  return `${hop.via} ${hop.dev}`;
}

describe('the move matrix', () => {
  for (const seed of [41, 42]) {
    it(`equals a per-packet model of both sides' picks, seed ${seed}`, async () => {
      const { before, after, prefixes } = await randomTablePair(seed, 150);
      const frames = randomFrames(new Random(seed), prefixes, 3000);
      const compared = await compareBy(before, after, [captureOf(frames)], 'model.pcap', 0);
      const model = new Map<string, number>();
      let multipathMoves = 0;
      for (const frame of frames) {
        const type = (frame[12] << 8) | frame[13];
        if (type !== 0x0800 && type !== 0x86dd) continue;
        const ip = frame.subarray(14);
        const destination = type === 0x0800 ? formatIPv4(((ip[16] << 24) | (ip[17] << 16) | (ip[18] << 8) | ip[19]) >>> 0) : formatIPv6(ip, 24);
        const hash = flowHash(ip);
        const key = `${nextHopOf(before, destination, hash)} -> ${nextHopOf(after, destination, hash)}`;
        model.set(key, (model.get(key) ?? 0) + 1);
        if ((before.lookup(destination)?.nextHops.length ?? 0) > 1 || (after.lookup(destination)?.nextHops.length ?? 0) > 1) multipathMoves++;
      }
      const end = (side: { nextHop: string | null; dev: string | null } | null) => (side === null ? 'no route' : `${side.nextHop} ${side.dev}`);
      const matrix = new Map(compared.moves.map((move) => [`${end(move.from)} -> ${end(move.to)}`, Number(move.packets)]));
      expect(new Map([...matrix].sort())).toEqual(new Map([...model].sort()));
      // multipath on either side carried a good share of the packets
      expect(multipathMoves).toBeGreaterThan(300);
    });
  }
});
