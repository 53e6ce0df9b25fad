import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Fib } from '../../src/node.js';
import { checkComparison, compareBy } from './compare-check.js';

// The shared real tables and captures (../shared/data, README there): skipped without them.
const DATA = fileURLToPath(new URL('../../../shared/data/', import.meta.url));
const TIER1 = join(DATA, 'routes/tier1-2024.txt.gz');
const RV4 = join(DATA, 'routes/routeviews-2016-v4.pfx2as.gz');
const RV6 = join(DATA, 'routes/routeviews-2016-v6.pfx2as.gz');
const LINX6 = join(DATA, 'routes/linx-2014-v6.txt.gz');
const SAMPLE = join(DATA, 'routes/sample.routes');
const CAPTURES = join(DATA, 'captures');
const present = (...paths: string[]) => paths.every((path) => existsSync(path));

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  }).sort();
}

async function table(...paths: string[]): Promise<Fib> {
  const fib = await Fib.create();
  for (const path of paths) {
    const bytes = readFileSync(path);
    fib.load(path.endsWith('.gz') ? gunzipSync(bytes) : bytes, { source: path });
  }
  return fib;
}

describe('compare on the shared real tables and captures', () => {
  it.skipIf(!present(TIER1, RV4, RV6, CAPTURES))('tier-1 2024 table against RouteViews 2016, every shared capture (skipped without ../shared/data)', async () => {
    const captures = files(CAPTURES).map((path) => new Uint8Array(readFileSync(path)));
    const before = await table(TIER1);
    const after = await table(RV4, RV6);
    const compared = await compareBy(before, after, captures, 'shared');
    checkComparison(compared, before, after, captures, 'shared');
    expect(compared.before.routes.length).toBeGreaterThan(100);
    expect(Number(compared.moved.packets)).toBeGreaterThan(0);
  }, 120_000);

  it.skipIf(!present(LINX6, SAMPLE, CAPTURES))('LINX IPv6 with next hops against itself with changes, every shared capture (skipped without ../shared/data)', async () => {
    const captures = files(CAPTURES).map((path) => new Uint8Array(readFileSync(path)));
    const before = await table(SAMPLE, LINX6);
    const after = await table(SAMPLE, LINX6);
    // a proposal: every third LINX prefix through another peer, the global unicast default withdrawn, a blackhole
    let n = 0;
    for (const route of [...before.routes()]) {
      if (route.nextHop === null || route.prefix.includes('.') || n++ % 3 !== 0) continue;
      after.replace(route.prefix, { nextHop: '2001:7f8:4::1', metric: route.metric });
    }
    after.remove('2000::/3');
    after.add('8.8.8.0/24', { type: 'blackhole' });
    const compared = await compareBy(before, after, captures, 'shared');
    checkComparison(compared, before, after, captures, 'shared');
    expect(Number(compared.becomesDropped.packets)).toBeGreaterThan(0);
  }, 120_000);
});
