// A router's BMP stream turned into RouteSink calls: sources per peer and policy, 2- and
// 4-octet AS paths as the Peer Up's OPENs decide, peer down and connection loss withdrawing
// routes, the peers and messages left out counted. The sink keeps routes the obvious way.
import { describe, expect, it } from 'vitest';
import { BmpFormatError } from '../../src/bmp/errors.js';
import { BmpRouterSession } from '../../src/bmp/router-session.js';
import {
  bgpNotification, bgpOpen, bgpUpdate, FLAG, initiation, peerDown, peerUp, routeMirroring, routeMonitoring, statisticsReport,
  termination, type PeerFields,
} from '../helpers/bmp.js';
import { concat } from '../helpers/packets.js';
import { RecordingSink } from '../helpers/recording-sink.js';

const ROUTER = '10.0.0.1';
const peerA: PeerFields = { address: '192.0.2.7', as: 64500, routerId: '192.0.2.7' };
const peerB: PeerFields = { address: '2001:db8::9', as: 4_200_000_009, routerId: '10.9.9.9' };
const idA = (policy: 'pre' | 'post') => `bmp ${ROUTER} peer 192.0.2.7 ${policy}-policy`;

function up(peer: PeerFields, o: { fourOctetAs?: boolean; localAs?: number } = {}): Uint8Array {
  return peerUp({
    peer, localAddress: peer.address.includes(':') ? '2001:db8::1' : '192.0.2.1',
    sentOpen: bgpOpen({ as: o.localAs ?? 65001, routerId: ROUTER }),
    receivedOpen: bgpOpen({ as: peer.as, routerId: peer.routerId ?? '0.0.0.0', fourOctetAs: o.fourOctetAs }),
  });
}

function session(options: { monitoredPeers?: (string | number)[] } = {}) {
  const sink = new RecordingSink();
  const log: string[] = [];
  const s = new BmpRouterSession(ROUTER, { sink, onLog: (l) => log.push(l), ...options });
  return { sink, log, s };
}

const announceA = bgpUpdate({ announced: ['198.51.100.0/24', '203.0.113.0/25'], asPath: [64500, 4_200_000_000], nextHop: '192.0.2.7', med: 10, communities: ['64500:100', '65535:65281'] });

