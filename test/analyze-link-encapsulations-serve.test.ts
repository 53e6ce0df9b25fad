// PPPoE, MPLS, PPP and Cisco HDLC through the command line and `fibscope serve`: the same
// WebAssembly decoders behind every surface, so a pcapng with one interface per link type
// gives the same counts from `analyze -f json` and from /metrics.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pcapng, type PcapngBlock } from './helpers/captures.js';
import {
  ciscoHdlc, ETHERTYPE, ethernet, LINKTYPE, mplsStack, ppp, PPP_PROTOCOL, pppoeSession, udp4, udp6,
} from './helpers/packets.js';
import { CLI, metricValue, serveUnavailable, startServe, waitFor } from './helpers/serve-process.js';
import { tempDir } from './helpers/temp-dir.js';

const unavailable = serveUnavailable();
if (unavailable) console.warn(`skipping the encapsulations through fibscope serve: ${unavailable}`);

const dir = tempDir('fibscope-encapsulations-');
const routes = join(dir, 'routes.txt');
writeFileSync(routes, '10.0.0.0/8 192.0.2.1 eth0\n2001:db8::/32 fe80::1 eth1\n');

const v4 = udp4('198.51.100.1', '10.1.2.3');
const v6 = udp6('2001:db8::1', '2001:db8::99');
const frames: [number, Uint8Array][] = [
  [LINKTYPE.EN10MB, ethernet({ vlans: [{ tpid: 0x8100, vid: 4 }], etherType: ETHERTYPE.PPPOE_SESSION, payload: pppoeSession({ protocol: PPP_PROTOCOL.IPV4, payload: v4 }) })],
  [LINKTYPE.EN10MB, ethernet({ etherType: ETHERTYPE.MPLS, payload: mplsStack([16, 17, 18], v6) })],
  [LINKTYPE.EN10MB, ethernet({ etherType: ETHERTYPE.PPPOE_SESSION, payload: pppoeSession({ protocol: PPP_PROTOCOL.LCP, payload: new Uint8Array(4) }) })],
  [LINKTYPE.EN10MB, ethernet({ etherType: ETHERTYPE.MPLS, payload: mplsStack([16, 17], v4).subarray(0, 6) })],
  [LINKTYPE.PPP, ppp({ protocol: PPP_PROTOCOL.IPV6, payload: v6 })],
  [LINKTYPE.PPP_HDLC, ppp({ protocol: PPP_PROTOCOL.IPV4, payload: v4, addressControl: false, compressProtocol: true })],
  [LINKTYPE.C_HDLC, ciscoHdlc({ protocol: ETHERTYPE.IPV4, payload: v4 })],
  [LINKTYPE.C_HDLC, ciscoHdlc({ protocol: 0x8035, payload: new Uint8Array(18) })],
];
const interfaces: number[] = [LINKTYPE.EN10MB, LINKTYPE.PPP, LINKTYPE.PPP_HDLC, LINKTYPE.C_HDLC];
const capture = pcapng({ sections: [{
  interfaces: interfaces.map((linkType) => ({ linkType })),
  blocks: frames.map(([linkType, data], i): PcapngBlock => ({ kind: 'epb', interface: interfaces.indexOf(linkType), ts: BigInt(i), data })),
}] });
const path = join(dir, 'encapsulations.pcapng');
writeFileSync(path, capture);
// 4 IPv4 and 2 IPv6 counted, LCP and SLARP not IP, the MPLS stack cut short malformed
const want = { records: 8, counted: 5, nonIp: 2, malformed: 1 };

describe.skipIf(unavailable !== undefined)('every surface decodes the new link layers', () => {
  it('analyze -f json', () => {
    const result = spawnSync(process.execPath, [CLI, 'analyze', '-r', routes, '-f', 'json', path], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    const report = JSON.parse(result.stdout);
    expect(report.totals).toMatchObject({ ...want, unsupportedLink: 0, malformedReasons: { link_hdr_truncated: 1 } });
    expect(report.inputs[0].linkTypes).toEqual(interfaces);
  });

  it('serve: /metrics', async () => {
    const serve = await startServe(['-r', routes, '-']);
    try {
      serve.child.stdin!.end(capture);
      const metrics = async () => (await fetch(`${serve.base}/metrics`)).text();
      await waitFor(async () => metricValue(await metrics(), 'fibscope_records_total') === want.records);
      const text = await metrics();
      expect(metricValue(text, 'fibscope_counted_packets_total')).toBe(want.counted);
      expect(metricValue(text, 'fibscope_non_ip_packets_total')).toBe(want.nonIp);
      expect(metricValue(text, 'fibscope_unsupported_link_packets_total')).toBe(0);
      expect(metricValue(text, 'fibscope_malformed_packets_total{reason="link_hdr_truncated"}')).toBe(want.malformed);
    } finally {
      serve.child.kill('SIGTERM');
      await serve.exited;
    }
  });
});
