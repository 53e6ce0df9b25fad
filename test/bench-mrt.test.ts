/**
 * The MRT TABLE_DUMP_V2 writer the BGP benchmark feeds gobgpd with (bench/mrt.ts), read back by
 * bgpdump (Debian package bgpdump), the oracle: every route with its prefix, AS path (4-byte
 * ASNs too), origin and next hop. Skipped when bgpdump is missing.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ipv4Number, type MrtRoute, writeMrtRib } from '../bench/mrt.js';
import { tempDir } from './helpers/temp-dir.js';

const missing = spawnSync('sh', ['-c', 'command -v bgpdump']).status === 0 ? null : 'bgpdump is missing (Debian: bgpdump)';
const dir = tempDir('fibscope-mrt-');

describe.skipIf(missing)('writeMrtRib', () => {
  it('writes a RIB that bgpdump reads back route by route', () => {
    const routes: (MrtRoute & { text: string; nextHopText: string })[] = [
      ['1.2.3.0/24', [3356, 1299, 64496], '192.0.2.1'],
      ['5.0.0.0/8', [174], '192.0.2.2'],
      ['10.1.2.128/25', [4_200_000_000, 65000], '192.0.2.3'],
      ['0.0.0.0/0', [64500], '192.0.2.4'],
      ['198.51.100.7/32', Array.from({ length: 62 }, (_, i) => 64512 + i), '192.0.2.5'],
    ].map(([text, asPath, nextHop]) => {
      const [addr, length] = (text as string).split('/');
      return { text: text as string, nextHopText: nextHop as string, addr: ipv4Number(addr), length: Number(length), asPath: asPath as number[], nextHop: ipv4Number(nextHop as string) };
    });
    const path = join(dir, 'rib.mrt');
    writeMrtRib(path, { bgpId: ipv4Number('192.0.2.9'), address: ipv4Number('192.0.2.9'), as: 64999 }, routes, 1_700_000_000);
    const dump = spawnSync('bgpdump', ['-m', path], { encoding: 'utf8' });
    expect(dump.status).toBe(0);
    expect(dump.stdout.trim().split('\n')).toEqual(routes.map((r) =>
      `TABLE_DUMP2|1700000000|B|192.0.2.9|64999|${r.text}|${r.asPath.join(' ')}|IGP|${r.nextHopText}|0|0||NAG||`));
  });

  it('refuses an AS path longer than its one-byte attribute length holds', () => {
    const route = { addr: 0, length: 0, asPath: Array.from({ length: 63 }, () => 1), nextHop: 1 };
    expect(() => writeMrtRib(join(dir, 'long.mrt'), { bgpId: 1, address: 1, as: 1 }, [route])).toThrow(/63 ASNs/);
  });
});
