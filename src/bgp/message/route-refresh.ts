// ROUTE-REFRESH (RFC 2918 3): AFI, reserved, SAFI. A receive-only speaker has nothing to re-send,
// so it only checks the length (decodeHeader) and ignores the request.
import { MessageType } from './constants.js';
import { concatBytes, u16Bytes } from './bytes.js';
import { encodeMessage } from './header.js';

export interface RouteRefresh {
  readonly afi: number;
  readonly safi: number;
}

export function decodeRouteRefresh(bytes: Uint8Array): RouteRefresh {
  return { afi: (bytes[19] << 8) | bytes[20], safi: bytes[22] };
}

export function encodeRouteRefresh(afi: number, safi: number): Uint8Array {
  return encodeMessage(MessageType.ROUTE_REFRESH, concatBytes([u16Bytes(afi), Uint8Array.of(0, safi)]));
}
