// Capabilities (RFC 5492) this speaker understands: multiprotocol (RFC 4760 8), route refresh
// (RFC 2918), graceful restart (RFC 4724 3) and 4-octet AS (RFC 6793). Others are listed, not read.
import { AS_TRANS, CapabilityCode } from './constants.js';
import { concatBytes, readU16, readU32, u16Bytes, u32Bytes } from './bytes.js';

export interface AfiSafi {
  readonly afi: number;
  readonly safi: number;
}

export interface GracefulRestart {
  /** R bit: the sender has just restarted. */
  readonly restarting: boolean;
  /** N bit (RFC 8538): graceful restart applies to NOTIFICATIONs too. */
  readonly notification: boolean;
  /** Seconds the sender expects to need to re-establish the session. */
  readonly restartTime: number;
  /** The families whose forwarding the sender keeps across its restart, with the F bit (kept this time). */
  readonly families: readonly (AfiSafi & { readonly forwardingState: boolean })[];
}

export interface Capabilities {
  readonly multiprotocol: readonly AfiSafi[];
  readonly routeRefresh: boolean;
  /** The sender's real AS (RFC 6793), when it speaks 4-octet AS. */
  readonly fourOctetAs?: number;
  readonly gracefulRestart?: GracefulRestart;
  /** Codes of the capabilities not read here. */
  readonly unknown: readonly number[];
}

/**
 * Reads the capabilities in `bytes[start, end)` (one Capabilities optional parameter's value)
 * into `into`. Returns null or why a capability is malformed.
 */
export function decodeCapabilities(bytes: Uint8Array, start: number, end: number, into: MutableCapabilities): string | null {
  let i = start;
  while (i < end) {
    if (end - i < 2) return `capability header cut at octet ${i - start}`;
    const code = bytes[i];
    const length = bytes[i + 1];
    const value = i + 2;
    if (value + length > end) return `capability ${code} length ${length} runs past its parameter (${end - value} octets left)`;
    i = value + length;
    switch (code) {
      case CapabilityCode.MULTIPROTOCOL:
        if (length !== 4) return `multiprotocol capability length ${length}, expected 4`;
        into.multiprotocol.push({ afi: readU16(bytes, value), safi: bytes[value + 3] });
        break;
      case CapabilityCode.ROUTE_REFRESH:
        into.routeRefresh = true;
        break;
      case CapabilityCode.FOUR_OCTET_AS:
        if (length !== 4) return `4-octet AS capability length ${length}, expected 4`;
        into.fourOctetAs = readU32(bytes, value);
        break;
      case CapabilityCode.GRACEFUL_RESTART: {
        if (length < 2 || (length - 2) % 4 !== 0) return `graceful restart capability length ${length}, expected 2 + 4 per family`;
        const timers = readU16(bytes, value);
        const families = [];
        for (let f = value + 2; f < value + length; f += 4) {
          families.push({ afi: readU16(bytes, f), safi: bytes[f + 2], forwardingState: (bytes[f + 3] & 0x80) !== 0 });
        }
        into.gracefulRestart = {
          restarting: (timers & 0x8000) !== 0, notification: (timers & 0x4000) !== 0, restartTime: timers & 0x0fff, families,
        };
        break;
      }
      default:
        into.unknown.push(code);
    }
  }
  return null;
}

export type MutableCapabilities = { -readonly [K in keyof Capabilities]: K extends 'multiprotocol' | 'unknown' ? Capabilities[K] extends readonly (infer T)[] ? T[] : never : Capabilities[K] };

export function emptyCapabilities(): MutableCapabilities {
  return { multiprotocol: [], routeRefresh: false, unknown: [] };
}

function capability(code: number, value: Uint8Array): Uint8Array {
  return concatBytes([Uint8Array.of(code, value.length), value]);
}

/** The capabilities as one Capabilities optional parameter's value (a list of <code, length, value>). */
export function encodeCapabilities(c: Capabilities): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const { afi, safi } of c.multiprotocol) parts.push(capability(CapabilityCode.MULTIPROTOCOL, concatBytes([u16Bytes(afi), Uint8Array.of(0, safi)])));
  if (c.routeRefresh) parts.push(capability(CapabilityCode.ROUTE_REFRESH, new Uint8Array(0)));
  if (c.gracefulRestart) {
    const g = c.gracefulRestart;
    const timers = (g.restarting ? 0x8000 : 0) | (g.notification ? 0x4000 : 0) | (g.restartTime & 0x0fff);
    parts.push(capability(CapabilityCode.GRACEFUL_RESTART, concatBytes([
      u16Bytes(timers),
      ...g.families.map((f) => concatBytes([u16Bytes(f.afi), Uint8Array.of(f.safi, f.forwardingState ? 0x80 : 0)])),
    ])));
  }
  if (c.fourOctetAs !== undefined) parts.push(capability(CapabilityCode.FOUR_OCTET_AS, u32Bytes(c.fourOctetAs)));
  return concatBytes(parts);
}

/** The 2-octet My Autonomous System field for an AS (AS_TRANS above 65535). */
export function twoOctetAs(as: number): number {
  return as > 0xffff ? AS_TRANS : as;
}
