// The speaker over loopback against a scripted peer built from our encoders: the OPEN exchange,
// timers, refusals, RFC 7606 outcomes on a live session, graceful restart, and peers that do not
// disturb each other. Every wait is bounded.
import { afterEach, describe, expect, it } from 'vitest';
import { BgpSpeaker, type BgpSpeakerOptions } from '../../src/bgp/speaker.js';
import { decodeOpen } from '../../src/bgp/message/open.js';
import { encodeOpen } from '../../src/bgp/message/open.js';
import { encodeNotification } from '../../src/bgp/message/notification.js';
import { encodeKeepalive } from '../../src/bgp/message/keepalive.js';
import { encodePathAttributes, encodeUpdate } from '../../src/bgp/message/update.js';
import { encodeAttribute } from '../../src/bgp/message/attributes/attribute.js';
import { encodeMpReach, encodeMpUnreach } from '../../src/bgp/message/attributes/multiprotocol.js';
import { ErrorCode, MessageType } from '../../src/bgp/message/constants.js';
import { TestPeer } from '../helpers/bgp-peer.js';
import { RecordingSink } from '../helpers/recording-sink.js';

const LOCAL_AS = 4200000000;
let speakers: BgpSpeaker[] = [];
let peers: TestPeer[] = [];

afterEach(async () => {
  for (const p of peers) p.destroy();
  await Promise.all(speakers.map((s) => s.close()));
  speakers = [];
  peers = [];
});

async function start(options: Partial<BgpSpeakerOptions> = {}) {
  const sink = new RecordingSink();
  const log: string[] = [];
  const speaker = new BgpSpeaker({
    localAs: LOCAL_AS, routerId: '192.0.2.100', peers: [{ address: '127.0.0.1', as: 65001 }, { address: '::ffff:127.0.0.3', as: 65003 }],
    sink, onLog: (line) => log.push(line), ...options,
  });
  speakers.push(speaker);
  const { port } = await speaker.listen(0, '127.0.0.1');
  const peer = (local = '127.0.0.1') => {
    const p = new TestPeer(port, local);
    peers.push(p);
    return p;
  };
  return { speaker, sink, log, port, peer };
}

const route = (nlri: string[]) => encodeUpdate({ attributes: encodePathAttributes({ origin: 0, asPath: '65001 65100', nextHop: '127.0.0.1', med: 7 }, true), nlri });

