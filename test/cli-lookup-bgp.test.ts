// `fibscope lookup` shows the BGP attributes a route was read with (bgpdump -m lines), in text
// and JSON, checked against the fields of the line split here; routes without them show none.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from './helpers/temp-dir.js';

const CLI = new URL('../dist/cli.js', import.meta.url).pathname;
const LINES = [
  'TABLE_DUMP2|1454371200|B|192.0.2.1|64496|8.8.8.0/24|64496 3356 15169|IGP|192.0.2.1|0|0|3356:100 no-export|NAG||',
  'TABLE_DUMP2|1454371200|B|192.0.2.1|64496|198.51.100.0/24|64496 {64500,64501}|IGP|192.0.2.1|0|0||NAG||',
];

function lookup(file: string, ...args: string[]) {
  const result = spawnSync(process.execPath, [CLI, 'lookup', '-r', file, ...args], { encoding: 'utf8' });
  expect(result.status, result.stderr).toBe(0);
  return result.stdout;
}

describe('lookup with BGP attributes', () => {
  const dir = tempDir('fibscope-lookup-bgp-');
  const file = join(dir, 'rib.txt');
  writeFileSync(file, `${LINES.join('\n')}\n`);

  it('prints origin AS, AS path and communities as the line has them', () => {
    const fields = LINES[0].split('|');
    const path = fields[6];
    const origin = path.split(' ').at(-1);
    expect(lookup(file, '8.8.8.8')).toBe(`8.8.8.8 via ${fields[8]} metric 0 prefix ${fields[5]} origin-as ${origin} as-path "${path}" communities ${fields[11].split(' ').join(',')}\n`);
    const [answer] = JSON.parse(lookup(file, '-f', 'json', '8.8.8.8')) as { route: Record<string, unknown> }[];
    expect(answer.route).toMatchObject({ asPath: path, originAs: Number(origin), communities: fields[11].split(' ') });
  });

  it('names every origin of an AS set, and nothing for routes read without attributes', () => {
    expect(lookup(file, '198.51.100.7')).toMatch(/origin-as 64500,64501 as-path "64496 \{64500,64501\}"\n$/);
    const plain = join(dir, 'plain.txt');
    writeFileSync(plain, '8.8.8.0/24 192.0.2.1\n');
    expect(lookup(plain, '8.8.8.8')).toBe('8.8.8.8 via 192.0.2.1 metric 0 prefix 8.8.8.0/24\n');
  });

  it('routes counts the routes with each attribute, and the origin ASes', () => {
    const result = spawnSync(process.execPath, [CLI, 'routes', '-r', file, '-f', 'json'], { encoding: 'utf8' });
    expect(result.status, result.stderr).toBe(0);
    const origins = new Set(LINES.flatMap((line) => line.split('|')[6].split(' ').at(-1)!.replace(/[{}]/g, '').split(',').slice(0, 1)));
    expect(JSON.parse(result.stdout).bgp).toEqual({
      withOriginAs: LINES.length,
      originAses: origins.size,
      withAsPath: LINES.length,
      withCommunities: LINES.filter((line) => line.split('|')[11] !== '').length,
    });
  });
});
