// UPDATE (RFC 4271 4.3, RFC 4760, RFC 6793, RFC 4724 End-of-RIB) decoded into the RouteChange[]
// of src/bgp/types.ts. Each attribute is decoded by its own file; what a malformed one costs is
// decided by errors.ts (RFC 7606). Decoding reads the message bytes directly and never throws on
// any input: the worst outcome is 'session-reset' with the NOTIFICATION to send.
import type { AddressFamily, BgpOrigin, PathAttributes, RouteChange } from '../types.js';
import {
  AS_TRANS, AttributeFlag, AttributeType, ErrorCode, HEADER_LENGTH, MessageType, UpdateSubcode,
} from './constants.js';
import {
  ATTRIBUTE_LIST_OVERRUN_ACTION, BgpMessageError, MISSING_MANDATORY_ACTION, duplicateAttributeAction,
  malformedAttributeAction, resetSubcode, updateError, worseOutcome,
  type ErrorAction, type UpdateOutcome, type UpdateProblem,
} from './errors.js';
import { concatBytes, encodePrefixes, u16Bytes } from './bytes.js';
import { encodeMessage } from './header.js';
import { decodePrefixes } from './prefixes.js';
import { EXPECTED_FLAGS, Malformed, attributeName } from './attributes/attribute.js';
import {
  type Aggregator, decodeAggregator, decodeAtomicAggregate, decodeNextHop, decodeOrigin, decodeU32Attribute,
  encodeLocalPref, encodeMed, encodeNextHop, encodeOrigin,
} from './attributes/simple.js';
import {
  type AsPathSegment, asPathLength, decodeAsPath, encodeAsPath, formatAsPath, mergeAs4Path, neighborAs, parseAsPathText,
} from './attributes/as-path.js';
import { decodeCommunities, decodeLargeCommunities, encodeCommunities, encodeLargeCommunities } from './attributes/communities.js';
import { type MpReach, type MpUnreach, decodeMpReach, decodeMpUnreach } from './attributes/multiprotocol.js';

export interface DecodeUpdateOptions {
  /** Both sides advertised the 4-octet AS capability (RFC 6793): AS_PATH and AGGREGATOR carry 4-octet ASes. */
  readonly fourOctetAs: boolean;
}

export interface DecodedUpdate {
  /** One change per address family touched (see RouteChange); empty on 'session-reset'. */
  readonly changes: RouteChange[];
  /** Set when the UPDATE is an End-of-RIB marker (RFC 4724 2) for this family. */
  readonly endOfRib?: AddressFamily;
  /**
   * What RFC 7606 decided: 'ok'; 'attribute-discard' (some attribute dropped, routes kept);
   * 'treat-as-withdraw' (every announced prefix is in a change's `withdrawn` instead); or
   * 'session-reset' (`notification` says what to send; nothing may be applied).
   */
  readonly outcome: UpdateOutcome;
  /** Each thing found wrong, in message order, with its action. */
  readonly problems: readonly UpdateProblem[];
  /** Present exactly when `outcome` is 'session-reset'. */
  readonly notification?: BgpMessageError;
  /** Type codes of optional attributes this decoder does not read (passed over, RFC 4271 5). */
  readonly unknownAttributes: readonly number[];
}

function reset(problems: UpdateProblem[], error: BgpMessageError, attributeType?: number): DecodedUpdate {
  problems.push({ action: 'session-reset', attributeType, reason: error.reason });
  return { changes: [], outcome: 'session-reset', problems, notification: error, unknownAttributes: [] };
}

/**
 * Decodes one whole UPDATE message (`bytes` is exactly the message, header included, as a
 * session's framer or a BMP Route Monitoring message holds it).
 */
