// Random valid UPDATEs (and what they announce) for the tshark oracle, the fuzzer and the decode
// benchmark: a seeded mix of IPv4 NLRI, MP_REACH/MP_UNREACH for IPv6 and the usual attributes.
import type { PathAttributes, RouteChange } from '../../src/bgp/types.js';
import { formatIPv4, formatIPv6, maskV4, maskV6 } from '../../src/net/address.js';
import { encodePathAttributes, encodeUpdate } from '../../src/bgp/message/update.js';
import { encodeMpReach, encodeMpUnreach } from '../../src/bgp/message/attributes/multiprotocol.js';
import { BGP_V4_LENGTHS, BGP_V6_LENGTHS, Random } from './random.js';

export function randomPrefix4(random: Random): string {
  const length = random.weighted(BGP_V4_LENGTHS);
  return `${formatIPv4(maskV4(random.u32(), length))}/${length}`;
}

export function randomPrefix6(random: Random): string {
  const length = random.weighted(BGP_V6_LENGTHS);
  const bytes = random.bytes(16);
  bytes[0] = 0x20;
  maskV6(bytes, 0, length);
  return `${formatIPv6(bytes)}/${length}`;
}

function distinct(make: () => string, count: number): string[] {
  const set = new Set<string>();
  for (let guard = 0; set.size < count && guard < count * 10; guard++) set.add(make());
  return [...set];
}

export interface RandomUpdate {
  readonly bytes: Uint8Array;
  /** What decodeUpdate must give. */
  readonly changes: RouteChange[];
  readonly attributes: PathAttributes;
}

/** An UPDATE of up to `maxPrefixes` prefixes a family, every field drawn from `random`. */
export function randomUpdate(random: Random, fourOctetAs: boolean, maxPrefixes = 8): RandomUpdate {
  const asMax = fourOctetAs ? 0xffffffff : 0xffff;
  const sequence = Array.from({ length: 1 + random.below(6) }, () => 1 + random.below(asMax - 1));
  const set = random.below(4) === 0 ? Array.from({ length: 2 + random.below(3) }, () => 1 + random.below(asMax - 1)) : [];
  const asPath = sequence.join(' ') + (set.length ? ` {${set.join(',')}}` : '');
  const communities = random.below(2) ? Array.from({ length: 1 + random.below(4) }, () => `${random.below(0xffff)}:${random.below(0x10000)}`) : undefined;
  const large = random.below(3) === 0 ? [`${random.u32()}:${random.u32()}:${random.u32()}`] : undefined;
  const nextHop4 = formatIPv4(random.u32() | 0x01000000);
  const nextHop6 = formatIPv6(Uint8Array.of(0x20, 0x01, 0x0d, 0xb8, ...random.bytes(12)));
  const attributes = {
    origin: random.below(3) as 0 | 1 | 2,
    asPath,
    asPathLength: sequence.length + (set.length ? 1 : 0),
    neighborAs: sequence[0],
    nextHop: nextHop4,
    ...(random.below(2) && { med: random.u32() }),
    ...(random.below(2) && { localPref: random.u32() }),
    ...(communities && { communities }),
    ...(large && { largeCommunities: large }),
  };
  const withdrawn4 = distinct(() => randomPrefix4(random), random.below(maxPrefixes));
  const announced4 = distinct(() => randomPrefix4(random), random.below(maxPrefixes)).filter((p) => !withdrawn4.includes(p));
  const withdrawn6 = random.below(2) ? distinct(() => randomPrefix6(random), 1 + random.below(maxPrefixes)) : [];
  const announced6 = random.below(2) ? distinct(() => randomPrefix6(random), 1 + random.below(maxPrefixes)).filter((p) => !withdrawn6.includes(p)) : [];
  const announcing = announced4.length + announced6.length > 0;
  const list = announcing ? encodePathAttributes({ ...attributes, nextHop: announced4.length ? nextHop4 : null }, fourOctetAs) : [];
  if (withdrawn6.length) list.unshift(encodeMpUnreach(6, withdrawn6));
  if (announced6.length) list.unshift(encodeMpReach(6, random.below(2) ? [nextHop6] : [nextHop6, 'fe80::1'], announced6));
  const bytes = encodeUpdate({ withdrawn: withdrawn4, attributes: list, nlri: announced4 });
  const changes: RouteChange[] = [];
  if (withdrawn4.length || announced4.length) {
    changes.push(announced4.length ? { family: 4, withdrawn: withdrawn4, announced: announced4, attributes } : { family: 4, withdrawn: withdrawn4, announced: [] });
  }
  if (withdrawn6.length || announced6.length) {
    changes.push(announced6.length
      ? { family: 6, withdrawn: withdrawn6, announced: announced6, attributes: { ...attributes, nextHop: nextHop6 } }
      : { family: 6, withdrawn: withdrawn6, announced: [] });
  }
  return { bytes, changes, attributes };
}
