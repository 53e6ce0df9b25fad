// decodeUpdate: round trips through the encoders, the RFC 7606 outcome of each malformation, and
// an UPDATE cut at every length.
import { describe, expect, it } from 'vitest';
import { decodeUpdate, encodePathAttributes, encodeUpdate } from '../../src/bgp/message/update.js';
import { AttributeFlag, AttributeType, ErrorCode, UpdateSubcode } from '../../src/bgp/message/constants.js';
import { encodeAttribute } from '../../src/bgp/message/attributes/attribute.js';
import { encodeAsPath, parseAsPathText } from '../../src/bgp/message/attributes/as-path.js';
import { encodeMpReach, encodeMpUnreach } from '../../src/bgp/message/attributes/multiprotocol.js';
import { encodeAggregator, encodeAtomicAggregate, encodeNextHop, encodeOrigin } from '../../src/bgp/message/attributes/simple.js';
import { encodeCommunities } from '../../src/bgp/message/attributes/communities.js';
import { BgpMessageError } from '../../src/bgp/message/errors.js';

const FOUR = { fourOctetAs: true };
const TWO = { fourOctetAs: false };
const base = { origin: 0, asPath: '65001 65002 {65003,65004}', nextHop: '192.0.2.1' };

function attrs(extra: Partial<Parameters<typeof encodePathAttributes>[0]> = {}, four = true) {
  return encodePathAttributes({ ...base, ...extra }, four);
}

