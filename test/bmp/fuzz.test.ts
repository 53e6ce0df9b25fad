// Thousands of mutated valid BMP streams (bytes flipped, cut, inserted, messages dropped or
// repeated, length fields changed) through a router session in random chunks, and some through
// the collector over loopback. The documented outcomes only: the stream is followed, or it
// stops at a BmpFormatError; either way, once the session ends every route it gave is withdrawn,
// the sink saw no call out of order, and nothing else is ever thrown.
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { BmpCollector } from '../../src/bmp/collector.js';
import { BmpFormatError } from '../../src/bmp/errors.js';
import { BmpRouterSession } from '../../src/bmp/router-session.js';
import {
  bgpNotification, bgpOpen, bgpUpdate, FLAG, initiation, peerDown, peerUp, routeMirroring, routeMonitoring, statisticsReport,
  termination, type PeerFields,
} from '../helpers/bmp.js';
import { concat } from '../helpers/packets.js';
import { Random } from '../helpers/random.js';
import { RecordingSink } from '../helpers/recording-sink.js';

const v4: PeerFields = { address: '192.0.2.7', as: 64500, routerId: '192.0.2.7' };
const v6: PeerFields = { address: '2001:db8::9', as: 4_200_000_009, routerId: '10.9.9.9' };

/** One valid stream's messages: every type, both peers, both policies, IPv4 and IPv6 routes. */
function validMessages(random: Random): Uint8Array[] {
  const open = (as: number, fourOctetAs = true) => bgpOpen({ as, routerId: '10.0.0.1', fourOctetAs });
  const messages = [
    initiation({ sysName: 'r1', sysDescr: 'fuzz' }),
    peerUp({ peer: v4, localAddress: '192.0.2.1', sentOpen: open(65001), receivedOpen: open(64500, random.below(2) === 0) }),
    peerUp({ peer: v6, localAddress: '2001:db8::1', sentOpen: open(65001), receivedOpen: open(4_200_000_009) }),
  ];
  for (let i = 0; i < 12; i++) {
    const peer = random.below(2) === 0 ? v4 : v6;
    const header = { ...peer, postPolicy: random.below(2) === 0, flags: random.below(8) === 0 ? FLAG.A : 0 };
    const third = random.below(256);
    messages.push(routeMonitoring(header, random.below(2) === 0
      ? bgpUpdate({ announced: [`198.51.${third}.0/24`], withdrawn: [`203.0.${third}.0/24`], asPath: [peer.as, third], twoOctetAs: random.below(2) === 0, nextHop: '192.0.2.7', communities: ['64500:1'] })
      : bgpUpdate({ asPath: [peer.as], ipv6: { nextHop: '2001:db8::9', announced: [`2001:db8:${third.toString(16)}::/48`] } })));
  }
  messages.push(
    statisticsReport(v4, [{ type: 0, value: 1 }, { type: 7, value: 12, gauge: true }]),
    routeMirroring(v6, bgpNotification(6, 2), 0),
    peerDown({ peer: v4, reason: 2, fsmEvent: 1 }),
    routeMonitoring(v6, bgpUpdate({})),
    termination({ reason: 1 }),
  );
  return messages;
}

function mutate(random: Random, messages: Uint8Array[]): Uint8Array {
  const list = [...messages];
  for (let n = 1 + random.below(3); n > 0; n--) {
    const kind = random.below(6);
    const i = random.below(list.length);
    const m = list[i].slice();
    if (kind === 0) list.splice(i, 1);
    else if (kind === 1) list.splice(i, 0, list[random.below(list.length)]);
    else if (kind === 2) {
      for (let k = 1 + random.below(4); k > 0; k--) m[random.below(m.length)] ^= 1 << random.below(8);
      list[i] = m;
    } else if (kind === 3) {
      new DataView(m.buffer).setUint32(1, Math.max(0, m.length + random.below(21) - 10));
      list[i] = m;
    } else if (kind === 4) {
      const at = random.below(m.length);
      list[i] = concat(m.subarray(0, at), random.bytes(1 + random.below(8)), m.subarray(at));
    } else {
      list[i] = m.subarray(0, random.below(m.length));
    }
  }
  return concat(...list);
}

