// The baseline "a Node user assembles it from npm": pcap-parser reads the records,
// hand-written JavaScript decodes Ethernet, VLAN tags and the IP header (SPEC section 2 as far
// as EN10MB goes), a Map counts per destination, and longest-prefix-match (npm) finds the route
// of each distinct destination, whose counts are then summed per route.
//
// What it does not do, and fibscope does: pcapng, ns pcap, link types other than EN10MB,
// timestamps per destination, RFC 5952 address text (IPv6 keys are uncompressed hex groups).
import LongestPrefixMatch from 'longest-prefix-match';
import pcapParser from 'pcap-parser';

export interface NpmPipelineResult {
  /** records read */
  packets: number;
  /** IPv4/IPv6 packets whose destination was inside the captured bytes */
  counted: number;
  /** routes that matched at least one packet */
  routes: number;
  /** distinct counted destinations */
  destinations: number;
  ms: number;
}

interface Counter {
  packets: number;
  bytes: number;
}

const hex4 = (b: Buffer, at: number) => ((b[at] << 8) | b[at + 1]).toString(16);

/** Routes of a plain-format table (`PREFIX [NEXTHOP …]`): the prefix is the route's key. */
function loadRoutes(text: string): LongestPrefixMatch {
  const lpm = new LongestPrefixMatch();
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    if (!line) continue;
    const [prefix] = line.split(/[\s,]+/);
    lpm.addPrefix(prefix.includes('/') ? prefix : `${prefix}/${prefix.includes(':') ? 128 : 32}`, prefix);
  }
  return lpm;
}

/** Counts `capturePath` (an EN10MB µs pcap) by destination and by route. */
export async function npmPipeline(capturePath: string, routesText: string): Promise<NpmPipelineResult> {
  const start = performance.now();
  const lpm = loadRoutes(routesText);
  const destinations = new Map<string, Counter>();
  let packets = 0;
  let counted = 0;
  let ethernet = false;

  await new Promise<void>((resolve, reject) => {
    const parser = pcapParser.parse(capturePath);
    parser.on('globalHeader', (header) => {
      ethernet = (header.linkLayerType & 0xffff) === 1;
    });
    parser.on('packet', (packet) => {
      packets++;
      const data = packet.data;
      if (!ethernet || data.length < 14) return;
      let at = 12;
      let type = data.readUInt16BE(at);
      while ((type === 0x8100 || type === 0x88a8 || type === 0x9100) && at + 6 <= data.length) {
        at += 4;
        type = data.readUInt16BE(at);
      }
      at += 2;
      let key: string;
      if (type === 0x0800) {
        if (at + 20 > data.length || data[at] >> 4 !== 4 || (data[at] & 15) < 5) return;
        key = `${data[at + 16]}.${data[at + 17]}.${data[at + 18]}.${data[at + 19]}`;
      } else if (type === 0x86dd) {
        if (at + 40 > data.length || data[at] >> 4 !== 6) return;
        const d = at + 24;
        key = `${hex4(data, d)}:${hex4(data, d + 2)}:${hex4(data, d + 4)}:${hex4(data, d + 6)}:` +
          `${hex4(data, d + 8)}:${hex4(data, d + 10)}:${hex4(data, d + 12)}:${hex4(data, d + 14)}`;
      } else {
        return;
      }
      counted++;
      const counter = destinations.get(key);
      if (counter) {
        counter.packets++;
        counter.bytes += packet.header.originalLength;
      } else {
        destinations.set(key, { packets: 1, bytes: packet.header.originalLength });
      }
    });
    parser.on('error', reject);
    parser.on('end', () => resolve());
  });

  const routes = new Map<string, Counter>();
  for (const [address, counter] of destinations) {
    const matches = lpm.getMatch(`${address}/${address.includes(':') ? 128 : 32}`);
    if (matches.length === 0) continue;
    const route = matches[matches.length - 1] as string; // the last route given for the prefix wins
    const total = routes.get(route);
    if (total) {
      total.packets += counter.packets;
      total.bytes += counter.bytes;
    } else {
      routes.set(route, { ...counter });
    }
  }
  return { packets, counted, routes: routes.size, destinations: destinations.size, ms: performance.now() - start };
}