export function decodeUpdate(bytes: Uint8Array, options: DecodeUpdateOptions): DecodedUpdate {
  const problems: UpdateProblem[] = [];
  const end = bytes.length;
  if (end < HEADER_LENGTH + 4) {
    return reset(problems, new BgpMessageError(ErrorCode.MESSAGE_HEADER, 2, `UPDATE of ${end} octets, at least 23 needed`));
  }
  const lengthField = (bytes[16] << 8) | bytes[17];
  if (lengthField !== end || bytes[18] !== MessageType.UPDATE) {
    return reset(problems, new BgpMessageError(ErrorCode.MESSAGE_HEADER, 2, `header says type ${bytes[18]} length ${lengthField}, given an UPDATE of ${end} octets`));
  }

  // Withdrawn routes, then the attribute list's bounds, then the NLRI: RFC 7606 5.3, an error in
  // any of these leaves no reliable way to find the prefixes, so it ends the session.
  let i = HEADER_LENGTH;
  const withdrawnLength = (bytes[i] << 8) | bytes[i + 1];
  i += 2;
  if (i + withdrawnLength + 2 > end) {
    return reset(problems, updateError(UpdateSubcode.MALFORMED_ATTRIBUTE_LIST, `withdrawn routes length ${withdrawnLength} runs past the UPDATE's ${end - i - 2} octets left`));
  }
  const withdrawn4: string[] = [];
  let problem = decodePrefixes(bytes, i, i + withdrawnLength, 4, withdrawn4);
  if (problem) return reset(problems, updateError(UpdateSubcode.INVALID_NETWORK_FIELD, `withdrawn routes: ${problem}`));
  i += withdrawnLength;
  const attributesLength = (bytes[i] << 8) | bytes[i + 1];
  i += 2;
  const attributesEnd = i + attributesLength;
  if (attributesEnd > end) {
    return reset(problems, updateError(UpdateSubcode.MALFORMED_ATTRIBUTE_LIST, `total path attribute length ${attributesLength} runs past the UPDATE's ${end - i} octets left`));
  }
  const announced4: string[] = [];
  problem = decodePrefixes(bytes, attributesEnd, end, 4, announced4);
  if (problem) return reset(problems, updateError(UpdateSubcode.INVALID_NETWORK_FIELD, `NLRI: ${problem}`));

  let outcome = 'ok' as UpdateOutcome;
  const note = (action: ErrorAction, reason: string, attributeType?: number) => {
    problems.push({ action, attributeType, reason });
    outcome = worseOutcome(outcome, action);
  };

  let origin: BgpOrigin | undefined;
  let asPath: AsPathSegment[] | undefined;
  let as4Path: AsPathSegment[] | undefined;
  let nextHop: string | undefined;
  let med: number | undefined;
  let localPref: number | undefined;
  let aggregator: Aggregator | undefined;
  let communities: string[] | undefined;
  let largeCommunities: string[] | undefined;
  let mpReach: MpReach | undefined;
  let mpUnreach: MpUnreach | undefined;
  const unknownAttributes: number[] = [];
  const seen: number[] = [];
  let attributeCount = 0;

  while (i < attributesEnd) {
    const flags = bytes[i];
    const headerLength = flags & AttributeFlag.EXTENDED_LENGTH ? 4 : 3;
    if (attributesEnd - i < headerLength) {
      note(ATTRIBUTE_LIST_OVERRUN_ACTION, `attribute header at octet ${i - attributesEnd + attributesLength} of the attribute list cut: ${attributesEnd - i} octets left, ${headerLength} needed`);
      break;
    }
    const type = bytes[i + 1];
    const length = headerLength === 4 ? (bytes[i + 2] << 8) | bytes[i + 3] : bytes[i + 2];
    const start = i + headerLength;
    if (start + length > attributesEnd) {
      note(ATTRIBUTE_LIST_OVERRUN_ACTION, `${attributeName(type)} length ${length} runs past the attribute list (${attributesEnd - start} octets left)`, type);
      break;
    }
    i = start + length;
    attributeCount++;

    if (seen.includes(type)) {
      const action = duplicateAttributeAction(type);
      const reason = `${attributeName(type)} appears more than once`;
      if (action === 'session-reset') return reset(problems, updateError(UpdateSubcode.MALFORMED_ATTRIBUTE_LIST, reason), type);
      note(action, `${reason}: all but the first discarded`, type);
      continue;
    }
    seen.push(type);

    const expectedFlags = EXPECTED_FLAGS[type];
    if (expectedFlags === undefined) {
      if (!(flags & AttributeFlag.OPTIONAL)) {
        return reset(problems, updateError(UpdateSubcode.UNRECOGNIZED_WELL_KNOWN_ATTRIBUTE, `unrecognized well-known attribute type ${type}`, bytes.slice(start - headerLength, i)), type);
      }
      unknownAttributes.push(type);
      continue;
    }
    const malformed = (reason: string, flagsWrong = false) => {
      const action = malformedAttributeAction(type);
      if (action === 'session-reset') return reset(problems, updateError(resetSubcode(type, flagsWrong), reason, bytes.slice(start - headerLength, i)), type);
      note(action, reason, type);
      return undefined;
    };
    if ((flags & (AttributeFlag.OPTIONAL | AttributeFlag.TRANSITIVE)) !== expectedFlags) {
      const failed = malformed(`${attributeName(type)} flags 0x${flags.toString(16).padStart(2, '0')}: optional/transitive bits should be 0x${expectedFlags.toString(16)}`, true);
      if (failed) return failed;
      continue;
    }

    let value: unknown;
    switch (type) {
      case AttributeType.ORIGIN: value = origin = orValue(decodeOrigin(bytes, start, length)); break;
      case AttributeType.AS_PATH: value = asPath = orValue(decodeAsPath('AS_PATH', bytes, start, length, options.fourOctetAs ? 4 : 2)); break;
      case AttributeType.NEXT_HOP: value = nextHop = orValue(decodeNextHop(bytes, start, length)); break;
      case AttributeType.MULTI_EXIT_DISC: value = med = orValue(decodeU32Attribute('MULTI_EXIT_DISC', bytes, start, length)); break;
      case AttributeType.LOCAL_PREF: value = localPref = orValue(decodeU32Attribute('LOCAL_PREF', bytes, start, length)); break;
      case AttributeType.ATOMIC_AGGREGATE: value = orValue(decodeAtomicAggregate(length)); break;
      case AttributeType.AGGREGATOR: value = aggregator = orValue(decodeAggregator('AGGREGATOR', bytes, start, length, options.fourOctetAs)); break;
      case AttributeType.AS4_AGGREGATOR: value = orValue(decodeAggregator('AS4_AGGREGATOR', bytes, start, length, true)); break;
      case AttributeType.COMMUNITIES: value = communities = orValue(decodeCommunities(bytes, start, length)); break;
      case AttributeType.LARGE_COMMUNITIES: value = largeCommunities = orValue(decodeLargeCommunities(bytes, start, length)); break;
      case AttributeType.AS4_PATH: value = as4Path = orValue(decodeAs4Path(bytes, start, length)); break;
      case AttributeType.MP_REACH_NLRI: value = mpReach = orValue(decodeMpReach(bytes, start, length)); break;
      case AttributeType.MP_UNREACH_NLRI: value = mpUnreach = orValue(decodeMpUnreach(bytes, start, length)); break;
    }
    if (value === undefined) {
      const failed = malformed(lastMalformed!.reason);
      if (failed) return failed;
    } else if ((type === AttributeType.MP_REACH_NLRI || type === AttributeType.MP_UNREACH_NLRI) && (value as MpReach).family === null) {
      const { afi, safi } = value as MpReach;
      note('attribute-discard', `${attributeName(type)} for AFI ${afi} SAFI ${safi}, not IPv4/IPv6 unicast: ignored`, type);
    }
  }

  // End-of-RIB (RFC 4724 2): an empty UPDATE for IPv4; for others an UPDATE holding only an empty MP_UNREACH_NLRI.
  if (outcome === 'ok' && withdrawn4.length === 0 && announced4.length === 0) {
    if (attributesLength === 0) return { changes: [], endOfRib: 4, outcome, problems, unknownAttributes };
    if (attributeCount === 1 && mpUnreach?.family && mpUnreach.withdrawn.length === 0) {
      return { changes: [], endOfRib: mpUnreach.family, outcome, problems, unknownAttributes };
    }
  }

  const mpAnnounced = mpReach?.family ? mpReach.announced : [];
  const announces = announced4.length > 0 || mpAnnounced.length > 0;
  if (announces && outcome !== 'treat-as-withdraw') {
    const missing: string[] = [];
    if (!seen.includes(AttributeType.ORIGIN)) missing.push('ORIGIN');
    if (!seen.includes(AttributeType.AS_PATH)) missing.push('AS_PATH');
    if (announced4.length > 0 && !seen.includes(AttributeType.NEXT_HOP)) missing.push('NEXT_HOP');
    if (missing.length > 0) note(MISSING_MANDATORY_ACTION, `well-known mandatory ${missing.join(', ')} missing`);
  }

  // RFC 6793 4.2.3: a 2-octet session's AS_PATH is completed by AS4_PATH, unless AGGREGATOR shows
  // an old speaker aggregated after the path was recorded; a 4-octet session's AS4_PATH is stale.
  let path = asPath ?? [];
  if (as4Path && asPath) {
    if (options.fourOctetAs) note('attribute-discard', 'AS4_PATH on a 4-octet AS session: ignored', AttributeType.AS4_PATH);
    else if (aggregator && aggregator.as !== AS_TRANS) note('attribute-discard', `AS4_PATH ignored: AGGREGATOR AS ${aggregator.as} is not AS_TRANS`, AttributeType.AS4_PATH);
    else path = mergeAs4Path(asPath, as4Path);
  }

  const withdrawAll = outcome === 'treat-as-withdraw';
  const changes: RouteChange[] = [];
  let common: Omit<PathAttributes, 'nextHop'> | undefined;
  if (announces && !withdrawAll) {
    const first = neighborAs(path);
    common = {
      origin: origin!,
      asPath: formatAsPath(path),
      asPathLength: asPathLength(path),
      ...(first !== undefined && { neighborAs: first }),
      ...(med !== undefined && { med }),
      ...(localPref !== undefined && { localPref }),
      ...(communities && { communities }),
      ...(largeCommunities && { largeCommunities }),
    };
  }
  const push = (family: AddressFamily, withdrawn: string[], announced: string[], hop: string | undefined) => {
    if (withdrawAll) {
      if (announced.length > 0) withdrawn = withdrawn.concat(announced);
      announced = [];
    }
    if (withdrawn.length === 0 && announced.length === 0) return;
    changes.push(announced.length > 0
      ? { family, withdrawn, announced, attributes: { ...common!, nextHop: hop ?? null } }
      : { family, withdrawn, announced });
  };
  const unreachFamily = mpUnreach?.family;
  const reachFamily = mpReach?.family;
  // IPv4 unicast in MP_REACH beside plain NLRI has its own next hop: its own change then.
  const mergeReach4 = reachFamily === 4 && announced4.length === 0;
  push(4,
    unreachFamily === 4 ? withdrawn4.concat(mpUnreach!.withdrawn) : withdrawn4,
    mergeReach4 ? mpReach!.announced : announced4,
    mergeReach4 ? mpReach!.nextHop : nextHop);
  if (reachFamily === 4 && !mergeReach4) push(4, [], mpReach!.announced, mpReach!.nextHop);
  push(6, unreachFamily === 6 ? mpUnreach!.withdrawn : [], reachFamily === 6 ? mpReach!.announced : [], mpReach?.nextHop);
  return { changes, outcome, problems, unknownAttributes };
}