function chunked(random: Random, bytes: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let at = 0; at < bytes.length;) {
    const size = 1 + random.below(random.below(4) === 0 ? 8 : 400);
    out.push(bytes.subarray(at, at + size));
    at += size;
  }
  return out;
}

/** Runs a stream through a session; returns the sink and the error that stopped it, if one did. */
function run(chunks: Uint8Array[]): { sink: RecordingSink; error?: unknown; session: BmpRouterSession } {
  const sink = new RecordingSink();
  const session = new BmpRouterSession('10.0.0.1', { sink });
  let error: unknown;
  for (const chunk of chunks) {
    try {
      session.receive(chunk);
    } catch (e) {
      error = e;
      break;
    }
  }
  session.end(error instanceof Error ? error.message : 'connection closed');
  return { sink, error, session };
}

describe('mutated BMP streams', () => {
  it('the valid streams themselves are followed to the end, whatever the chunking', () => {
    const random = new Random(7);
    for (let i = 0; i < 100; i++) {
      const stream = concat(...validMessages(random));
      const whole = run([stream]);
      const pieces = run(chunked(random, stream));
      expect(whole.error).toBeUndefined();
      expect(pieces.sink.calls).toEqual(whole.sink.calls);
      expect(whole.sink.violations).toEqual([]);
      expect(whole.session.counters.messages).toBe(20);
    }
  });

  it('3000 mutated streams through a session: followed or stopped by a BmpFormatError, routes gone at the end', () => {
    const random = new Random(20261130);
    const outcomes = { followed: 0, formatError: 0 };
    for (let i = 0; i < 3000; i++) {
      const stream = mutate(random, validMessages(random));
      const { sink, error } = run(chunked(random, stream));
      if (error !== undefined && !(error instanceof BmpFormatError)) {
        throw new Error(`stream ${i}: ${String(error)} (${Buffer.from(stream).toString('hex')})`);
      }
      outcomes[error ? 'formatError' : 'followed']++;
      expect(sink.violations, `stream ${i}`).toEqual([]);
      expect(sink.routes.size, `stream ${i}: routes left after the end`).toBe(0);
    }
    // both outcomes occur: the mutations are neither all harmless nor all fatal
    expect(outcomes.followed).toBeGreaterThan(150);
    expect(outcomes.formatError).toBeGreaterThan(150);
  });

  it('300 mutated streams through the collector over loopback: no exception escapes, every route withdrawn', async () => {
    const random = new Random(99);
    const sink = new RecordingSink();
    const collector = new BmpCollector({ routers: ['127.0.0.1'], sink });
    try {
      const { port } = await collector.listen(0, '127.0.0.1');
      for (let i = 0; i < 300; i++) {
        const stream = mutate(random, validMessages(random));
        await new Promise<void>((resolve, reject) => {
          const socket = net.connect({ host: '127.0.0.1', port }, () => {
            for (const chunk of chunked(random, stream)) socket.write(chunk);
            socket.end();
          });
          socket.on('error', () => {}); // the collector may reset a connection it ended
          socket.on('close', () => resolve());
          setTimeout(() => reject(new Error(`stream ${i}: connection not closed`)), 10_000).unref();
        });
        const end = Date.now() + 5000;
        while (!collector.routers().every((r) => !r.connected) && Date.now() < end) await new Promise((r) => setTimeout(r, 5));
        expect(collector.routers()[0].connected, `stream ${i}`).toBe(false);
        expect(sink.routes.size, `stream ${i}`).toBe(0);
      }
      expect(sink.violations).toEqual([]);
    } finally {
      await collector.close();
    }
  });
});
