// AS_PATH and AS4_PATH (RFC 4271 4.3, 5.1.2; RFC 6793): segments of 2- or 4-octet AS numbers, the
// AS4_PATH merge of a 2-octet session, and the path as `bgpdump -m` prints it.
import { AsPathSegmentType, AttributeType } from '../constants.js';
import { concatBytes } from '../bytes.js';
import { Malformed, encodeAttribute } from './attribute.js';

export interface AsPathSegment {
  readonly type: number;
  readonly asns: readonly number[];
}

/** Segments of an AS_PATH (asOctets 2 or 4) or AS4_PATH (4) value; RFC 7606 7.2 says what is malformed. */
export function decodeAsPath(
  name: string, bytes: Uint8Array, start: number, length: number, asOctets: 2 | 4,
): AsPathSegment[] | Malformed {
  const segments: AsPathSegment[] = [];
  const end = start + length;
  let i = start;
  while (i < end) {
    if (end - i < 2) return new Malformed(`${name} segment header cut at octet ${i - start} of ${length}`);
    const type = bytes[i];
    const count = bytes[i + 1];
    if (type < AsPathSegmentType.AS_SET || type > AsPathSegmentType.AS_CONFED_SET) {
      return new Malformed(`${name} segment type ${type} at octet ${i - start} is not 1..4`);
    }
    if (count === 0) return new Malformed(`${name} segment of length 0 at octet ${i - start}`);
    i += 2;
    if (i + count * asOctets > end) {
      return new Malformed(`${name} segment of ${count} ASes at octet ${i - 2 - start} needs ${count * asOctets} octets, ${end - i} left`);
    }
    const asns = new Array<number>(count);
    for (let k = 0; k < count; k++, i += asOctets) {
      asns[k] = asOctets === 4
        ? ((bytes[i] << 24) | (bytes[i + 1] << 16) | (bytes[i + 2] << 8) | bytes[i + 3]) >>> 0
        : (bytes[i] << 8) | bytes[i + 1];
    }
    segments.push({ type, asns });
  }
  return segments;
}

function isConfederation(type: number): boolean {
  return type === AsPathSegmentType.AS_CONFED_SEQUENCE || type === AsPathSegmentType.AS_CONFED_SET;
}

/** RFC 4271 9.1.2.2 a (with RFC 5065 5.3): each AS of a sequence counts 1, a set 1, confederation segments 0. */
export function asPathLength(segments: readonly AsPathSegment[]): number {
  let length = 0;
  for (const segment of segments) {
    if (segment.type === AsPathSegmentType.AS_SEQUENCE) length += segment.asns.length;
    else if (segment.type === AsPathSegmentType.AS_SET) length += 1;
  }
  return length;
}

/** The leftmost AS outside confederation segments when it starts a sequence: the neighbour AS (RFC 4271 9.1.2.2 c). */
export function neighborAs(segments: readonly AsPathSegment[]): number | undefined {
  for (const segment of segments) {
    if (isConfederation(segment.type)) continue;
    return segment.type === AsPathSegmentType.AS_SEQUENCE ? segment.asns[0] : undefined;
  }
  return undefined;
}

/** `3356 1299 {64500,64501}`; confederation segments as bgpdump (after Quagga) prints them: `(65001 65002)`, `[65003,65004]`. */
export function formatAsPath(segments: readonly AsPathSegment[]): string {
  let text = '';
  for (const segment of segments) {
    if (text.length > 0) text += ' ';
    switch (segment.type) {
      case AsPathSegmentType.AS_SEQUENCE: text += segment.asns.join(' '); break;
      case AsPathSegmentType.AS_SET: text += `{${segment.asns.join(',')}}`; break;
      case AsPathSegmentType.AS_CONFED_SEQUENCE: text += `(${segment.asns.join(' ')})`; break;
      default: text += `[${segment.asns.join(',')}]`;
    }
  }
  return text;
}

/**
 * RFC 6793 4.2.3: the path of a 2-octet session rebuilt from AS_PATH and AS4_PATH. When AS_PATH
 * has fewer ASes than AS4_PATH the AS4_PATH is ignored; else AS_PATH's leading surplus, counted as
 * 9.1.2.2 counts (a set 1, confederation segments 0 but kept), goes in front of AS4_PATH.
 */
export function mergeAs4Path(asPath: readonly AsPathSegment[], as4Path: readonly AsPathSegment[]): AsPathSegment[] {
  let surplus = asPathLength(asPath) - asPathLength(as4Path);
  if (surplus < 0) return asPath.slice();
  const merged: AsPathSegment[] = [];
  for (const segment of asPath) {
    if (surplus === 0 && !isConfederation(segment.type)) break;
    if (isConfederation(segment.type)) {
      merged.push(segment);
    } else if (segment.type === AsPathSegmentType.AS_SET) {
      merged.push(segment);
      surplus--;
    } else if (segment.asns.length <= surplus) {
      merged.push(segment);
      surplus -= segment.asns.length;
    } else {
      merged.push({ type: segment.type, asns: segment.asns.slice(0, surplus) });
      surplus = 0;
    }
  }
  // A sequence cut above continues in AS4_PATH's first sequence: join them as one segment.
  const last = merged[merged.length - 1];
  const first = as4Path[0];
  if (last && first && last.type === AsPathSegmentType.AS_SEQUENCE && first.type === AsPathSegmentType.AS_SEQUENCE
    && last.asns.length + first.asns.length <= 255) {
    merged[merged.length - 1] = { type: last.type, asns: [...last.asns, ...first.asns] };
    merged.push(...as4Path.slice(1));
  } else {
    merged.push(...as4Path);
  }
  return merged;
}

/** An AS_PATH (or AS4_PATH with `type`) attribute of these segments. */
export function encodeAsPath(
  segments: readonly AsPathSegment[], asOctets: 2 | 4, type: number = AttributeType.AS_PATH,
): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const segment of segments) {
    const part = new Uint8Array(2 + segment.asns.length * asOctets);
    part[0] = segment.type;
    part[1] = segment.asns.length;
    const view = new DataView(part.buffer);
    segment.asns.forEach((as, k) => {
      if (asOctets === 4) view.setUint32(2 + k * 4, as);
      else view.setUint16(2 + k * 2, as);
    });
    parts.push(part);
  }
  return encodeAttribute(type, concatBytes(parts));
}

/** Segments from `bgpdump -m` text (`65001 65002 {65003,65004}`), for building test messages. */
export function parseAsPathText(text: string): AsPathSegment[] {
  const segments: AsPathSegment[] = [];
  const sequence: number[] = [];
  const flush = () => {
    if (sequence.length) segments.push({ type: AsPathSegmentType.AS_SEQUENCE, asns: sequence.splice(0) });
  };
  for (const token of text.match(/\{[^}]*\}|\([^)]*\)|\[[^\]]*\]|\S+/g) ?? []) {
    const inner = token.slice(1, -1).split(/[ ,]+/).filter(Boolean).map(Number);
    if (token[0] === '{') { flush(); segments.push({ type: AsPathSegmentType.AS_SET, asns: inner }); }
    else if (token[0] === '(') { flush(); segments.push({ type: AsPathSegmentType.AS_CONFED_SEQUENCE, asns: inner }); }
    else if (token[0] === '[') { flush(); segments.push({ type: AsPathSegmentType.AS_CONFED_SET, asns: inner }); }
    else sequence.push(Number(token));
  }
  flush();
  return segments;
}
