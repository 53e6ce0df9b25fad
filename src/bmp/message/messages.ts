// One decoder per BMP message type (RFC 7854 4.3-4.10), each given exactly one message (common
// header included, its length already checked by the framing) and reading every byte of it.
import { BgpMessageError } from '../../bgp/message/errors.js';
import { decodeOpen, type OpenMessage } from '../../bgp/message/open.js';
import { readBgpMessage, BGP_TYPE } from './bgp-pdu.js';
import { MESSAGE_TYPE, MESSAGE_TYPE_NAMES, COMMON_HEADER_LENGTH } from './common-header.js';
import { FieldReader } from './field-reader.js';
import { INFO_TYPE, infoText, readInfoTlvs, type InfoTlv } from './info-tlv.js';
import { readAddressField, readPerPeerHeader, type PerPeerHeader } from './per-peer-header.js';

export interface InitiationMessage {
  readonly type: 'initiation';
  readonly sysName?: string;
  readonly sysDescr?: string;
  readonly info: readonly InfoTlv[];
}

export interface TerminationMessage {
  readonly type: 'termination';
  /** RFC 7854 4.5 reason code, when the router gave one. */
  readonly reason?: number;
  /** The reason and any string TLVs, as one line. */
  readonly reasonText: string;
  readonly info: readonly InfoTlv[];
}

export interface PeerUpMessage {
  readonly type: 'peer-up';
  readonly peer: PerPeerHeader;
  readonly localAddress: string;
  readonly localPort: number;
  readonly remotePort: number;
  /** The OPEN the router sent to the peer, decoded. */
  readonly sentOpen: OpenMessage;
  /** The OPEN the peer sent, decoded. */
  readonly receivedOpen: OpenMessage;
  readonly info: readonly InfoTlv[];
}

export interface PeerDownMessage {
  readonly type: 'peer-down';
  readonly peer: PerPeerHeader;
  /** RFC 7854 4.9 reason code 1..5 (6, RFC 9069, and later ones accepted with their data skipped). */
  readonly reason: number;
  /** The NOTIFICATION (reasons 1 and 3), a whole BGP message. */
  readonly notification?: Uint8Array;
  /** The FSM event that closed the session (reason 2). */
  readonly fsmEvent?: number;
  readonly reasonText: string;
}

export interface RouteMonitoringMessage {
  readonly type: 'route-monitoring';
  readonly peer: PerPeerHeader;
  /** One whole BGP UPDATE message, header included. */
  readonly update: Uint8Array;
}

export interface StatisticsReportMessage {
  readonly type: 'statistics-report';
  readonly peer: PerPeerHeader;
  readonly stats: readonly { readonly type: number; readonly value: Uint8Array }[];
}

export interface RouteMirroringMessage {
  readonly type: 'route-mirroring';
  readonly peer: PerPeerHeader;
  readonly tlvs: readonly InfoTlv[];
}

export type BmpMessage =
  | InitiationMessage
  | TerminationMessage
  | PeerUpMessage
  | PeerDownMessage
  | RouteMonitoringMessage
  | StatisticsReportMessage
  | RouteMirroringMessage;

/**
 * Decodes one whole message, `bytes` from its common header to its last byte (the framing in
 * stream.ts has checked version, length and type). The result's byte fields are views into
 * `bytes`. Throws BmpFormatError naming the field that does not fit.
 */
export function decodeMessage(bytes: Uint8Array): BmpMessage {
  const type = bytes[5];
  const reader = new FieldReader(bytes, MESSAGE_TYPE_NAMES[type] ?? `type ${type}`, COMMON_HEADER_LENGTH);
  switch (type) {
    case MESSAGE_TYPE.INITIATION: return decodeInitiation(reader);
    case MESSAGE_TYPE.TERMINATION: return decodeTermination(reader);
    case MESSAGE_TYPE.PEER_UP: return decodePeerUp(reader);
    case MESSAGE_TYPE.PEER_DOWN: return decodePeerDown(reader);
    case MESSAGE_TYPE.ROUTE_MONITORING: return decodeRouteMonitoring(reader);
    case MESSAGE_TYPE.STATISTICS_REPORT: return decodeStatisticsReport(reader);
    case MESSAGE_TYPE.ROUTE_MIRRORING: return decodeRouteMirroring(reader);
    default: throw reader.error(`unknown message type ${type}`, 5);
  }
}

function decodeInitiation(reader: FieldReader): InitiationMessage {
  const info = readInfoTlvs(reader);
  return { type: 'initiation', sysName: infoText(info, INFO_TYPE.SYS_NAME), sysDescr: infoText(info, INFO_TYPE.SYS_DESCR), info };
}

export const TERMINATION_REASONS = [
  'session administratively closed',
  'unspecified reason',
  'out of resources',
  'redundant connection',
  'session permanently administratively closed',
];

const TERMINATION_REASON_TYPE = 1;

function decodeTermination(reader: FieldReader): TerminationMessage {
  const info = readInfoTlvs(reader);
  let reason: number | undefined;
  const parts: string[] = [];
  for (const tlv of info) {
    if (tlv.type === TERMINATION_REASON_TYPE) {
      if (tlv.value.length !== 2) throw reader.error(`termination reason TLV of ${tlv.value.length} bytes, not 2`);
      reason = (tlv.value[0] << 8) | tlv.value[1];
      parts.push(TERMINATION_REASONS[reason] ?? `reason ${reason}`);
    } else if (tlv.type === INFO_TYPE.STRING) {
      parts.push(new TextDecoder().decode(tlv.value));
    }
  }
  return { type: 'termination', reason, reasonText: parts.join(': ') || 'no reason given', info };
}

