/**
 * uRPF (RFC 3704) against the Linux kernel: a router in network namespaces (helpers/urpf-router.ts)
 * with rp_filter on, neighbours that send UDP with legitimate and forged sources through it
 * (helpers/forge-sender.ts), tcpdump on each router interface, and the router's counters before
 * and after. A slow reference of RFC 3704, run on the captured packets with the router's own
 * `ip -j route show table all` and `ip -j rule`, must predict every counter and every forwarded
 * packet. The reference is what fibscope's `urpf-strict` / `urpf-loose` / `dropped` classes
 * are checked against the same way: fibscope reads the ingress capture with the router's table.
 *
 * Which kernel counter counts what (IPv4, forwarding on; names as nstat prints them):
 * - TcpExtIPReversePathFilter (/proc/net/netstat): packets rp_filter dropped (fib_validate_source
 *   said -EXDEV). Loose: the source has no route, or its route is blackhole/unreachable/prohibit
 *   (fib_lookup fails for those types). Strict: that, or the route back leaves by another device
 *   (any nexthop device of a multipath route passes).
 * - IpExtInNoRoutes: destinations with no route at all (-ENETUNREACH); the kernel also answers
 *   ICMP net unreachable.
 * - blackhole, unreachable, prohibit destinations have no Ip counter of their own. The test proves
 *   those drops by their absence from every egress capture, and tells them apart by the ICMP error
 *   each draws (to its source, when the source has a unicast route back): none for blackhole,
 *   3/1 host unreachable for unreachable, 3/13 administratively prohibited for prohibit, 3/0 net
 *   unreachable for no route; 11/0 for TTL, 3/3 port unreachable for probes the router delivers;
 *   none for rp_filter and martian drops. Those errors are rate-limited by default
 *   (IcmpOutRateLimitHost), so the router sets net.ipv4.icmp_ratemask=0; ip_error's own
 *   per-source bucket (route/error_burst, 5 at once, a host-wide sysctl left alone) is why no
 *   source draws more than 3 of them here.
 * - IpForwDatagrams: forwarded packets; IpInDelivers: packets to the router's own addresses.
 * - IpInHdrErrors: packets the router would forward with TTL 1 or 0 (ip_forward's too_many_hops;
 *   it answers ICMP time exceeded). Delivered packets with TTL 1 are fine; a forged one with
 *   TTL 1 counts as rp_filter, which comes first.
 *
 * Where RFC 3704 is unclear, the kernel does this (each checked below):
 * - Order: the destination is looked up first. A packet whose destination is unrouted, blackhole,
 *   unreachable or prohibit is dropped before its source is checked, so it never counts in
 *   IPReversePathFilter, forged or not. fibscope counts classes per packet independently (a packet
 *   can be both `urpf-*` and `dropped`); compare with the kernel on traffic where every forged
 *   source goes to a routable destination (the first probe set), or subtract the overlap.
 * - A source that is one of the router's own addresses (a `local` route) is a martian source:
 *   dropped, never counted as rp_filter, in either mode (fib_validate_source returns -EINVAL for
 *   a local route; net.ipv4.conf.*.accept_local=1 would let it through, not tried here). An RFC
 *   reading would pass it in loose mode and, in strict mode, pass it only on the interface that
 *   holds the address, so keep own-address sources out of a comparison.
 * - Default routes count as routes: with a default route, loose mode passes every source that
 *   the default covers, and strict mode passes it when the default leaves by the ingress device
 *   (the RFC's "loose ignoring default" variant is not what Linux does). The router has no
 *   default route unless a setting adds one via c.
 * - The mode of an interface is max(conf/all/rp_filter, conf/<interface>/rp_filter): all=2 with
 *   an interface at 1 is loose; all=0 with an interface at 1 is strict.
 * - Policy routing: the route back is the result of the full rule lookup (tables in `ip rule`
 *   order, `throw` going on to the next), the same as for destinations. The reference follows
 *   the router's `ip -j rule` (only the three default rules here; custom rules are not exercised).
 * - IPv6 has no rp_filter (only netfilter's rpfilter match): the router's IPv6 table is built and
 *   can be read, but the kernel gives no IPv6 uRPF verdict to compare with.
 *
 * Needs root, iproute2, tcpdump and python3 (Debian packages); skipped with the reason otherwise.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Analyzer, Fib } from '../src/node.js';
import { pcapLayout } from './helpers/captures.js';
import { type ForgedProbe, forgeSenderMissing, sendForged } from './helpers/forge-sender.js';
import {
  NEIGHBOURS, type Neighbour, PLAN, ROUTES, type RouterCaptures, type UrpfMode, type UrpfRouter,
  type UrpfRouterOptions, ingressPcapng, urpfRouterMissing, withUrpfRouter,
} from './helpers/urpf-router.js';
import { tempDir } from './helpers/temp-dir.js';

// ---------------------------------------------------------------- the slow reference

type RouteType = 'unicast' | 'local' | 'broadcast' | 'multicast' | 'anycast' | 'blackhole' | 'unreachable' | 'prohibit' | 'throw' | 'nat';

interface KernelRoute {
  base: number;
  length: number;
  type: RouteType;
  table: string;
  metric: number;
  /** every device a packet to this route can leave by (each nexthop's, for multipath) */
  devices: string[];
  text: string;
}