describe('BGP speaker sessions', () => {
  it('OPEN/KEEPALIVE exchange: our OPEN, the agreed hold time, peerUp, UPDATEs and End-of-RIB to the sink', async () => {
    const { speaker, sink, peer } = await start({ holdTime: 30 });
    const p = peer();
    const open = decodeOpen(await p.establish({ as: 65001, routerId: '10.0.0.1', holdTime: 60 }));
    if (open instanceof Error) throw open;
    expect(open).toMatchObject({ version: 4, myAs: 23456, as: LOCAL_AS, holdTime: 30, bgpIdentifier: '192.0.2.100' });
    expect(open.capabilities).toMatchObject({ routeRefresh: true, fourOctetAs: LOCAL_AS, gracefulRestart: { restarting: false, restartTime: 0, families: [] } });
    expect(open.capabilities.multiprotocol).toEqual([{ afi: 1, safi: 1 }, { afi: 2, safi: 1 }]);
    const up = await sink.waitFor((c) => c.call === 'peerUp');
    expect(up).toEqual({ call: 'peerUp', peer: { id: 'bgp 127.0.0.1', kind: 'bgp', address: '127.0.0.1', as: 65001, routerId: '10.0.0.1', internal: false } });
    p.send(route(['10.0.0.0/24', '10.1.0.0/16']));
    p.send(encodeUpdate({ attributes: [...encodePathAttributes({ origin: 1, asPath: '65001', nextHop: null }, true), encodeMpReach(6, ['2001:db8::1'], ['2001:db8::/32'])] }));
    p.send(encodeUpdate({ withdrawn: ['10.1.0.0/16'] }));
    p.send(encodeUpdate({}));
    p.send(encodeUpdate({ attributes: [encodeMpUnreach(6, [])] }));
    await sink.waitFor((c) => c.call === 'endOfRib' && c.family === 6);
    expect(sink.calls.slice(1).map((c) => c.call === 'update' ? c.changes.map((ch) => [ch.family, ch.withdrawn, ch.announced, ch.attributes?.nextHop]) : [c.call, (c as { family?: number }).family])).toEqual([
      [[4, [], ['10.0.0.0/24', '10.1.0.0/16'], '127.0.0.1']],
      [[6, [], ['2001:db8::/32'], '2001:db8::1']],
      [[4, ['10.1.0.0/16'], [], undefined]],
      ['endOfRib', 4],
      ['endOfRib', 6],
    ]);
    const [info] = speaker.sessions();
    expect(info).toMatchObject({ remoteAddress: '127.0.0.1', state: 'established', holdTime: 30, updatesReceived: 5, prefixesAnnounced: 3, prefixesWithdrawn: 1 });
    expect(info.peer?.id).toBe('bgp 127.0.0.1');
    expect(speaker.sessions()[1]).toMatchObject({ remoteAddress: '127.0.0.3', state: 'idle' });
  });

  it('hold timer expiry: a silent peer gets Hold Timer Expired and its routes go', async () => {
    const { sink, peer, speaker } = await start();
    const p = peer();
    await p.establish({ as: 65001, routerId: '10.0.0.1', holdTime: 3 });
    await sink.waitFor((c) => c.call === 'peerUp');
    const started = Date.now();
    const notification = await p.notification(10_000);
    expect(notification.errorCode).toBe(ErrorCode.HOLD_TIMER_EXPIRED);
    expect(Date.now() - started).toBeGreaterThan(2000);
    const down = await sink.waitFor((c) => c.call === 'peerDown');
    expect(down).toMatchObject({ peerId: 'bgp 127.0.0.1', reason: expect.stringContaining('Hold Timer Expired') });
    expect(speaker.sessions()[0]).toMatchObject({ state: 'idle', lastError: expect.stringContaining('Hold Timer Expired') });
  });

  it('keepalives at a third of the hold time keep a session alive that sends only KEEPALIVEs', async () => {
    const { sink, peer } = await start({ holdTime: 3 });
    const p = peer();
    await p.establish({ as: 65001, routerId: '10.0.0.1', holdTime: 3 });
    const timer = setInterval(() => p.send(encodeKeepalive()), 1000);
    try {
      await new Promise((resolve) => setTimeout(resolve, 4500));
      expect(p.received.filter((m) => m.type === MessageType.KEEPALIVE).length).toBeGreaterThanOrEqual(2);
      expect(sink.calls.some((c) => c.call === 'peerDown')).toBe(false);
    } finally {
      clearInterval(timer);
    }
  });

  it('a bad peer AS, a zero BGP identifier, a hold time of 2: OPEN Message Error with the right subcode', async () => {
    const { peer, sink } = await start();
    const cases = [
      { open: { as: 65002, holdTime: 90, bgpIdentifier: '10.0.0.1' }, subcode: 2 },
      { open: { as: 65001, holdTime: 90, bgpIdentifier: '0.0.0.0' }, subcode: 3 },
      { open: { as: 65001, holdTime: 90, bgpIdentifier: '192.0.2.100' }, subcode: 3 },
      { open: { as: 65001, holdTime: 2, bgpIdentifier: '10.0.0.1' }, subcode: 6 },
      { open: { as: 65001, holdTime: 90, bgpIdentifier: '10.0.0.1', version: 3 }, subcode: 1 },
    ];
    for (const { open, subcode } of cases) {
      const p = peer();
      await p.connected();
      p.send(encodeOpen({ ...open, capabilities: { multiprotocol: [], routeRefresh: false, fourOctetAs: open.as, unknown: [] } }));
      const n = await p.notification();
      expect([n.errorCode, n.subcode], JSON.stringify(open)).toEqual([ErrorCode.OPEN_MESSAGE, subcode]);
      await p.waitClosed();
    }
    expect(sink.calls).toEqual([]);
  });

  it('an unlisted address is refused at once and counted; a configured peer is still served', async () => {
    const { speaker, peer, log, sink } = await start();
    const stranger = peer('127.0.0.2');
    await stranger.connected().catch(() => {});
    await stranger.waitClosed();
    expect(stranger.received).toEqual([]);
    expect(speaker.refusedConnections).toBe(1);
    expect(log.some((l) => l.includes('127.0.0.2') && l.includes('refused'))).toBe(true);
    await peer().establish({ as: 65001, routerId: '10.0.0.1' });
    await sink.waitFor((c) => c.call === 'peerUp');
  });

  it('a second connection while one is established: Cease / Connection Collision Resolution, the first goes on', async () => {
    const { peer, sink } = await start();
    const first = peer();
    await first.establish({ as: 65001, routerId: '10.0.0.1' });
    await sink.waitFor((c) => c.call === 'peerUp');
    const second = peer();
    await second.connected();
    const n = await second.notification();
    expect([n.errorCode, n.subcode]).toEqual([6, 7]);
    first.send(route(['10.9.0.0/16']));
    await sink.waitFor((c) => c.call === 'update');
  });

  it('treat-as-withdraw on a live session: the announced prefixes arrive withdrawn, the session stays', async () => {
    const { peer, sink, speaker } = await start();
    const p = peer();
    await p.establish({ as: 65001, routerId: '10.0.0.1' });
    const bad = encodeUpdate({ attributes: [encodeAttribute(1, Uint8Array.of(9)), ...encodePathAttributes({ origin: 0, asPath: '65001', nextHop: '127.0.0.1' }, true).slice(1)], nlri: ['10.5.0.0/16'] });
    p.send(bad);
    const update = await sink.waitFor((c) => c.call === 'update');
    expect(update).toMatchObject({ changes: [{ family: 4, withdrawn: ['10.5.0.0/16'], announced: [] }] });
    p.send(route(['10.6.0.0/16']));
    await sink.waitFor((c) => c.call === 'update' && c.changes[0].announced.length === 1);
    expect(speaker.sessions()[0].state).toBe('established');
  });

  it('a bad MP_REACH_NLRI resets the session: UPDATE Message Error, peerDown without restart time', async () => {
    const { peer, sink } = await start();
    const p = peer();
    await p.establish({ as: 65001, routerId: '10.0.0.1', capabilities: { gracefulRestart: { restarting: false, notification: false, restartTime: 120, families: [] } } });
    p.send(encodeUpdate({ attributes: [...encodePathAttributes({ origin: 0, asPath: '65001', nextHop: null }, true), encodeAttribute(14, Uint8Array.of(0, 2, 1, 5, 1, 2, 3, 4, 5, 0))] }));
    const n = await p.notification();
    expect([n.errorCode, n.subcode]).toEqual([3, 9]);
    const down = await sink.waitFor((c) => c.call === 'peerDown');
    expect(down).not.toHaveProperty('restartSeconds');
    expect(sink.calls.filter((c) => c.call === 'update')).toEqual([]);
  });

  it('graceful restart: a lost connection keeps the routes for the restart time; a NOTIFICATION does not', async () => {
    const { peer, sink } = await start();
    const gr = { gracefulRestart: { restarting: false, notification: false, restartTime: 120, families: [{ afi: 1, safi: 1, forwardingState: true }] } };
    const p = peer();
    await p.establish({ as: 65001, routerId: '10.0.0.1', capabilities: gr });
    await sink.waitFor((c) => c.call === 'peerUp');
    p.destroy();
    expect(await sink.waitFor((c) => c.call === 'peerDown')).toMatchObject({ restartSeconds: 120 });
    // Back again; then a NOTIFICATION: the routes go at once.
    const again = peer();
    await again.establish({ as: 65001, routerId: '10.0.0.1', capabilities: gr });
    await sink.waitFor((c) => c.call === 'peerUp' && sink.calls.indexOf(c) > 1);
    again.send(encodeNotification(6, 4));
    const downs = async () => sink.calls.filter((c) => c.call === 'peerDown');
    await sink.waitFor((c) => c.call === 'peerDown' && sink.calls.indexOf(c) > 2);
    const [, second] = await downs();
    expect(second).toMatchObject({ reason: expect.stringContaining('Administrative Reset') });
    expect(second).not.toHaveProperty('restartSeconds');
  });

  it('one bad peer does not touch another: its reset leaves the other session and routes alone', async () => {
    const { peer, sink, speaker } = await start();
    const good = peer('127.0.0.1');
    const bad = peer('127.0.0.3');
    await good.establish({ as: 65001, routerId: '10.0.0.1' });
    await bad.establish({ as: 65003, routerId: '10.0.0.3' });
    await sink.waitFor((c) => c.call === 'peerUp' && c.peer.id === 'bgp 127.0.0.3');
    bad.send(Uint8Array.of(...new Array(16).fill(0xfe), 0, 19, 4)); // a bad marker
    expect([(await bad.notification()).errorCode]).toEqual([ErrorCode.MESSAGE_HEADER]);
    good.send(route(['10.7.0.0/16']));
    await sink.waitFor((c) => c.call === 'update' && c.peerId === 'bgp 127.0.0.1');
    expect(sink.of('bgp 127.0.0.1').map((c) => c.call)).toEqual(['peerUp', 'update']);
    expect(sink.of('bgp 127.0.0.3').map((c) => c.call)).toEqual(['peerUp', 'peerDown']);
    expect(speaker.sessions().map((s) => s.state)).toEqual(['established', 'idle']);
  });

  it('close(): Cease / Administrative Shutdown to each peer, peerDown for each, no more listening', async () => {
    const { speaker, peer, sink, port } = await start();
    const p = peer();
    await p.establish({ as: 65001, routerId: '10.0.0.1' });
    await sink.waitFor((c) => c.call === 'peerUp');
    await speaker.close();
    const n = await p.notification();
    expect([n.errorCode, n.subcode]).toEqual([6, 2]);
    expect(sink.calls.at(-1)).toMatchObject({ call: 'peerDown', peerId: 'bgp 127.0.0.1' });
    const late = new TestPeer(port);
    peers.push(late);
    await expect(late.connected()).rejects.toThrow();
  });
});