function decodePeerUp(reader: FieldReader): PeerUpMessage {
  const peer = readPerPeerHeader(reader);
  const localAddress = readAddressField(reader, peer.ipv6, 'local address');
  const localPort = reader.u16('local port');
  const remotePort = reader.u16('remote port');
  const sentOpen = readOpen(reader, 'sent OPEN');
  const receivedOpen = readOpen(reader, 'received OPEN');
  const info = readInfoTlvs(reader);
  return { type: 'peer-up', peer, localAddress, localPort, remotePort, sentOpen, receivedOpen, info };
}

function readOpen(reader: FieldReader, what: string): OpenMessage {
  const at = reader.offset;
  const open = decodeOpen(readBgpMessage(reader, BGP_TYPE.OPEN, what));
  if (open instanceof BgpMessageError) throw reader.error(`${what}: ${open.reason}`, at);
  return open;
}

export const PEER_DOWN_REASON = {
  LOCAL_NOTIFICATION: 1,
  LOCAL_NO_NOTIFICATION: 2,
  REMOTE_NOTIFICATION: 3,
  REMOTE_NO_DATA: 4,
  DECONFIGURED: 5,
} as const;

const NOTIFICATION_CODES = ['', 'Message Header Error', 'OPEN Message Error', 'UPDATE Message Error', 'Hold Timer Expired',
  'Finite State Machine Error', 'Cease', 'ROUTE-REFRESH Message Error'];

function notificationText(notification: Uint8Array): string {
  // 19-byte header, then code and subcode when the message has them
  if (notification.length < 21) return 'NOTIFICATION without a code';
  const code = notification[19];
  return `NOTIFICATION ${NOTIFICATION_CODES[code] ?? `code ${code}`}, subcode ${notification[20]}`;
}

function decodePeerDown(reader: FieldReader): PeerDownMessage {
  const peer = readPerPeerHeader(reader);
  const reason = reader.u8('reason');
  switch (reason) {
    case PEER_DOWN_REASON.LOCAL_NOTIFICATION:
    case PEER_DOWN_REASON.REMOTE_NOTIFICATION: {
      const notification = readBgpMessage(reader, BGP_TYPE.NOTIFICATION, 'NOTIFICATION');
      reader.expectEnd('the NOTIFICATION');
      const side = reason === PEER_DOWN_REASON.LOCAL_NOTIFICATION ? 'the router sent' : 'the peer sent';
      return { type: 'peer-down', peer, reason, notification, reasonText: `${side} ${notificationText(notification)}` };
    }
    case PEER_DOWN_REASON.LOCAL_NO_NOTIFICATION: {
      const fsmEvent = reader.u16('FSM event code');
      reader.expectEnd('the FSM event code');
      return { type: 'peer-down', peer, reason, fsmEvent, reasonText: `the router closed the session (FSM event ${fsmEvent})` };
    }
    case PEER_DOWN_REASON.REMOTE_NO_DATA:
      reader.expectEnd('reason 4, which has no data');
      return { type: 'peer-down', peer, reason, reasonText: 'the peer closed the session' };
    case PEER_DOWN_REASON.DECONFIGURED:
      reader.expectEnd('reason 5, which has no data');
      return { type: 'peer-down', peer, reason, reasonText: 'the router no longer monitors the peer (de-configured)' };
    case 0:
      throw reader.error('peer down reason 0 is reserved', reader.offset - 1);
    default:
      // RFC 9069's reason 6 (Loc-RIB instance gone) carries TLVs; later reasons are unknown: the peer is down either way
      reader.bytesOf(reader.remaining, `reason ${reason} data`);
      return { type: 'peer-down', peer, reason, reasonText: `peer down, reason ${reason}` };
  }
}

function decodeRouteMonitoring(reader: FieldReader): RouteMonitoringMessage {
  const peer = readPerPeerHeader(reader);
  const update = readBgpMessage(reader, BGP_TYPE.UPDATE, 'UPDATE');
  reader.expectEnd('the UPDATE');
  return { type: 'route-monitoring', peer, update };
}

/** Value lengths RFC 7854 4.8 and RFC 8671 fix; other types are kept as they come. */
const STAT_LENGTHS: Readonly<Record<number, number>> = {
  0: 4, 1: 4, 2: 4, 3: 4, 4: 4, 5: 4, 6: 4, 7: 8, 8: 8, 9: 11, 10: 11, 11: 4, 12: 4, 13: 4,
};

function decodeStatisticsReport(reader: FieldReader): StatisticsReportMessage {
  const peer = readPerPeerHeader(reader);
  const count = reader.u32('stats count');
  const stats: { type: number; value: Uint8Array }[] = [];
  for (let i = 0; i < count; i++) {
    const at = reader.offset;
    const type = reader.u16(`stat ${i + 1} of ${count}: type`);
    const length = reader.u16(`stat ${i + 1} of ${count}: length`);
    const expected = STAT_LENGTHS[type];
    if (expected !== undefined && length !== expected) throw reader.error(`stat type ${type} has length ${length}, not ${expected}`, at);
    stats.push({ type, value: reader.bytesOf(length, `stat ${i + 1} of ${count}: value`) });
  }
  reader.expectEnd(`${count} stats`);
  return { type: 'statistics-report', peer, stats };
}

function decodeRouteMirroring(reader: FieldReader): RouteMirroringMessage {
  const peer = readPerPeerHeader(reader);
  return { type: 'route-mirroring', peer, tlvs: readInfoTlvs(reader, 'route mirroring TLV') };
}
