import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { Fib, analyzeFile, readRoutesFile, parseIPv4, parseIPv6, sumCounts } from '../src/node.js';
import type { Report } from '../src/node.js';

// The acceptance test of SPEC section 2: every capture of ../shared/data/captures, with
// routes/sample.routes, against the independent answers in ../shared/data/expected.
const DATA = fileURLToPath(new URL('../../shared/data/', import.meta.url));
const present = existsSync(join(DATA, 'captures')) && existsSync(join(DATA, 'expected'));

interface Expected {
  totals: { records?: number };
  counted: { packets: number; bytes: number };
  no_route: { ipv4: { packets: number; bytes: number }; ipv6: { packets: number; bytes: number } };
  per_destination: Record<string, { packets: number; bytes: number; route: string | null }>;
  per_route: Record<string, { packets: number; bytes: number; destinations: number }>;
  file_error: string | null;
}

function* capturesUnder(dir: string): Generator<string> {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* capturesUnder(path);
    else yield path;
  }
}

/** Addresses compared as bytes: `inet_ntop` and RFC 5952 text may differ. */
function addressKey(text: string): string {
  const v4 = parseIPv4(text);
  if (v4 >= 0) return `4/${v4}`;
  const bytes = new Uint8Array(16);
  if (!parseIPv6(text, bytes)) throw new Error(`bad address in expected data: ${text}`);
  return `6/${Buffer.from(bytes).toString('hex')}`;
}

/** Every way the report disagrees with the expected answer (empty when it agrees). */
function disagreements(report: Report, expected: Expected): string[] {
  const out: string[] = [];
  const same = (what: string, ours: unknown, theirs: unknown) => {
    if (JSON.stringify(ours) !== JSON.stringify(theirs)) out.push(`${what}: ${JSON.stringify(ours)}, expected ${JSON.stringify(theirs)}`);
  };
  same('records', report.totals.records, expected.totals.records ?? 0);
  same('counted packets', report.totals.counted, expected.counted.packets);
  same('counted bytes', sumCounts(report.routes.map((r) => r.bytes), report.totals.noRoute.bytes), expected.counted.bytes);
  same('no-route packets', report.totals.noRoute.packets, expected.no_route.ipv4.packets + expected.no_route.ipv6.packets);
  same('no-route bytes', report.totals.noRoute.bytes, expected.no_route.ipv4.bytes + expected.no_route.ipv6.bytes);
  same('stopped early', report.inputs[0].error !== null, expected.file_error !== null);

  const ours = new Map(report.destinations.map((d) => [addressKey(d.address), d]));
  const theirs = Object.entries(expected.per_destination);
  same('destinations', ours.size, theirs.length);
  for (const [address, want] of theirs) {
    const got = ours.get(addressKey(address));
    same(`destination ${address}`, got && [got.packets, got.bytes, got.prefix], [want.packets, want.bytes, want.route]);
  }
  const routes = new Map(report.routes.map((r) => [r.prefix, r]));
  const wanted = Object.entries(expected.per_route);
  same('routes', routes.size, wanted.length);
  for (const [prefix, want] of wanted) {
    const got = routes.get(prefix);
    same(`route ${prefix}`, got && [got.packets, got.bytes, got.destinations], [want.packets, want.bytes, want.destinations]);
  }
  return out;
}

it.skipIf(!present)('agrees with the reference answers on every shared capture', async () => {
  const fib = await Fib.create();
  fib.load(await readRoutesFile(join(DATA, 'routes/sample.routes')));
  const failures: string[] = [];
  let agree = 0;
  let total = 0;
  for (const path of capturesUnder(join(DATA, 'captures'))) {
    const relative = path.slice(join(DATA, 'captures').length + 1);
    const answer = join(DATA, 'expected', `${relative}.json`);
    if (!existsSync(answer)) continue; // READMEs and licences beside the captures
    total++;
    const problems = disagreements(await analyzeFile(path, { fib }), JSON.parse(readFileSync(answer, 'utf8')) as Expected);
    if (problems.length === 0) agree++;
    else failures.push(`${relative}: ${problems.slice(0, 3).join('; ')}`);
  }
  console.log(`conformance: ${agree} of ${total} captures agree with ../shared/data/expected`);
  expect(failures).toEqual([]);
  expect(total).toBe(1056);
}, 120_000);

it.runIf(!present)('conformance (skipped: ../shared/data is not beside the project)', () => {
  console.log('conformance skipped: ../shared/data/captures and expected/ are absent');
});