function ipv4Number(text: string, where: string): number {
  const parts = text.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) throw new Error(`${where}: not an IPv4 address: ${text}`);
  return ((parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8) | parts[3]) >>> 0;
}

function ipv4Text(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

function contains(route: KernelRoute, address: number): boolean {
  return route.length === 0 || (route.base ^ address) >>> (32 - route.length) === 0;
}

/** The rows of `ip -4 -j route show table all`, as the kernel's FIB holds them. */
function parseIpJsonRoutes(text: string): KernelRoute[] {
  const rows = JSON.parse(text) as Record<string, unknown>[];
  return rows.map((row, i) => {
    const where = `ip -j route row ${i}`;
    const dst = String(row.dst);
    const [address, length] = dst === 'default' ? ['0.0.0.0', '0'] : dst.includes('/') ? dst.split('/') : [dst, '32'];
    const nexthops = (row.nexthops as { dev?: string }[] | undefined) ?? [];
    const devices = [row.dev as string | undefined, ...nexthops.map((n) => n.dev)].filter((d): d is string => d !== undefined);
    return {
      base: ipv4Number(address, where), length: Number(length),
      type: (row.type as RouteType | undefined) ?? 'unicast',
      table: (row.table as string | undefined) ?? 'main',
      metric: (row.metric as number | undefined) ?? 0,
      devices, text: JSON.stringify(row),
    };
  });
}

/** The tables of `ip -4 -j rule show`, in the order the kernel tries them (rules without selectors only). */
function parseIpJsonRules(text: string): string[] {
  const rules = JSON.parse(text) as { priority: number; src: string; table: string; [k: string]: unknown }[];
  for (const rule of rules) {
    const selectors = Object.keys(rule).filter((k) => !['priority', 'src', 'table'].includes(k));
    if (rule.src !== 'all' || selectors.length > 0) throw new Error(`the reference reads only unconditional rules: ${JSON.stringify(rule)}`);
  }
  return [...rules].sort((x, y) => x.priority - y.priority).map((r) => r.table);
}

class ReferenceFib {
  constructor(private readonly routes: KernelRoute[], private readonly tables: string[]) {}

  /** The kernel's fib_lookup, slowly: each table in rule order, longest prefix, then lowest metric. */
  lookup(address: number): KernelRoute | null {
    for (const table of this.tables) {
      let best: KernelRoute | null = null;
      for (const route of this.routes) {
        if (route.table !== table || !contains(route, address)) continue;
        if (best === null || route.length > best.length || (route.length === best.length && route.metric < best.metric)) best = route;
      }
      if (best !== null && best.type !== 'throw') return best;
    }
    return null;
  }
}

const DROPPING: readonly RouteType[] = ['blackhole', 'unreachable', 'prohibit'];

/** RFC 3704 loose mode: fails when the source has no route, or only a route that drops. */
function urpfLooseFails(fib: ReferenceFib, source: number): boolean {
  const route = fib.lookup(source);
  return route === null || DROPPING.includes(route.type);
}

/** RFC 3704 strict mode: fails unless the best route back to the source leaves by the ingress device. */
function urpfStrictFails(fib: ReferenceFib, source: number, ingress: string): boolean {
  const route = fib.lookup(source);
  return route === null || DROPPING.includes(route.type) || !route.devices.includes(ingress);
}

type Verdict = 'forwarded' | 'delivered' | 'rp-filter' | 'martian-source' | 'ttl-expired' | 'no-route' | 'blackhole' | 'unreachable' | 'prohibit' | 'other';

/** What Linux does with the packet, in the kernel's order: destination, then source (see the header). */
function kernelVerdict(fib: ReferenceFib, mode: UrpfMode, packet: CapturedPacket): Verdict {
  const destination = fib.lookup(packet.dst);
  if (destination === null) return 'no-route';
  if (destination.type === 'blackhole' || destination.type === 'unreachable' || destination.type === 'prohibit') return destination.type;
  if (destination.type !== 'unicast' && destination.type !== 'local') return 'other';
  const source = fib.lookup(packet.src);
  if (source !== null && (source.type === 'local' || source.type === 'broadcast')) return 'martian-source';
  const fails = mode === 'strict' ? urpfStrictFails(fib, packet.src, packet.device) : urpfLooseFails(fib, packet.src);
  if (fails) return 'rp-filter';
  if (destination.type === 'local') return 'delivered';
  return packet.ttl <= 1 ? 'ttl-expired' : 'forwarded';
}

// ---------------------------------------------------------------- captures

interface CapturedPacket {
  device: string;
  src: number;
  dst: number;
  ttl: number;
  /** the probe's id */
  sport: number;
}

/** An ICMP error the router sent about a probe. */
interface IcmpError {
  device: string;
  type: number;
  code: number;
  /** the probe's id, from the UDP header quoted in the error */
  sport: number;
}

function ipv4Packets(bytes: Uint8Array, device: string): { ip: number; view: DataView; where: string }[] {
  const layout = pcapLayout(bytes);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return layout.records.map((record, i) => {
    const where = `${device} record ${i}`;
    if (record.dataEnd > bytes.length || record.caplen < 14 + 20 + 8) throw new Error(`${where}: cut (${record.caplen} bytes)`);
    const etherType = view.getUint16(record.dataOffset + 12);
    if (etherType !== 0x0800) throw new Error(`${where}: EtherType 0x${etherType.toString(16)}, not IPv4`);
    const ip = record.dataOffset + 14;
    if (bytes[ip] >> 4 !== 4) throw new Error(`${where}: not IPv4`);
    return { ip, view, where };
  });
}

/** The UDP probes of one interface's Ethernet pcap (ICMP errors are left to icmpErrors). */
function capturedPackets(bytes: Uint8Array, device: string): CapturedPacket[] {
  return ipv4Packets(bytes, device).filter(({ ip }) => bytes[ip + 9] === 17).map(({ ip, view }) => ({
    device, src: view.getUint32(ip + 12), dst: view.getUint32(ip + 16), ttl: bytes[ip + 8],
    sport: view.getUint16(ip + (bytes[ip] & 15) * 4),
  }));
}

function icmpErrors(bytes: Uint8Array, device: string): IcmpError[] {
  return ipv4Packets(bytes, device).filter(({ ip }) => bytes[ip + 9] === 1).map(({ ip, view, where }) => {
    const icmp = ip + (bytes[ip] & 15) * 4;
    const quoted = icmp + 8;
    if (bytes[quoted + 9] !== 17) throw new Error(`${where}: the ICMP error quotes protocol ${bytes[quoted + 9]}, not a UDP probe`);
    return { device, type: bytes[icmp], code: bytes[icmp + 1], sport: view.getUint16(quoted + (bytes[quoted] & 15) * 4) };
  });
}

function allPackets(captures: Map<string, Uint8Array>): CapturedPacket[] {
  return [...captures].flatMap(([device, bytes]) => capturedPackets(bytes, device));
}

function allIcmpErrors(captures: Map<string, Uint8Array>): IcmpError[] {
  return [...captures].flatMap(([device, bytes]) => icmpErrors(bytes, device));
}

/**
 * The ICMP error (type/code) the kernel answers a verdict with, or null for a silent drop or a
 * forwarded packet. It goes to the packet's source, so only when that source has a unicast route.
 */
function expectedIcmp(fib: ReferenceFib, packet: CapturedPacket, verdict: Verdict): string | null {
  if (fib.lookup(packet.src)?.type !== 'unicast') return null;
  switch (verdict) {
    case 'no-route': return '3/0'; // net unreachable
    case 'unreachable': return '3/1'; // host unreachable
    case 'prohibit': return '3/13'; // communication administratively prohibited
    case 'delivered': return '3/3'; // port unreachable: nothing listens on the probes' port
    case 'ttl-expired': return '11/0';
    default: return null; // forwarded, blackhole, rp-filter, martian-source: no error
  }
}

// ---------------------------------------------------------------- probes

let nextProbe = 20_000;
function probe(src: string, dst: string, ttl = 64): ForgedProbe {
  return { src, dst, sport: nextProbe++, dport: 9, ttl };
}

/** An address inside a prefix of the plan: `inside('10.20.0.0/16', 7)` is 10.20.0.7. */
function inside(prefix: string, host: number): string {
  return ipv4Text(ipv4Number(prefix.split('/')[0], prefix) + host);
}

const OTHER: Record<Neighbour, Neighbour> = { a: 'b', b: 'c', c: 'a' };

/**
 * Every forged source goes to a routable destination, so the kernel checks every source and each
 * RFC 3704 class equals a kernel counter directly.
 */
function comparableProbes(): Map<Neighbour, ForgedProbe[]> {
  const probes = new Map<Neighbour, ForgedProbe[]>();
  for (const n of NEIGHBOURS) {
    const routable = inside(PLAN[OTHER[n]].behind, 1 * 256 + 9);
    const sources = [
      PLAN[n].neighbour, // the neighbour's own address on the link
      inside(PLAN[n].behind, 7), // its network
      ...NEIGHBOURS.filter((m) => m !== n).map((m) => inside(PLAN[m].behind, 7)), // another neighbour's network
      inside(ROUTES.multipath, 7), // strict passes on a and b, fails on c
      inside(ROUTES.unrouted, 7),
      inside(ROUTES.blackhole, 7), inside(ROUTES.unreachable, 7), inside(ROUTES.prohibit, 7),
      inside(ROUTES.blackholeInsideB, 7),
    ];
    probes.set(n, sources.map((src) => probe(src, routable)));
  }
  // every kind of destination, from a legitimate source
  const legitimate = inside(PLAN.a.behind, 8);
  const destinations = [
    inside(PLAN.b.behind, 9), inside(PLAN.a.behind, 9), inside(ROUTES.multipath, 9), inside(ROUTES.blackhole, 9),
    inside(ROUTES.unreachable, 9), inside(ROUTES.prohibit, 9), inside(ROUTES.blackholeInsideB, 9),
    inside(ROUTES.unrouted, 9), PLAN.a.router, PLAN.c.router,
  ];
  probes.get('a')!.push(...destinations.map((dst) => probe(legitimate, dst)));
  // TTL 1 and 0: expiring where the router forwards, not where it delivers or drops by destination
  const fromB = inside(PLAN.b.behind, 8);
  probes.get('b')!.push(probe(fromB, inside(PLAN.c.behind, 10), 1), probe(fromB, inside(PLAN.a.behind, 10), 0),
    probe(fromB, inside(ROUTES.multipath, 10), 1), probe(fromB, PLAN.b.router, 1), probe(fromB, inside(ROUTES.blackhole, 10), 1));
  return probes;
}

/** Where the kernel's order differs from counting classes per packet (see the header). */
function precedenceProbes(): Map<Neighbour, ForgedProbe[]> {
  const forged = [inside(ROUTES.unrouted, 11), inside(PLAN.c.behind, 11), inside(ROUTES.blackhole, 11)];
  const dropping = [inside(ROUTES.blackhole, 12), inside(ROUTES.unreachable, 12), inside(ROUTES.prohibit, 12), inside(ROUTES.unrouted, 12)];
  const a = forged.flatMap((src) => dropping.map((dst) => probe(src, dst)));
  // the router's own addresses as sources: martian, not rp_filter
  a.push(probe(PLAN.b.router, inside(PLAN.b.behind, 13)), probe(PLAN.a.router, inside(PLAN.c.behind, 13)));
  // a forged source with TTL 1 to a routable destination: rp_filter drops it before the TTL matters
  a.push(probe(inside(ROUTES.unrouted, 14), inside(PLAN.b.behind, 14), 1));
  return new Map([['a', a]]);
}

// ---------------------------------------------------------------- one run

interface Run {
  fib: ReferenceFib;
  sent: Map<number, { from: Neighbour; probe: ForgedProbe }>;
  captures: RouterCaptures;
  delta: (name: string) => number;
  router: UrpfRouter;
}

async function runProbes(router: UrpfRouter, probes: Map<Neighbour, ForgedProbe[]>): Promise<Run> {
  const fib = new ReferenceFib(parseIpJsonRoutes(router.routesJson(4)), parseIpJsonRules(router.ip(router.router, ['-4', '-j', 'rule', 'show'])));
  const before = router.counters();
  const capture = await router.capture();
  const sent = new Map<number, { from: Neighbour; probe: ForgedProbe }>();
  for (const [from, list] of probes) for (const p of list) sent.set(p.sport, { from, probe: p });
  await Promise.all([...probes].map(([from, list]) => sendForged(router.neighbours[from], list)));
  const captures = await capture.stop(sent.size);
  const after = router.counters();
  const delta = (name: string) => {
    if (!after.has(name)) throw new Error(`the router has no counter ${name}`);
    return after.get(name)! - (before.get(name) ?? 0);
  };
  return { fib, sent, captures, delta, router };
}

function count<T>(items: readonly T[], keep: (item: T) => boolean): number {
  return items.filter(keep).length;
}

/** The harness itself: every probe sent was captured once, on the interface of its sender. */
function expectEveryProbeCaptured(run: Run, ingress: CapturedPacket[]): void {
  expect(ingress.map((p) => p.sport).sort()).toEqual([...run.sent.keys()].sort());
  for (const packet of ingress) {
    const { from, probe: p } = run.sent.get(packet.sport)!;
    expect(packet.device, `probe ${p.sport}`).toBe(run.router.interfaces[from]);
    expect(ipv4Text(packet.src)).toBe(p.src);
    expect(ipv4Text(packet.dst)).toBe(p.dst);
  }
}

/**
 * Every packet the reference says is forwarded left by a device of its route, no other packet
 * left, and each dropped one drew the ICMP error of its route type (or none). Returns the
 * errors' `type/code`s.
 */
function expectKernelOutput(run: Run, ingress: CapturedPacket[], verdicts: Verdict[]): Set<string> {
  const egress = allPackets(run.captures.egress);
  const forwarded = ingress.filter((_, i) => verdicts[i] === 'forwarded');
  expect(egress.map((p) => p.sport).sort()).toEqual(forwarded.map((p) => p.sport).sort());
  expect(run.delta('IpInHdrErrors')).toBe(count(verdicts, (v) => v === 'ttl-expired'));
  // why the rest were dropped: the ICMP error each drew, by route type
  const errors = allIcmpErrors(run.captures.egress);
  const expectedErrors = ingress.flatMap((p, i) => {
    const icmp = expectedIcmp(run.fib, p, verdicts[i]);
    return icmp === null ? [] : [`${p.sport} ${icmp} via ${run.fib.lookup(p.src)!.devices.join('|')}`];
  });
  expect(errors.map((e) => `${e.sport} ${e.type}/${e.code} via ${e.device}`).sort(), 'ICMP errors').toEqual(expectedErrors.sort());
  for (const packet of egress) {
    const route = run.fib.lookup(packet.dst)!;
    expect(route.devices, `probe ${packet.sport} to ${ipv4Text(packet.dst)} left by ${packet.device}`).toContain(packet.device);
  }
  expect(run.delta('IpForwDatagrams')).toBe(forwarded.length);
  return new Set(errors.map((e) => `${e.type}/${e.code}`));
}

/** fibscope's anomaly classes of the router's ingress, classified by the router's own table. */
async function fibscopeClasses(run: Run): Promise<Map<string, number>> {
  const fib = await Fib.create();
  fib.load(run.router.routesJson(4), { format: 'ip-json' });
  const analyzer = new Analyzer({ fib, checks: true });
  try {
    analyzer.push(ingressPcapng(run.captures));
    analyzer.end();
    const anomalies = analyzer.report().anomalies!;
    const strict = anomalies.find((row) => row.class === 'urpf-strict')!;
    expect(strict.checked, 'every ingress packet has its interface name').toBe(true);
    expect(strict.unchecked).toBeUndefined();
    return new Map(anomalies.map((row) => [row.class, Number(row.packets)]));
  } finally {
    analyzer.dispose();
  }
}

// ---------------------------------------------------------------- the tests

const missing = urpfRouterMissing() ?? forgeSenderMissing();
if (missing) console.warn(`urpf-kernel.test.ts skipped: ${missing}`);

interface Setting {
  name: string;
  /** the mode the kernel applies: max(all, interface) */
  mode: UrpfMode;
  options: UrpfRouterOptions;
  /** fewer uRPF failures than this means the probes no longer test what they should */
  atLeast: number;
}

// strict: per neighbour, 5 sources without a forwarding route, 2 from another neighbour, and the
// multipath source from c; loose: the 5 only. A default route via c gives unrouted sources a route.
const SETTINGS: Setting[] = [
  { name: 'strict (rp_filter=1 on all, default and each interface)', mode: 'strict', options: {}, atLeast: 22 },
  { name: 'loose (rp_filter=2 on all, default and each interface)', mode: 'loose', options: {}, atLeast: 15 },
  { name: 'strict by the interface alone (all=0, interface=1)', mode: 'strict', options: { rpFilterAll: 0, rpFilterInterfaces: 1 }, atLeast: 22 },
  { name: 'loose by all over a strict interface (all=2, interface=1)', mode: 'loose', options: { rpFilterAll: 2, rpFilterInterfaces: 1 }, atLeast: 15 },
  { name: 'strict with a default route via c', mode: 'strict', options: { defaultVia: 'c' }, atLeast: 21 },
  { name: 'loose with a default route via c', mode: 'loose', options: { defaultVia: 'c' }, atLeast: 12 },
];

describe.skipIf(missing !== null)('uRPF verdicts of a Linux router equal the RFC 3704 reference on its captures', () => {
  it.each(SETTINGS)('$name', async ({ mode, options, atLeast }) => {
    await withUrpfRouter(mode, options, async (router) => {
      const run = await runProbes(router, comparableProbes());
      const ingress = allPackets(run.captures.ingress);
      expectEveryProbeCaptured(run, ingress);

      // the classes fibscope will count, from the capture and the table alone
      const fails = ingress.map((p) => (mode === 'strict' ? urpfStrictFails(run.fib, p.src, p.device) : urpfLooseFails(run.fib, p.src)));
      const dropped = (type: RouteType | null) => count(ingress, (p) => (run.fib.lookup(p.dst)?.type ?? null) === type);
      expect(count(fails, Boolean)).toBe(run.delta('TcpExtIPReversePathFilter'));
      expect(dropped(null)).toBe(run.delta('IpExtInNoRoutes'));

      // and packet by packet: what was forwarded, and what reached the router itself
      const verdicts = ingress.map((p) => kernelVerdict(run.fib, mode, p));
      expect(count(verdicts, (v) => v === 'rp-filter')).toBe(count(fails, Boolean)); // no overlap in this probe set
      const icmp = expectKernelOutput(run, ingress, verdicts);
      expect(run.delta('IpInDelivers')).toBe(count(verdicts, (v) => v === 'delivered'));

      // the probes exercise what they are meant to (guards against a plan that tests nothing)
      expect(count(fails, Boolean)).toBeGreaterThanOrEqual(atLeast);
      expect(count(verdicts, (v) => v === 'ttl-expired')).toBeGreaterThan(0);
      for (const error of ['3/1', '3/13', '3/3', '11/0', ...(options.defaultVia ? [] : ['3/0'])]) expect(icmp, `ICMP ${error}`).toContain(error);
      for (const type of ['blackhole', 'unreachable', 'prohibit'] as const) expect(dropped(type)).toBeGreaterThan(0);
      expect(count(verdicts, (v) => v === 'forwarded')).toBeGreaterThan(5);

      // fibscope on the ingress capture, with the router's table: the kernel's verdicts again
      const classes = await fibscopeClasses(run);
      expect(classes.get(mode === 'strict' ? 'urpf-strict' : 'urpf-loose')).toBe(run.delta('TcpExtIPReversePathFilter'));
      expect(classes.get('unrouted')).toBe(run.delta('IpExtInNoRoutes'));
      expect(classes.get('dropped')).toBe(dropped('blackhole') + dropped('unreachable') + dropped('prohibit'));
      // TTL: the kernel counts what it would forward with TTL 1 or 0 after the source check
      expect(classes.get('ttl-expiring')).toBe(count(ingress, (p) => p.ttl <= 1 && run.fib.lookup(p.dst)?.type === 'unicast'));
      expect(run.delta('IpInHdrErrors')).toBe(ingress.filter((p, i) => p.ttl <= 1 && run.fib.lookup(p.dst)?.type === 'unicast' && !fails[i]).length);
    });
  }, 20_000);

  it.each(['strict', 'loose'] as const)('%s: destinations are checked before sources, and own addresses are martians', async (mode) => {
    await withUrpfRouter(mode, {}, async (router) => {
      const run = await runProbes(router, precedenceProbes());
      const ingress = allPackets(run.captures.ingress);
      expectEveryProbeCaptured(run, ingress);
      const verdicts = ingress.map((p) => kernelVerdict(run.fib, mode, p));
      const perPacketClass = count(ingress, (p) => (mode === 'strict' ? urpfStrictFails(run.fib, p.src, p.device) : urpfLooseFails(run.fib, p.src)));
      // RFC 3704 per packet says forged; the kernel dropped them by destination without looking
      expect(perPacketClass).toBeGreaterThanOrEqual(9);
      expect(run.delta('TcpExtIPReversePathFilter')).toBe(count(verdicts, (v) => v === 'rp-filter'));
      expect(run.delta('TcpExtIPReversePathFilter')).toBe(1); // the TTL 1 probe only
      expect(run.delta('IpExtInNoRoutes')).toBe(count(verdicts, (v) => v === 'no-route'));
      expect(count(verdicts, (v) => v === 'martian-source')).toBe(2);
      expectKernelOutput(run, ingress, verdicts);
    });
  }, 20_000);

  const tshark = spawnSync('sh', ['-c', 'command -v tshark']).status === 0;
  if (!tshark) console.warn('urpf-kernel.test.ts: the merged pcapng is not read back: tshark is missing (Debian: tshark)');

  it.skipIf(!tshark)('merges the ingress captures into one pcapng that names each packet\'s interface (read back by tshark)', async () => {
    await withUrpfRouter('strict', {}, async (router) => {
      const run = await runProbes(router, comparableProbes());
      const dir = tempDir('fibscope-urpf-');
      const file = join(dir, 'ingress.pcapng');
      writeFileSync(file, ingressPcapng(run.captures));
      const read = spawnSync('tshark', ['-n', '-r', file, '-T', 'fields', '-e', 'frame.interface_name', '-e', 'ip.src', '-e', 'udp.srcport'], { encoding: 'utf8' });
      expect(read.status, read.stderr).toBe(0);
      const seen = read.stdout.trim().split('\n').sort();
      const expected = allPackets(run.captures.ingress).map((p) => `${p.device}\t${ipv4Text(p.src)}\t${p.sport}`).sort();
      expect(seen).toEqual(expected);
      expect(new Set(seen.map((line) => line.split('\t')[0]))).toEqual(new Set(Object.values(router.interfaces)));
    });
  }, 20_000);

  it('prints an IPv6 table with the same route types (fibscope loads it; the kernel has no IPv6 rp_filter)', async () => {
    await withUrpfRouter('strict', {}, async (router) => {
      const rows = JSON.parse(router.routesJson(6)) as { dst: string; type?: string; nexthops?: unknown[] }[];
      const types = new Set(rows.map((r) => r.type ?? 'unicast'));
      for (const type of ['unicast', 'blackhole', 'unreachable', 'prohibit', 'local']) expect(types, type).toContain(type);
      expect(rows.some((r) => (r.nexthops?.length ?? 0) === 2)).toBe(true);
    });
  }, 20_000);
});
