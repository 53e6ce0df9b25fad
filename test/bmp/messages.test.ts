// Each BMP message type decoded from the builders' bytes, field by field; and every valid
// message cut at every length (its length field set to match) gives a BmpFormatError that names
// the message type and the field, never another exception, unless the cut falls where a
// shorter message of that type is itself valid (after a whole TLV of a trailing TLV list).
import { describe, expect, it } from 'vitest';
import { BmpFormatError } from '../../src/bmp/errors.js';
import { decodeCommonHeader } from '../../src/bmp/message/common-header.js';
import { decodeMessage } from '../../src/bmp/message/messages.js';
import {
  bgpNotification, bgpOpen, bgpUpdate, BMP_TYPE, bmpMessage, cutMessage, FLAG, initiation, peerDown, peerUp,
  perPeerHeader, routeMirroring, routeMonitoring, statisticsReport, termination, tlv,
} from '../helpers/bmp.js';

const v4Peer = { address: '192.0.2.7', as: 64500, routerId: '192.0.2.7', seconds: 1_700_000_001, microseconds: 5_000 };
const v6Peer = { address: '2001:db8::7', as: 4_200_000_001, routerId: '10.0.0.7', postPolicy: true };
const sentOpen = bgpOpen({ as: 65001, routerId: '10.255.0.1' });
const receivedOpen = bgpOpen({ as: 64500, routerId: '192.0.2.7', holdTime: 180 });
const update = bgpUpdate({ announced: ['198.51.100.0/24'], asPath: [64500, 64501], nextHop: '192.0.2.7', communities: ['64500:1'] });

/** Valid messages of every type, with the shorter lengths at which a cut is still a valid message. */
function samples(): { name: string; bytes: Uint8Array; validShorter: number[] }[] {
  const initiationTlvs = [tlv(1, new TextEncoder().encode('FRRouting 8.4.4')), tlv(2, new TextEncoder().encode('r1'))];
  const mirroringBgp = bgpNotification(6, 2);
  return [
    { name: 'Initiation', bytes: initiation({ sysDescr: 'FRRouting 8.4.4', sysName: 'r1' }), validShorter: [6, 6 + initiationTlvs[0].length] },
    { name: 'Termination', bytes: termination({ text: 'bye', reason: 0 }), validShorter: [6, 6 + 7] },
    {
      name: 'Peer Up', bytes: peerUp({ peer: v4Peer, localAddress: '192.0.2.1', sentOpen, receivedOpen, info: [tlv(0, new TextEncoder().encode('hi'))] }),
      validShorter: [6 + 42 + 20 + sentOpen.length + receivedOpen.length],
    },
    { name: 'Peer Up (IPv6)', bytes: peerUp({ peer: v6Peer, localAddress: '2001:db8::1', sentOpen, receivedOpen }), validShorter: [] },
    { name: 'Peer Down (notification)', bytes: peerDown({ peer: v4Peer, reason: 1, notification: bgpNotification(6, 2) }), validShorter: [] },
    { name: 'Peer Down (FSM event)', bytes: peerDown({ peer: v4Peer, reason: 2, fsmEvent: 7 }), validShorter: [] },
    { name: 'Peer Down (remote, no data)', bytes: peerDown({ peer: v4Peer, reason: 4 }), validShorter: [] },
    { name: 'Route Monitoring', bytes: routeMonitoring(v4Peer, update), validShorter: [] },
    {
      name: 'Statistics Report',
      bytes: statisticsReport(v4Peer, [{ type: 0, value: 3 }, { type: 7, value: 2 ** 40 + 5, gauge: true }]), validShorter: [],
    },
    { name: 'Route Mirroring', bytes: routeMirroring(v4Peer, mirroringBgp, 1), validShorter: [48, 48 + 4 + mirroringBgp.length] },
  ];
}