describe('a router session', () => {
  it('Peer Up, Route Monitoring pre- and post-policy: two sources with their routes and attributes', () => {
    const { sink, s } = session();
    s.receive(concat(initiation({ sysName: 'r1', sysDescr: 'test router' }), up(peerA)));
    expect(sink.calls).toEqual([]);
    expect(s.sessions()).toMatchObject([{ remoteAddress: '192.0.2.7', state: 'established' }]);
    s.receive(routeMonitoring(peerA, announceA));
    s.receive(routeMonitoring({ ...peerA, postPolicy: true }, bgpUpdate({ announced: ['198.51.100.0/24'], asPath: [64500, 4_200_000_000], nextHop: '192.0.2.7', localPref: 200 })));
    expect(s.sysName).toBe('r1');
    expect(sink.violations).toEqual([]);
    expect(sink.peers.get(idA('pre'))).toEqual({
      id: idA('pre'), kind: 'bmp', address: '192.0.2.7', as: 64500, routerId: '192.0.2.7', internal: false, bmpRouter: ROUTER,
    });
    expect(Object.fromEntries(sink.routes.get(idA('pre'))!)).toEqual({
      '198.51.100.0/24': expect.objectContaining({ asPath: '64500 4200000000', nextHop: '192.0.2.7', med: 10, communities: ['64500:100', 'no-export'] }),
      '203.0.113.0/25': expect.objectContaining({ asPath: '64500 4200000000' }),
    });
    expect([...sink.routes.get(idA('post'))!.entries()]).toEqual([['198.51.100.0/24', expect.objectContaining({ localPref: 200 })]]);
    expect(s.sessions().map((i) => [i.peer?.id, i.state, i.updatesReceived, i.prefixesAnnounced])).toEqual([
      [idA('pre'), 'established', 1, 2], [idA('post'), 'established', 1, 1],
    ]);
  });

  it('IPv6 peer, IPv6 routes in MP_REACH, withdrawn by MP_UNREACH; End-of-RIB passed on', () => {
    const { sink, s } = session();
    const id = `bmp ${ROUTER} peer 2001:db8::9 pre-policy`;
    s.receive(concat(up(peerB), routeMonitoring(peerB, bgpUpdate({ asPath: [4_200_000_009], ipv6: { nextHop: '2001:db8::9', announced: ['2001:db8:100::/48'] } }))));
    expect(sink.routes.get(id)?.get('2001:db8:100::/48')).toMatchObject({ asPath: '4200000009', nextHop: '2001:db8::9' });
    s.receive(routeMonitoring(peerB, bgpUpdate({ ipv6: { nextHop: '::', withdrawn: ['2001:db8:100::/48'] } })));
    expect(sink.routes.get(id)?.size).toBe(0);
    s.receive(routeMonitoring(peerB, bgpUpdate({})));
    expect(sink.callsOf('endOfRib')).toEqual([{ call: 'endOfRib', peerId: id, family: 4 }]);
    expect(sink.peers.get(id)).toMatchObject({ as: 4_200_000_009, routerId: '10.9.9.9' });
  });

  it('2-octet AS paths when the peer did not offer 4-octet AS, or the A flag says so', () => {
    const { sink, s } = session();
    s.receive(concat(up(peerA, { fourOctetAs: false }),
      routeMonitoring(peerA, bgpUpdate({ announced: ['198.51.100.0/24'], asPath: [64500, 64501, 3], twoOctetAs: true, nextHop: '192.0.2.7' }))));
    expect(sink.routes.get(idA('pre'))?.get('198.51.100.0/24')?.asPath).toBe('64500 64501 3');
    const other = session();
    other.s.receive(concat(up(peerA), routeMonitoring({ ...peerA, flags: FLAG.A }, bgpUpdate({ announced: ['198.51.100.0/24'], asPath: [64500, 7], twoOctetAs: true, nextHop: '192.0.2.7' }))));
    expect(other.sink.routes.get(idA('pre'))?.get('198.51.100.0/24')?.asPath).toBe('64500 7');
  });

  it('an iBGP peer (same AS as the router) is internal', () => {
    const { sink, s } = session();
    s.receive(concat(up(peerA, { localAs: 64500 }), routeMonitoring(peerA, bgpUpdate({ announced: ['198.51.100.0/24'], asPath: [], nextHop: '192.0.2.7', localPref: 100 }))));
    expect(sink.peers.get(idA('pre'))?.internal).toBe(true);
    expect(sink.routes.get(idA('pre'))?.get('198.51.100.0/24')?.asPath).toBe('');
  });

  it('Peer Down withdraws both policies\' routes with the reason; another peer keeps its routes', () => {
    const { sink, s } = session();
    s.receive(concat(up(peerA), up(peerB), routeMonitoring(peerA, announceA), routeMonitoring({ ...peerA, postPolicy: true }, announceA),
      routeMonitoring(peerB, bgpUpdate({ asPath: [1], ipv6: { nextHop: '2001:db8::9', announced: ['2001:db8::/32'] } }))));
    s.receive(peerDown({ peer: peerA, reason: 3, notification: bgpNotification(6, 2) }));
    expect(sink.callsOf('peerDown')).toEqual([
      { call: 'peerDown', peerId: idA('pre'), reason: 'the peer sent NOTIFICATION Cease, subcode 2', restartSeconds: undefined },
      { call: 'peerDown', peerId: idA('post'), reason: 'the peer sent NOTIFICATION Cease, subcode 2', restartSeconds: undefined },
    ]);
    expect([...sink.routes.keys()]).toEqual([`bmp ${ROUTER} peer 2001:db8::9 pre-policy`]);
    expect(s.sessions().filter((i) => i.peer?.address === '192.0.2.7').map((i) => [i.state, i.lastError]))
      .toEqual([['idle', 'the peer sent NOTIFICATION Cease, subcode 2'], ['idle', 'the peer sent NOTIFICATION Cease, subcode 2']]);
    // up again: listed by address until its first route, then a fresh source
    s.receive(up(peerA));
    expect(s.sessions().filter((i) => i.remoteAddress === '192.0.2.7').map((i) => [i.peer?.id, i.state]))
      .toEqual([[idA('pre'), 'idle'], [idA('post'), 'idle'], [undefined, 'established']]);
    s.receive(routeMonitoring(peerA, announceA));
    expect(s.sessions().filter((i) => i.remoteAddress === '192.0.2.7').map((i) => [i.peer?.id, i.state, i.prefixesAnnounced]))
      .toEqual([[idA('pre'), 'established', 2], [idA('post'), 'idle', 2]]);
    expect(sink.routes.get(idA('pre'))?.size).toBe(2);
    expect(sink.violations).toEqual([]);
  });

  it('end(): every peer\'s routes go; a stream cut inside a message says so', () => {
    const { sink, s } = session();
    const rm = routeMonitoring(peerB, bgpUpdate({ asPath: [1], ipv6: { nextHop: '2001:db8::9', announced: ['2001:db8::/32'] } }));
    s.receive(concat(up(peerA), up(peerB), routeMonitoring(peerA, announceA), rm, rm.subarray(0, 30)));
    s.end('connection closed');
    expect(sink.routes.size).toBe(0);
    expect(sink.callsOf('peerDown').map((c) => c.reason)).toEqual([
      `router session ended: connection closed; the stream stopped inside a message (30 of the ${rm.length} bytes of a message)`,
      `router session ended: connection closed; the stream stopped inside a message (30 of the ${rm.length} bytes of a message)`,
    ]);
    s.receive(rm); // after the end: ignored
    expect(sink.calls.length).toBe(6); // two peerUp, two update, two peerDown
  });

  it('Termination ends the session with its reason', () => {
    const { sink, s } = session();
    s.receive(concat(up(peerA), routeMonitoring(peerA, announceA), termination({ reason: 0 })));
    expect(s.ended).toBe(true);
    expect(sink.callsOf('peerDown')[0].reason).toBe('router session ended: router terminated the session: session administratively closed');
  });

  it('monitoredPeers: by address or AS; others counted and left out', () => {
    for (const monitoredPeers of [['2001:db8::9'], [4_200_000_009]]) {
      const { sink, s } = session({ monitoredPeers });
      s.receive(concat(up(peerA), up(peerB), routeMonitoring(peerA, announceA), routeMonitoring(peerB, bgpUpdate({}))));
      expect([...sink.peers.keys()]).toEqual([`bmp ${ROUTER} peer 2001:db8::9 pre-policy`]);
      expect(s.counters.skippedUnmonitoredPeer).toBe(2);
    }
  });

  it('skipped and counted: RD and local instance peers, Adj-RIB-Out, Route Monitoring before Peer Up, stats, mirroring', () => {
    const { sink, s, log } = session();
    s.receive(concat(
      up({ ...peerA, peerType: 1 }), routeMonitoring({ ...peerA, peerType: 1 }, announceA), routeMonitoring({ ...peerA, peerType: 2 }, announceA),
      routeMonitoring(peerA, announceA), routeMonitoring(peerA, announceA),
      up(peerA), routeMonitoring({ ...peerA, flags: FLAG.O }, announceA),
      statisticsReport(peerA, [{ type: 0, value: 1 }]), routeMirroring(peerA, bgpNotification(6, 2)),
    ));
    expect(sink.calls).toEqual([]);
    expect(s.counters).toMatchObject({
      messages: 9, routeMonitoring: 5, skippedPeerType: 3, skippedBeforePeerUp: 2, skippedAdjRibOut: 1, statisticsReports: 1, routeMirroring: 1,
    });
    expect(log.filter((l) => l.includes('before its Peer Up'))).toHaveLength(1);
  });

  it('an UPDATE RFC 7606 resets a session over: that source ends, the other policy and peers stay, until the next Peer Up', () => {
    const { sink, s } = session();
    const broken = bgpUpdate({ announced: ['198.51.100.0/24'], asPath: [1], nextHop: '192.0.2.7' });
    broken[20] = 0xff; // withdrawn routes length runs past the message
    s.receive(concat(up(peerA), routeMonitoring(peerA, announceA), routeMonitoring({ ...peerA, postPolicy: true }, announceA), routeMonitoring(peerA, broken)));
    expect(sink.callsOf('peerDown').map((c) => c.peerId)).toEqual([idA('pre')]);
    expect(sink.callsOf('peerDown')[0].reason).toMatch(/^UPDATE that RFC 7606 resets the session over: /);
    s.receive(routeMonitoring(peerA, announceA));
    expect(sink.routes.has(idA('pre'))).toBe(false);
    expect(sink.routes.get(idA('post'))?.size).toBe(2);
    s.receive(concat(up(peerA), routeMonitoring(peerA, announceA)));
    expect(sink.routes.get(idA('pre'))?.size).toBe(2);
    expect(s.counters.updateErrors).toBe(1);
    expect(sink.violations).toEqual([]);
  });

  it('a Peer Up for a peer that is up ends its sources first', () => {
    const { sink, s } = session();
    s.receive(concat(up(peerA), routeMonitoring(peerA, announceA), up(peerA)));
    expect(sink.callsOf('peerDown')).toMatchObject([{ peerId: idA('pre'), reason: 'Peer Up again without a Peer Down' }]);
  });

  it('a bad message throws BmpFormatError after the messages before it were applied', () => {
    const { sink, s } = session();
    const bad = routeMonitoring(peerA, announceA);
    bad[0] = 2;
    expect(() => s.receive(concat(up(peerA), routeMonitoring(peerA, announceA), bad))).toThrow(BmpFormatError);
    expect(sink.routes.get(idA('pre'))?.size).toBe(2);
  });
});

