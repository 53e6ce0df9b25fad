// The model behind the tests of checks and source-side views (library, CLI, serve): IPv4 routes of
// every type with a naive longest match, and seeded UDP traffic between a few addresses over named
// capture interfaces, as pcapng (interfaces named) and as pcap (none), with what was sent.
import { pcap, pcapng } from './captures.js';
import { ipv4, IPPROTO, LINKTYPE, udp } from './packets.js';
import { Random } from './random.js';

export interface ModelRoute {
  prefix: string;
  /** the route in `ip route` words */
  line: string;
  type: string;
  dev: string | null;
}

/** The routes' table, as `ip route` text. */
export function routesText(routes: readonly ModelRoute[]): string {
  return `${routes.map((route) => route.line).join('\n')}\n`;
}

function ipv4Value(text: string): number {
  return text.split('.').reduce((value, part) => value * 256 + Number(part), 0);
}

/** The naive longest match over `routes`: the first of the longest prefixes containing `address`. */
export function naiveRoute<R extends ModelRoute>(routes: readonly R[], address: string): R {
  const value = ipv4Value(address);
  let best = routes[0];
  let bestLength = -1;
  for (const route of routes) {
    const [base, length] = route.prefix.split('/');
    const size = 2 ** (32 - Number(length));
    if (Math.floor(value / size) === Math.floor(ipv4Value(base) / size) && Number(length) > bestLength) {
      best = route;
      bestLength = Number(length);
    }
  }
  return best;
}

/** The route types a router drops traffic to. */
export const dropsTraffic = (type: string): boolean => type === 'blackhole' || type === 'unreachable' || type === 'prohibit';

export interface Sent { src: string; dst: string; ttl: number; capture: number; wire: number }

export interface TrafficOptions {
  seed: number;
  count: number;
  addresses: readonly string[];
  /** capture interface names: packet i came in on one of them */
  interfaces: readonly string[];
  /** one packet in this many is sent to its own source (land) */
  landOneIn: number;
  /** most bytes added to a packet's wire length */
  extraWire: number;
  /** sources skewed toward the first addresses, so that the busiest are clear */
  skewed?: boolean;
}

/** Seeded traffic: what was sent, as pcapng (each interface named) and as pcap (no interface). */
export function checkTraffic(o: TrafficOptions): { sent: Sent[]; pcapng: Uint8Array; pcap: Uint8Array } {
  const random = new Random(o.seed);
  const pick = () => random.below(o.addresses.length);
  const sent: Sent[] = [];
  const blocks = [];
  const records = [];
  for (let i = 0; i < o.count; i++) {
    const src = o.addresses[o.skewed ? Math.min(pick(), pick()) : pick()];
    const dst = random.below(o.landOneIn) === 0 ? src : o.addresses[pick()];
    const ttl = random.below(4);
    const capture = random.below(o.interfaces.length);
    const data = ipv4({ src, dst, ttl, proto: IPPROTO.UDP, payload: udp({ srcPort: 1000 + i, dstPort: 53 }) });
    const wire = data.length + random.below(o.extraWire);
    sent.push({ src, dst, ttl, capture, wire });
    blocks.push({ kind: 'epb' as const, interface: capture, ts: BigInt(1_700_000_000_000_000 + i), data, origLen: wire });
    records.push({ ts: { sec: 1_700_000_000, frac: i }, data, origLen: wire });
  }
  return {
    sent,
    pcapng: pcapng({ sections: [{ interfaces: o.interfaces.map((name) => ({ linkType: LINKTYPE.RAW, name })), blocks }] }),
    pcap: pcap({ linkType: LINKTYPE.RAW, records }),
  };
}

/** Packets and bytes of `sent` by `key`, in first-seen order. */
export function tallyBy<K>(sent: readonly Sent[], key: (p: Sent) => K): Map<K, { packets: number; bytes: number }> {
  const map = new Map<K, { packets: number; bytes: number }>();
  for (const p of sent) {
    const entry = map.get(key(p)) ?? { packets: 0, bytes: 0 };
    entry.packets++;
    entry.bytes += p.wire;
    map.set(key(p), entry);
  }
  return map;
}

/** The bits of a registry reference's class mask (test/checks/registry-reference.ts). */
export interface ClassBits { source: number; destination: number; privateUse: number }

/**
 * Each anomaly class as a test of one sent packet (docs/checks.md): `classesOf` gives an
 * address's registry classes, `device(p)` the route device the packet's interface stands for.
 * The routes' default route covers every address, so nothing is unrouted.
 */
export function anomalyModels(routes: readonly ModelRoute[], classesOf: (address: string) => number, bits: ClassBits,
  device: (p: Sent) => string): Record<string, (p: Sent) => boolean> {
  const routeOf = (address: string) => naiveRoute(routes, address);
  return {
    'bogon-source': (p) => (classesOf(p.src) & bits.source) !== 0,
    'bogon-destination': (p) => (classesOf(p.dst) & bits.destination) !== 0,
    'private-source': (p) => (classesOf(p.src) & bits.privateUse) !== 0,
    'urpf-loose': (p) => dropsTraffic(routeOf(p.src).type),
    'urpf-strict': (p) => dropsTraffic(routeOf(p.src).type) || routeOf(p.src).dev !== device(p),
    dropped: (p) => dropsTraffic(routeOf(p.dst).type),
    unrouted: () => false,
    land: (p) => p.src === p.dst,
    'ttl-expiring': (p) => routeOf(p.dst).type === 'unicast' && p.ttl <= 1,
  };
}
