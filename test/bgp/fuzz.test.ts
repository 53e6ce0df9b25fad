// Mutated valid UPDATEs and OPENs (seeded, replayable) through the decoders and through live
// sessions: only the documented outcomes, never an exception, never a change for another peer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeUpdate } from '../../src/bgp/message/update.js';
import { decodeOpen, encodeOpen } from '../../src/bgp/message/open.js';
import { BgpMessageError } from '../../src/bgp/message/errors.js';
import { MessageType } from '../../src/bgp/message/constants.js';
import { BgpSpeaker } from '../../src/bgp/speaker.js';
import { maskV4, maskV6, parsePrefix, formatIPv4, formatIPv6 } from '../../src/net/address.js';
import { speakerCapabilities } from '../../src/bgp/session.js';
import { Random } from '../helpers/random.js';
import { randomUpdate } from '../helpers/bgp-updates.js';
import { TestPeer } from '../helpers/bgp-peer.js';
import { RecordingSink } from '../helpers/recording-sink.js';

/** A copy of `message` with a few bytes changed, cut, or inserted; the header length made to match (mostly). */
function mutate(random: Random, message: Uint8Array): Uint8Array {
  let bytes = message.slice();
  const kind = random.below(5);
  if (kind <= 1) {
    for (let n = 1 + random.below(4); n > 0; n--) bytes[19 + random.below(bytes.length - 19)] = random.u32() & 0xff;
  } else if (kind === 2) {
    bytes = bytes.slice(0, 19 + random.below(bytes.length - 19));
  } else if (kind === 3) {
    const at = 19 + random.below(bytes.length - 19);
    bytes = Uint8Array.from([...bytes.slice(0, at), ...random.bytes(1 + random.below(6)), ...bytes.slice(at)]);
  } else {
    // A length field somewhere in the body set to a small random value.
    bytes[19 + random.below(bytes.length - 19)] = random.below(40);
  }
  if (random.below(10) > 0) {
    bytes[16] = bytes.length >> 8;
    bytes[17] = bytes.length & 0xff;
  }
  return bytes;
}

function canonical(prefix: string): boolean {
  const p = parsePrefix(prefix);
  if (!p) return false;
  if (p.family === 4) return `${formatIPv4(maskV4(p.v4, p.length))}/${p.length}` === prefix;
  const bytes = p.v6.slice();
  maskV6(bytes, 0, p.length);
  return `${formatIPv6(bytes)}/${p.length}` === prefix;
}

describe('fuzzed decoders', () => {
  it('mutated UPDATEs: a documented outcome every time, well-formed changes', () => {
    const random = new Random(20260501);
    const seen = new Set<string>();
    for (let n = 0; n < 4000; n++) {
      const fourOctetAs = random.below(2) === 0;
      const bytes = mutate(random, randomUpdate(random, fourOctetAs, 4).bytes);
      const decoded = decodeUpdate(bytes, { fourOctetAs });
      seen.add(decoded.outcome);
      expect(['ok', 'attribute-discard', 'treat-as-withdraw', 'session-reset']).toContain(decoded.outcome);
      if (decoded.outcome === 'session-reset') {
        expect(decoded.changes).toEqual([]);
        expect(decoded.notification).toBeInstanceOf(BgpMessageError);
        expect([1, 3]).toContain(decoded.notification!.errorCode);
        continue;
      }
      expect(decoded.notification).toBeUndefined();
      for (const change of decoded.changes) {
        expect([...change.withdrawn, ...change.announced].every(canonical), `message ${n}`).toBe(true);
        if (decoded.outcome === 'treat-as-withdraw') expect(change.announced).toEqual([]);
        if (change.announced.length > 0) expect(change.attributes).toBeDefined();
      }
    }
    expect([...seen].sort()).toEqual(['attribute-discard', 'ok', 'session-reset', 'treat-as-withdraw']);
  });

  it('mutated OPENs: a value or an OPEN Message Error, never an exception', () => {
    const random = new Random(99);
    const open = encodeOpen({ as: 4200000001, holdTime: 90, bgpIdentifier: '10.0.0.1', capabilities: { ...speakerCapabilities(4200000001), gracefulRestart: { restarting: true, notification: false, restartTime: 300, families: [{ afi: 1, safi: 1, forwardingState: true }] } } });
    for (let n = 0; n < 3000; n++) {
      const decoded = decodeOpen(mutate(random, open));
      if (decoded instanceof BgpMessageError) expect(decoded.errorCode).toBe(2);
      else expect(decoded.version).toBeTypeOf('number');
    }
  });
});

describe('fuzzed sessions', () => {
  const sink = new RecordingSink();
  let speaker: BgpSpeaker;
  let port = 0;
  beforeAll(async () => {
    speaker = new BgpSpeaker({ localAs: 65000, routerId: '192.0.2.100', peers: [{ address: '127.0.0.1', as: 65001 }, { address: '127.0.0.3', as: 65003 }], sink });
    ({ port } = await speaker.listen(0, '127.0.0.1'));
  });
  afterAll(async () => {
    await speaker.close();
  });

  it('a peer sending mutated messages gets NOTIFICATIONs or changes; the other peer sees only its own routes', async () => {
    const random = new Random(5150);
    const good = new TestPeer(port, '127.0.0.1');
    await good.establish({ as: 65001, routerId: '10.0.0.1' });
    const goodUpdates: Uint8Array[] = [];
    let fuzzer: TestPeer | undefined;
    let sessions = 0;
    let notifications = 0;
    const unhandled: unknown[] = [];
    const onError = (error: unknown) => unhandled.push(error);
    process.on('uncaughtException', onError);
    try {
      for (let n = 0; n < 600; n++) {
        if (!fuzzer || fuzzer.closed) {
          if (fuzzer) {
            if (fuzzer.received.some((m) => m.type === MessageType.NOTIFICATION)) notifications++;
            fuzzer.destroy();
          }
          fuzzer = new TestPeer(port, '127.0.0.3');
          await fuzzer.establish({ as: 65003, routerId: '10.0.0.3' });
          await sink.waitFor((c) => c.call === 'peerUp' && c.peer.id === 'bgp 127.0.0.3' && sink.calls.filter((d) => d.call === 'peerUp' && d.peer.id === 'bgp 127.0.0.3').length > sessions);
          sessions++;
        }
        fuzzer.send(mutate(random, randomUpdate(random, true, 4).bytes));
        if (n % 50 === 0) {
          const update = randomUpdate(random, true, 3);
          if (update.changes.length > 0) {
            goodUpdates.push(update.bytes);
            good.send(update.bytes);
          }
        }
        if (n % 20 === 0) await new Promise((resolve) => setTimeout(resolve, 5));
      }
      await sink.waitFor(() => sink.of('bgp 127.0.0.1').filter((c) => c.call === 'update').length === goodUpdates.length, 20_000);
    } finally {
      process.off('uncaughtException', onError);
      fuzzer?.destroy();
      good.destroy();
    }
    expect(unhandled).toEqual([]);
    expect(sessions).toBeGreaterThan(1);
    expect(notifications).toBeGreaterThan(0);
    // The good peer: exactly its own UPDATEs' changes, decoded as the decoder does alone.
    const expected = goodUpdates.map((bytes) => decodeUpdate(bytes, { fourOctetAs: true }).changes);
    expect(sink.of('bgp 127.0.0.1').filter((c) => c.call === 'update').map((c) => (c as { changes: unknown }).changes)).toEqual(expected);
    expect(sink.of('bgp 127.0.0.1').filter((c) => c.call === 'peerDown')).toEqual([]);
  });
});