describe('decodeUpdate round trips', () => {
  it('IPv4 announcements with every attribute, host bits cleared', () => {
    const bytes = encodeUpdate({
      withdrawn: ['198.51.100.0/24', '0.0.0.0/0'],
      attributes: attrs({ med: 10, localPref: 200, communities: ['65000:100', 'no-export', 'no-advertise', 'no-export-subconfed', '65535:666'], largeCommunities: ['4200000000:1:2'] }),
      nlri: ['10.0.0.0/8', '10.1.2.3/24', '192.0.2.1/32', '10.128.0.0/9'],
    });
    const decoded = decodeUpdate(bytes, FOUR);
    expect(decoded.outcome).toBe('ok');
    expect(decoded.changes).toEqual([{
      family: 4,
      withdrawn: ['198.51.100.0/24', '0.0.0.0/0'],
      announced: ['10.0.0.0/8', '10.1.2.0/24', '192.0.2.1/32', '10.128.0.0/9'],
      attributes: {
        origin: 0, asPath: '65001 65002 {65003,65004}', asPathLength: 3, neighborAs: 65001, nextHop: '192.0.2.1',
        med: 10, localPref: 200,
        communities: ['65000:100', 'no-export', 'no-advertise', 'no-export-subconfed', '65535:666'],
        largeCommunities: ['4200000000:1:2'],
      },
    }]);
  });

  it('IPv6 through MP_REACH (global and link-local next hop) and MP_UNREACH', () => {
    const bytes = encodeUpdate({
      attributes: [
        encodeMpUnreach(6, ['2001:db8:ffff::/48']),
        ...attrs({ nextHop: null, asPath: '4200000001 (65010 65011) 65002' }),
        encodeMpReach(6, ['2001:db8::1', 'fe80::1'], ['2001:db8:1::/48', '2001:db8:2:3::5/64', '::/0', '2001:db8::1/128']),
      ],
    });
    const decoded = decodeUpdate(bytes, FOUR);
    expect(decoded.outcome).toBe('ok');
    expect(decoded.changes).toEqual([{
      family: 6,
      withdrawn: ['2001:db8:ffff::/48'],
      announced: ['2001:db8:1::/48', '2001:db8:2:3::/64', '::/0', '2001:db8::1/128'],
      attributes: { origin: 0, asPath: '4200000001 (65010 65011) 65002', asPathLength: 2, neighborAs: 4200000001, nextHop: '2001:db8::1' },
    }]);
  });

  it('End-of-RIB: the empty UPDATE for IPv4, a lone empty MP_UNREACH for IPv6', () => {
    expect(decodeUpdate(encodeUpdate({}), FOUR)).toMatchObject({ endOfRib: 4, changes: [], outcome: 'ok' });
    expect(decodeUpdate(encodeUpdate({ attributes: [encodeMpUnreach(6, [])] }), FOUR)).toMatchObject({ endOfRib: 6, changes: [] });
    expect(decodeUpdate(encodeUpdate({ attributes: [encodeMpUnreach(6, ['2001:db8::/32'])] }), FOUR).endOfRib).toBeUndefined();
  });

  it('a 2-octet session: AS_PATH with AS_TRANS completed by AS4_PATH (RFC 6793 4.2.3)', () => {
    const as4 = encodeAsPath(parseAsPathText('4200000001 65003'), 4, AttributeType.AS4_PATH);
    const bytes = encodeUpdate({
      attributes: [encodeOrigin(0), encodeAsPath(parseAsPathText('65001 65002 23456 65003'), 2), encodeNextHop('192.0.2.1'), as4],
      nlri: ['10.0.0.0/24'],
    });
    expect(decodeUpdate(bytes, TWO).changes[0].attributes?.asPath).toBe('65001 65002 4200000001 65003');
    // AS4_PATH longer than AS_PATH: ignored.
    const longer = encodeAsPath(parseAsPathText('1 2 3 4 5'), 4, AttributeType.AS4_PATH);
    const ignored = encodeUpdate({ attributes: [encodeOrigin(0), encodeAsPath(parseAsPathText('23456 65003'), 2), encodeNextHop('192.0.2.1'), longer], nlri: ['10.0.0.0/24'] });
    expect(decodeUpdate(ignored, TWO).changes[0].attributes?.asPath).toBe('23456 65003');
    // AGGREGATOR of a real 2-octet AS: AS4_PATH ignored.
    const aggregated = encodeUpdate({ attributes: [encodeOrigin(0), encodeAsPath(parseAsPathText('65001 23456'), 2), encodeNextHop('192.0.2.1'), encodeAggregator({ as: 65001, address: '192.0.2.9' }, false), encodeAsPath(parseAsPathText('4200000001'), 4, AttributeType.AS4_PATH)], nlri: ['10.0.0.0/24'] });
    expect(decodeUpdate(aggregated, TWO).changes[0].attributes?.asPath).toBe('65001 23456');
    // On a 4-octet session AS4_PATH is stale.
    const four = encodeUpdate({ attributes: [...attrs({ asPath: '65001 23456' }), encodeAsPath(parseAsPathText('4200000001'), 4, AttributeType.AS4_PATH)], nlri: ['10.0.0.0/24'] });
    expect(decodeUpdate(four, FOUR).changes[0].attributes?.asPath).toBe('65001 23456');
  });

  it('an empty AS_PATH (iBGP own route): empty text, length 0, no neighbour AS; unknown optional attributes passed over', () => {
    const bytes = encodeUpdate({ attributes: [...attrs({ asPath: '' }), encodeAttribute(99, Uint8Array.of(1, 2, 3), AttributeFlag.OPTIONAL | AttributeFlag.TRANSITIVE)], nlri: ['10.0.0.0/24'] });
    const decoded = decodeUpdate(bytes, FOUR);
    expect(decoded.changes[0].attributes).toEqual({ origin: 0, asPath: '', asPathLength: 0, nextHop: '192.0.2.1' });
    expect(decoded.unknownAttributes).toEqual([99]);
  });
});

/** An UPDATE announcing 10.0.0.0/24 (and 2001:db8::/32 by MP_REACH) whose attribute `type` is replaced by `replacement` (or removed). */
function withAttribute(type: number, replacement: Uint8Array[] | null, options: { mp?: boolean } = {}) {
  const list = attrs({ med: 5, localPref: 100, communities: ['65000:1'], largeCommunities: ['1:2:3'] });
  list.push(encodeAtomicAggregate(), encodeAggregator({ as: 65001, address: '192.0.2.2' }, true));
  if (options.mp) list.push(encodeMpReach(6, ['2001:db8::1'], ['2001:db8::/32']));
  const out: Uint8Array[] = [];
  let replaced = false;
  for (const a of list) {
    if (a[1] === type) {
      if (replacement) out.push(...replacement);
      replaced = true;
    } else out.push(a);
  }
  if (!replaced && replacement) out.push(...replacement);
  return encodeUpdate({ withdrawn: ['172.16.0.0/16'], attributes: out, nlri: ['10.0.0.0/24'] });
}