describe('decoding each message type', () => {
  it('Initiation: sysName and sysDescr', () => {
    expect(decodeMessage(initiation({ sysDescr: 'FRRouting 8.4.4', sysName: 'r1', strings: ['lab'] })))
      .toMatchObject({ type: 'initiation', sysName: 'r1', sysDescr: 'FRRouting 8.4.4' });
  });

  it('Termination: the reason code and text', () => {
    expect(decodeMessage(termination({ reason: 3, text: 'bye' })))
      .toMatchObject({ type: 'termination', reason: 3, reasonText: 'bye: redundant connection' });
    expect(decodeMessage(termination())).toMatchObject({ type: 'termination', reasonText: 'no reason given' });
  });

  it('Peer Up: per-peer header, local address and ports, both OPENs', () => {
    const message = decodeMessage(peerUp({ peer: v4Peer, localAddress: '192.0.2.1', localPort: 179, remotePort: 40123, sentOpen, receivedOpen }));
    expect(message).toMatchObject({
      type: 'peer-up',
      peer: {
        peerType: 0, ipv6: false, postPolicy: false, legacyAsPath: false, address: '192.0.2.7', as: 64500, routerId: '192.0.2.7',
        distinguisher: '0000000000000000', timestamp: 1_700_000_001_005,
      },
      localAddress: '192.0.2.1', localPort: 179, remotePort: 40123,
      sentOpen: { as: 65001, bgpIdentifier: '10.255.0.1', capabilities: { fourOctetAs: 65001 } },
      receivedOpen: { as: 64500, holdTime: 180, bgpIdentifier: '192.0.2.7' },
    });
  });

  it('Peer Up of an IPv6 peer: V flag, IPv6 addresses, L flag, 4-octet AS', () => {
    const message = decodeMessage(peerUp({ peer: v6Peer, localAddress: '2001:db8::1', sentOpen, receivedOpen }));
    expect(message).toMatchObject({ peer: { ipv6: true, postPolicy: true, address: '2001:db8::7', as: 4_200_000_001 }, localAddress: '2001:db8::1' });
  });

  it('Peer Down: every reason code', () => {
    expect(decodeMessage(peerDown({ peer: v4Peer, reason: 1, notification: bgpNotification(6, 2) })))
      .toMatchObject({ type: 'peer-down', reason: 1, reasonText: 'the router sent NOTIFICATION Cease, subcode 2' });
    expect(decodeMessage(peerDown({ peer: v4Peer, reason: 2, fsmEvent: 7 }))).toMatchObject({ reason: 2, fsmEvent: 7 });
    expect(decodeMessage(peerDown({ peer: v4Peer, reason: 3, notification: bgpNotification(4, 0) })))
      .toMatchObject({ reason: 3, reasonText: 'the peer sent NOTIFICATION Hold Timer Expired, subcode 0' });
    expect(decodeMessage(peerDown({ peer: v4Peer, reason: 4 }))).toMatchObject({ reason: 4, reasonText: 'the peer closed the session' });
    expect(decodeMessage(peerDown({ peer: v4Peer, reason: 5 }))).toMatchObject({ reason: 5 });
    expect(() => decodeMessage(peerDown({ peer: v4Peer, reason: 0 }))).toThrow(/reason 0 is reserved/);
    expect(() => decodeMessage(peerDown({ peer: v4Peer, reason: 4, fsmEvent: 1 }))).toThrow(/2 bytes after reason 4/);
  });

  it('Route Monitoring: the UPDATE is handed on whole', () => {
    const message = decodeMessage(routeMonitoring({ ...v4Peer, flags: FLAG.A }, update));
    expect(message.type).toBe('route-monitoring');
    if (message.type !== 'route-monitoring') return;
    expect(message.peer.legacyAsPath).toBe(true);
    expect([...message.update]).toEqual([...update]);
  });

  it('Route Monitoring holding another BGP message type, or bytes after the UPDATE: errors naming them', () => {
    expect(() => decodeMessage(routeMonitoring(v4Peer, bgpNotification(6, 2)))).toThrow(/UPDATE is a BGP NOTIFICATION message, not UPDATE/);
    const extra = bmpMessage(BMP_TYPE.ROUTE_MONITORING, new Uint8Array([...perPeerHeader(v4Peer), ...update, 0]));
    expect(() => decodeMessage(extra)).toThrow(/1 bytes after the UPDATE/);
    const badMarker = routeMonitoring(v4Peer, update);
    badMarker[6 + 42 + 3] = 0;
    expect(() => decodeMessage(badMarker)).toThrow(/BMP Route Monitoring, byte 48: UPDATE's BGP marker is not all ones/);
  });

  it('Statistics Report: counters and gauges; a known type with the wrong length is an error', () => {
    const message = decodeMessage(statisticsReport(v4Peer, [{ type: 0, value: 3 }, { type: 7, value: 2 ** 40 + 5, gauge: true }]));
    expect(message).toMatchObject({ type: 'statistics-report', stats: [{ type: 0 }, { type: 7 }] });
    const wrong = bmpMessage(BMP_TYPE.STATISTICS_REPORT, new Uint8Array([...perPeerHeader(v4Peer), 0, 0, 0, 1, ...tlv(7, Uint8Array.of(1, 2, 3, 4))]));
    expect(() => decodeMessage(wrong)).toThrow(/stat type 7 has length 4, not 8/);
  });

  it('Route Mirroring: its TLVs', () => {
    expect(decodeMessage(routeMirroring(v4Peer, bgpNotification(6, 2), 0))).toMatchObject({ type: 'route-mirroring', tlvs: [{ type: 0 }, { type: 1 }] });
  });

  it('Peer Up whose OPEN does not decode: the field named', () => {
    const badOpen = bgpOpen({ as: 1, routerId: '10.0.0.1' });
    badOpen[28] += 1; // optional parameters length one more than follows
    expect(() => decodeMessage(peerUp({ peer: v4Peer, localAddress: '192.0.2.1', sentOpen, receivedOpen: badOpen })))
      .toThrow(/BMP Peer Up Notification, byte \d+: received OPEN: /);
  });
});

describe('the common header', () => {
  it('refuses other versions, lengths under 6 or over 1 MiB, unknown types', () => {
    expect(() => decodeCommonHeader(bmpMessage(4, new Uint8Array(0), 6, 1))).toThrow(/version 1, only BMP version 3/);
    expect(() => decodeCommonHeader(bmpMessage(4, new Uint8Array(0), 5))).toThrow(/length 5 is shorter than the 6-byte/);
    expect(() => decodeCommonHeader(bmpMessage(4, new Uint8Array(0), 2 ** 20 + 1))).toThrow(/over the limit of 1048576/);
    expect(() => decodeCommonHeader(bmpMessage(7, new Uint8Array(0)))).toThrow(/unknown message type 7/);
    expect(decodeCommonHeader(bmpMessage(4, new Uint8Array(0), 2 ** 20))).toEqual({ version: 3, length: 2 ** 20, type: 4 });
  });
});

describe('every message cut at every length', () => {
  for (const { name, bytes, validShorter } of samples()) {
    it(name, () => {
      expect(() => decodeMessage(bytes)).not.toThrow();
      for (let length = 6; length < bytes.length; length++) {
        const cut = cutMessage(bytes, length);
        let error: unknown;
        try {
          decodeMessage(cut);
        } catch (e) {
          error = e;
        }
        if (validShorter.includes(length)) {
          expect(error, `${name} cut to ${length} bytes is a valid message`).toBeUndefined();
          continue;
        }
        expect(error, `${name} cut to ${length} of ${bytes.length} bytes`).toBeInstanceOf(BmpFormatError);
        const e = error as BmpFormatError;
        expect(e.code).toBe('BMP_FORMAT');
        expect(e.message).toMatch(/^BMP [A-Z][A-Za-z ]+, byte \d+: \S/);
        expect(e.offset).toBeLessThanOrEqual(length);
      }
    });
  }
});