describe('FRR\'s own AS in front of an eBGP peer\'s path (FRRouting/frr#21815)', () => {
  const path = (asPath: number[], o: { localAs?: number } = {}) => {
    const { sink, s } = session();
    s.receive(concat(up(peerA, o), routeMonitoring(peerA, bgpUpdate({ announced: ['198.51.100.0/24'], asPath, nextHop: '192.0.2.7' }))));
    return { attributes: sink.routes.get(idA('pre'))?.get('198.51.100.0/24'), removed: s.counters.ownAsRemoved };
  };

  it('is taken off when the router\'s AS is followed by the peer\'s', () => {
    expect(path([65001, 64500, 7])).toMatchObject({ attributes: { asPath: '64500 7', asPathLength: 2, neighborAs: 64500 }, removed: 1 });
    expect(path([65001, 64500])).toMatchObject({ attributes: { asPath: '64500', asPathLength: 1, neighborAs: 64500 }, removed: 1 });
  });

  it('stays in every other case: a path as the peer sent it, another first AS, an iBGP peer', () => {
    expect(path([64500, 65001, 7])).toMatchObject({ attributes: { asPath: '64500 65001 7', neighborAs: 64500 }, removed: 0 });
    expect(path([65001, 7])).toMatchObject({ attributes: { asPath: '65001 7' }, removed: 0 });
    expect(path([650011, 64500])).toMatchObject({ attributes: { asPath: '650011 64500' }, removed: 0 });
    expect(path([64500, 64500], { localAs: 64500 })).toMatchObject({ attributes: { asPath: '64500 64500' }, removed: 0 });
  });
});