function expectWithdrawn(bytes: Uint8Array, mp = false) {
  const decoded = decodeUpdate(bytes, FOUR);
  expect(decoded.outcome).toBe('treat-as-withdraw');
  expect(decoded.changes).toEqual([
    { family: 4, withdrawn: ['172.16.0.0/16', '10.0.0.0/24'], announced: [] },
    ...(mp ? [{ family: 6, withdrawn: ['2001:db8::/32'], announced: [] }] : []),
  ]);
  return decoded;
}

function expectReset(bytes: Uint8Array, subcode: number) {
  const decoded = decodeUpdate(bytes, FOUR);
  expect(decoded.outcome).toBe('session-reset');
  expect(decoded.changes).toEqual([]);
  expect(decoded.notification).toBeInstanceOf(BgpMessageError);
  expect(decoded.notification!.errorCode).toBe(ErrorCode.UPDATE_MESSAGE);
  expect(decoded.notification!.subcode).toBe(subcode);
  return decoded;
}

describe('RFC 7606 outcomes', () => {
  const taw: [string, number, Uint8Array][] = [
    ['ORIGIN value 3', AttributeType.ORIGIN, encodeAttribute(1, Uint8Array.of(3))],
    ['ORIGIN length 2', AttributeType.ORIGIN, encodeAttribute(1, Uint8Array.of(0, 0))],
    ['AS_PATH segment overrun', AttributeType.AS_PATH, encodeAttribute(2, Uint8Array.of(2, 3, 0, 0, 0, 1))],
    ['AS_PATH segment type 7', AttributeType.AS_PATH, encodeAttribute(2, Uint8Array.of(7, 1, 0, 0, 0, 1))],
    ['AS_PATH zero-length segment', AttributeType.AS_PATH, encodeAttribute(2, Uint8Array.of(2, 0))],
    ['NEXT_HOP length 5', AttributeType.NEXT_HOP, encodeAttribute(3, Uint8Array.of(1, 2, 3, 4, 5))],
    ['MED length 3', AttributeType.MULTI_EXIT_DISC, encodeAttribute(4, Uint8Array.of(0, 0, 1))],
    ['LOCAL_PREF length 8', AttributeType.LOCAL_PREF, encodeAttribute(5, new Uint8Array(8))],
    ['COMMUNITIES length 6', AttributeType.COMMUNITIES, encodeAttribute(8, new Uint8Array(6))],
    ['COMMUNITIES length 0', AttributeType.COMMUNITIES, encodeAttribute(8, new Uint8Array(0))],
    ['LARGE_COMMUNITIES length 8', AttributeType.LARGE_COMMUNITIES, encodeAttribute(32, new Uint8Array(8))],
    ['ORIGIN flagged optional', AttributeType.ORIGIN, encodeAttribute(1, Uint8Array.of(0), AttributeFlag.OPTIONAL | AttributeFlag.TRANSITIVE)],
    ['MED flagged transitive', AttributeType.MULTI_EXIT_DISC, encodeAttribute(4, new Uint8Array(4), AttributeFlag.OPTIONAL | AttributeFlag.TRANSITIVE)],
  ];
  for (const [name, type, replacement] of taw) {
    it(`${name} → treat-as-withdraw, IPv4 and MP_REACH prefixes withdrawn`, () => {
      const decoded = expectWithdrawn(withAttribute(type, [replacement], { mp: true }), true);
      expect(decoded.problems).toEqual([expect.objectContaining({ action: 'treat-as-withdraw', attributeType: type })]);
    });
  }

  for (const [name, type] of [['ORIGIN', 1], ['AS_PATH', 2], ['NEXT_HOP', 3]] as const) {
    it(`missing ${name} → treat-as-withdraw`, () => {
      expect(expectWithdrawn(withAttribute(type, null)).problems[0].reason).toContain(`${name} missing`);
    });
  }
  it('NEXT_HOP is not needed for an MP_REACH-only UPDATE', () => {
    const bytes = encodeUpdate({ attributes: [...attrs({ nextHop: null }), encodeMpReach(6, ['2001:db8::1'], ['2001:db8::/32'])] });
    expect(decodeUpdate(bytes, FOUR).outcome).toBe('ok');
  });

  const discard: [string, number, Uint8Array][] = [
    ['ATOMIC_AGGREGATE length 1', AttributeType.ATOMIC_AGGREGATE, encodeAttribute(6, Uint8Array.of(0))],
    ['AGGREGATOR length 6 on a 4-octet session', AttributeType.AGGREGATOR, encodeAttribute(7, new Uint8Array(6))],
    ['AGGREGATOR flagged non-transitive', AttributeType.AGGREGATOR, encodeAttribute(7, new Uint8Array(8), AttributeFlag.OPTIONAL)],
    ['AS4_PATH with a bad segment', AttributeType.AS4_PATH, encodeAttribute(17, Uint8Array.of(2, 2, 0, 0))],
  ];
  for (const [name, type, replacement] of discard) {
    it(`${name} → attribute discard, routes kept`, () => {
      const decoded = decodeUpdate(withAttribute(type, [replacement]), FOUR);
      expect(decoded.outcome).toBe('attribute-discard');
      expect(decoded.changes[0].announced).toEqual(['10.0.0.0/24']);
      expect(decoded.changes[0].attributes?.med).toBe(5);
      expect(decoded.problems).toEqual([expect.objectContaining({ action: 'attribute-discard', attributeType: type })]);
    });
  }

  it('a duplicate attribute: the first counts, the rest discarded', () => {
    const decoded = decodeUpdate(withAttribute(AttributeType.MULTI_EXIT_DISC, [encodeAttribute(4, Uint8Array.of(0, 0, 0, 7)), encodeAttribute(4, Uint8Array.of(0, 0, 0, 9))]), FOUR);
    expect(decoded.outcome).toBe('attribute-discard');
    expect(decoded.changes[0].attributes?.med).toBe(7);
  });

  it('a duplicate MP_REACH_NLRI or MP_UNREACH_NLRI → session reset', () => {
    const reach = encodeMpReach(6, ['2001:db8::1'], ['2001:db8::/32']);
    expectReset(withAttribute(AttributeType.MP_REACH_NLRI, [reach, reach]), UpdateSubcode.MALFORMED_ATTRIBUTE_LIST);
    const unreach = encodeMpUnreach(6, ['2001:db8::/32']);
    expectReset(withAttribute(AttributeType.MP_UNREACH_NLRI, [unreach, unreach]), UpdateSubcode.MALFORMED_ATTRIBUTE_LIST);
  });

  const resets: [string, Uint8Array, number][] = [
    ['MP_REACH next hop length 5', encodeAttribute(14, Uint8Array.of(0, 2, 1, 5, 1, 2, 3, 4, 5, 0)), UpdateSubcode.OPTIONAL_ATTRIBUTE_ERROR],
    ['MP_REACH prefix /129', encodeAttribute(14, Uint8Array.of(0, 2, 1, 16, ...new Uint8Array(16), 0, 129, ...new Uint8Array(16))), UpdateSubcode.OPTIONAL_ATTRIBUTE_ERROR],
    ['MP_REACH NLRI overrun', encodeAttribute(14, Uint8Array.of(0, 2, 1, 16, ...new Uint8Array(16), 0, 64, 0x20, 0x01)), UpdateSubcode.OPTIONAL_ATTRIBUTE_ERROR],
    ['MP_REACH length 3', encodeAttribute(14, Uint8Array.of(0, 2, 1)), UpdateSubcode.OPTIONAL_ATTRIBUTE_ERROR],
    ['MP_UNREACH prefix overrun', encodeAttribute(15, Uint8Array.of(0, 2, 1, 48, 0x20)), UpdateSubcode.OPTIONAL_ATTRIBUTE_ERROR],
    ['MP_REACH flagged transitive', encodeAttribute(14, encodeMpReach(6, ['2001:db8::1'], []).slice(3), AttributeFlag.OPTIONAL | AttributeFlag.TRANSITIVE), UpdateSubcode.ATTRIBUTE_FLAGS_ERROR],
    ['an unrecognised well-known attribute', encodeAttribute(77, new Uint8Array(2), AttributeFlag.TRANSITIVE), UpdateSubcode.UNRECOGNIZED_WELL_KNOWN_ATTRIBUTE],
  ];
  for (const [name, attribute, subcode] of resets) {
    it(`${name} → session reset (${subcode})`, () => {
      expectReset(withAttribute(attribute[1], [attribute]), subcode);
    });
  }

  it('unparseable NLRI or withdrawn routes, or lengths running past the message → session reset', () => {
    const good = encodeUpdate({ withdrawn: ['172.16.0.0/16'], attributes: attrs(), nlri: ['10.0.0.0/24'] });
    const badNlri = good.slice();
    badNlri[badNlri.length - 4] = 33; // the NLRI's length octet
    expectReset(badNlri, UpdateSubcode.INVALID_NETWORK_FIELD);
    const badWithdrawn = good.slice();
    badWithdrawn[21] = 40;
    expectReset(badWithdrawn, UpdateSubcode.INVALID_NETWORK_FIELD);
    const longWithdrawn = good.slice();
    longWithdrawn[20] = 200;
    expectReset(longWithdrawn, UpdateSubcode.MALFORMED_ATTRIBUTE_LIST);
    const longAttributes = good.slice();
    longAttributes[19 + 2 + 3] = 0xff; // total path attribute length, high octet
    expectReset(longAttributes, UpdateSubcode.MALFORMED_ATTRIBUTE_LIST);
  });

  it('an attribute running past the attribute list → treat-as-withdraw (RFC 7606 4), the NLRI still found', () => {
    const nlri = ['10.0.0.0/24'];
    const list = [encodeOrigin(0), encodeAttribute(2, new Uint8Array(0)), encodeNextHop('192.0.2.1')];
    const good = encodeUpdate({ attributes: list, nlri });
    const bytes = good.slice();
    bytes[19 + 2 + 2 + 4 + 2] = 50; // AS_PATH's length: past the list's end
    const decoded = decodeUpdate(bytes, FOUR);
    expect(decoded.outcome).toBe('treat-as-withdraw');
    expect(decoded.changes).toEqual([{ family: 4, withdrawn: ['10.0.0.0/24'], announced: [] }]);
  });
});

