// `fibscope lookup -r rib.mrt.bz2 [--peer ...]`: an MRT RIB dump read through the command line
// (detected from its bytes, bzip2 or gzip), compared with the same command on bgpdump's text of it.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { concatBytes } from '../../src/bgp/message/bytes.js';
import { bgpdumpLines, bzip2, gzip, hasBgpdump, hasBzip2, peerIndexTable, ribRecord } from './build.js';
import { tempDir } from '../helpers/temp-dir.js';

const CLI = new URL('../../dist/cli.js', import.meta.url).pathname;
const dir = tempDir('fibscope-mrt-cli-');

const T = 1_700_000_000;
const rib = concatBytes([
  peerIndexTable(T, '10.0.0.1', 'rrc00', [
    { bgpId: '192.0.2.1', address: '192.0.2.1', as: 4_200_000_001 },
    { bgpId: '192.0.2.2', address: '2001:db8::2', as: 64_502 },
  ]),
  ribRecord(T, 0, '8.8.8.0/24', [
    { peerIndex: 0, attributes: { asPath: '4200000001 15169', nextHop: '192.0.2.1', communities: ['3356:100'] } },
    { peerIndex: 1, attributes: { asPath: '64502 3356 15169', nextHop: '192.0.2.20', med: 10 } },
  ]),
  ribRecord(T, 1, '2001:4860::/32', [{ peerIndex: 1, attributes: { asPath: '64502 15169', nextHop: '2001:db8::2', linkLocal: 'fe80::2' } }]),
]);

function run(...args: string[]) {
  // small captures are cut into pieces for worker threads only with a smaller least piece
  return spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, FIBSCOPE_THREADS_MIN_RANGE: '65536' } });
}

describe.skipIf(!hasBgpdump || !hasBzip2)('fibscope with an MRT routes file', () => {
  const mrt = join(dir, 'rib.mrt');
  writeFileSync(mrt, rib);
  const bz2 = join(dir, 'rib.bz2');
  const gz = join(dir, 'rib.gz');
  // (vitest runs a skipped describe's body too: without the tools, nothing here may call them)
  const usable = hasBgpdump && hasBzip2;
  if (usable) writeFileSync(bz2, bzip2(rib));
  writeFileSync(gz, gzip(rib));
  const lines = usable ? bgpdumpLines(mrt) : [];

  it('without --peer: the first entry of each prefix, as bgpdump prints it first', () => {
    const text = join(dir, 'first.txt');
    writeFileSync(text, `${[lines[0], lines[2]].join('\n')}\n`);
    const expected = run('lookup', '-r', text, '8.8.8.8', '2001:4860::1');
    expect(expected.status, expected.stderr).toBe(0);
    for (const file of [mrt, bz2, gz]) {
      const result = run('lookup', '-r', file, '8.8.8.8', '2001:4860::1');
      expect(result.status, result.stderr).toBe(0);
      expect(result.stdout).toBe(expected.stdout);
    }
    expect(expected.stdout).toMatch(/^8\.8\.8\.8 via 192\.0\.2\.1 .*communities 3356:100\n2001:4860::1 via 2001:db8::2 /);
  });

  it('--peer by address or AS: that peer\'s routes; an unknown peer is an error naming the peers', () => {
    const text = join(dir, 'peer.txt');
    writeFileSync(text, `${lines.filter((line) => line.split('|')[3] === '2001:db8::2').join('\n')}\n`);
    const expected = run('lookup', '-r', text, '8.8.8.8');
    for (const peer of ['2001:db8::2', '64502', 'AS64502']) {
      const result = run('lookup', '-r', bz2, '--peer', peer, '8.8.8.8');
      expect(result.status, result.stderr).toBe(0);
      expect(result.stdout).toBe(expected.stdout);
    }
    expect(expected.stdout).toMatch(/via 192\.0\.2\.20 metric 10 /);
    const unknown = run('lookup', '-r', mrt, '--peer', '198.51.100.1', '8.8.8.8');
    expect(unknown.status).not.toBe(0);
    expect(unknown.stderr).toMatch(/--peer 198\.51\.100\.1: no such peer in the PEER_INDEX_TABLE of .*rib\.mrt; its peers: 192\.0\.2\.1 \(AS4200000001\), 2001:db8::2 \(AS64502\)/);
  });

  it('--routes-format mrt, and a truncated file: a warning naming the offset, the routes before it kept', () => {
    const cut = join(dir, 'cut.mrt');
    writeFileSync(cut, rib.subarray(0, rib.length - 5));
    const result = run('lookup', '-r', cut, '--routes-format', 'mrt', '8.8.8.8');
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^8\.8\.8\.8 via 192\.0\.2\.1 /);
    expect(result.stderr).toMatch(/warning: .*cut\.mrt@\d+: truncated MRT record: .*; the routes before it were loaded/);
  });
});

describe('fibscope analyze with an MRT table and --peer', () => {
  it('the chosen peer\'s routes classify the packets, in worker threads too', () => {
    const SAMPLE = new URL('../../samples/edge.pcap', import.meta.url).pathname;
    const prefixes = ['0.0.0.0/0', '10.0.0.0/8', '192.168.0.0/16', '::/0'];
    const file = join(dir, 'two-peers.mrt');
    writeFileSync(file, concatBytes([
      peerIndexTable(T, '10.0.0.1', '', [
        { bgpId: '192.0.2.1', address: '192.0.2.1', as: 64_501 },
        { bgpId: '192.0.2.2', address: '192.0.2.2', as: 64_502 },
      ]),
      ...prefixes.map((prefix, i) => ribRecord(T, i, prefix, [
        { peerIndex: 0, attributes: { asPath: '64501', nextHop: prefix.includes(':') ? '2001:db8::1' : '192.0.2.1' } },
        { peerIndex: 1, attributes: { asPath: '64502', nextHop: prefix.includes(':') ? '2001:db8::2' : '192.0.2.2' } },
      ])),
    ]));
    const nextHops = (...args: string[]) => {
      const result = run('analyze', '-r', file, '--by', 'nexthop', '-f', 'csv', '--no-checks', ...args, SAMPLE);
      expect(result.status, result.stderr).toBe(0);
      return result.stdout.trim().split('\n').slice(1).map((line) => line.split(',')[0]).filter((hop) => hop !== '' && hop !== '(none)').sort();
    };
    expect(nextHops()).toEqual(['192.0.2.1', '2001:db8::1']);
    expect(nextHops('--peer', '192.0.2.2')).toEqual(['192.0.2.2', '2001:db8::2']);
    expect(nextHops('--peer', 'AS64502', '--threads', '2')).toEqual(['192.0.2.2', '2001:db8::2']);
  });
});