// The switch above stores each decoder's value, or undefined after remembering why it failed.
let lastMalformed: Malformed | undefined;
function orValue<T>(result: T | Malformed): T | undefined {
  if (result instanceof Malformed) {
    lastMalformed = result;
    return undefined;
  }
  return result;
}

/** AS4_PATH (RFC 6793 6): 4-octet segments, and no confederation segments. */
function decodeAs4Path(bytes: Uint8Array, start: number, length: number): AsPathSegment[] | Malformed {
  const segments = decodeAsPath('AS4_PATH', bytes, start, length, 4);
  if (segments instanceof Malformed) return segments;
  if (segments.some((s) => s.type > 2)) return new Malformed('AS4_PATH holds a confederation segment');
  return segments;
}

// ---------------------------------------------------------------------------------------------
// Encoding (what tests and peers send; this speaker itself never advertises)

export interface UpdateParts {
  readonly withdrawn?: readonly string[];
  /** Encoded attributes, in order (see the encoders in attributes/ and `encodePathAttributes`). */
  readonly attributes?: readonly Uint8Array[];
  readonly nlri?: readonly string[];
}

export function encodeUpdate(parts: UpdateParts): Uint8Array {
  const withdrawn = encodePrefixes(parts.withdrawn ?? []);
  const attributes = concatBytes(parts.attributes ?? []);
  return encodeMessage(MessageType.UPDATE, concatBytes([
    u16Bytes(withdrawn.length), withdrawn, u16Bytes(attributes.length), attributes, encodePrefixes(parts.nlri ?? []),
  ]));
}

/** The usual attributes from their decoded form (`asPath` as bgpdump text; NEXT_HOP only when `nextHop` is IPv4 text). */
export function encodePathAttributes(
  a: { origin: number; asPath: string; nextHop?: string | null; med?: number; localPref?: number; communities?: readonly string[]; largeCommunities?: readonly string[] },
  fourOctetAs: boolean,
): Uint8Array[] {
  const out = [encodeOrigin(a.origin), encodeAsPath(parseAsPathText(a.asPath), fourOctetAs ? 4 : 2)];
  if (a.nextHop && !a.nextHop.includes(':')) out.push(encodeNextHop(a.nextHop));
  if (a.med !== undefined) out.push(encodeMed(a.med));
  if (a.localPref !== undefined) out.push(encodeLocalPref(a.localPref));
  if (a.communities?.length) out.push(encodeCommunities(a.communities));
  if (a.largeCommunities?.length) out.push(encodeLargeCommunities(a.largeCommunities));
  return out;
}