describe('truncation', () => {
  it('an UPDATE cut at every length is a clear outcome, never an exception', () => {
    const full = encodeUpdate({
      withdrawn: ['172.16.0.0/16'],
      attributes: [...attrs({ med: 1, communities: ['1:1'], largeCommunities: ['1:2:3'] }), encodeMpReach(6, ['2001:db8::1', 'fe80::1'], ['2001:db8::/32']), encodeMpUnreach(6, ['2001:db8:1::/48'])],
      nlri: ['10.0.0.0/24', '10.1.0.0/16'],
    });
    expect(decodeUpdate(full, FOUR).outcome).toBe('ok');
    for (let length = 0; length < full.length; length++) {
      const cut = full.slice(0, length);
      const decoded = decodeUpdate(cut, FOUR);
      expect(decoded.outcome, `cut at ${length}`).toBe('session-reset');
      expect(decoded.notification!.message).toMatch(/UPDATE|Message Header Error/);
      // The same cut with the header's length fixed up: a body that ends early.
      if (length >= 23) {
        const fixed = cut.slice();
        fixed[16] = length >> 8;
        fixed[17] = length & 0xff;
        const body = decodeUpdate(fixed, FOUR);
        expect(['session-reset', 'treat-as-withdraw', 'ok']).toContain(body.outcome);
        for (const change of body.changes) expect(change.announced.every((p) => ['10.0.0.0/24', '10.1.0.0/16', '2001:db8::/32'].includes(p))).toBe(true);
      }
    }
  });
});

describe('communities', () => {
  it('well-known names only for the three bgpdump names', () => {
    const bytes = encodeUpdate({ attributes: [...attrs(), encodeCommunities(['65535:65281', '65535:65282', '65535:65283', '65535:65284', '0:0'])], nlri: ['10.0.0.0/24'] });
    expect(decodeUpdate(bytes, FOUR).changes[0].attributes?.communities).toEqual(['no-export', 'no-advertise', 'no-export-subconfed', '65535:65284', '0:0']);
  });
});
