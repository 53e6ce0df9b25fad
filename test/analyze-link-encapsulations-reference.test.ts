// What the frames that are not counted count as, against the independent reference answers of
// ../shared/data/expected: conformance compares what is counted; this compares every other
// total (not IP, malformed with each reason, a link header cut short) on the captures whose
// records are all of the link types whose decoders carry PPPoE, MPLS, PPP or Cisco HDLC.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { analyzeFile, Fib, readRoutesFile } from '../src/node.js';

const DATA = fileURLToPath(new URL('../../shared/data/', import.meta.url));
const present = existsSync(join(DATA, 'captures')) && existsSync(join(DATA, 'expected'));
if (!present) console.log(`analyze-link-encapsulations-reference: skipped: ${DATA}captures and expected/ are not there`);

// EN10MB, PPP, PPP_HDLC, C_HDLC, LINUX_SLL, LINUX_SLL2
const LINK_TYPES = new Set(['1', '9', '50', '104', '113', '276']);

interface ExpectedTotals {
  records_by_linktype?: Record<string, number>;
  totals: { ipv4?: number; ipv6?: number; non_ip?: number; unsupported_link?: number; malformed?: number; trunc_link?: number };
  malformed: Record<string, number>;
}

function* capturesUnder(dir: string): Generator<string> {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* capturesUnder(path);
    else yield path;
  }
}

it.skipIf(!present)('not IP, malformed and truncated link headers agree with the reference on every capture of these link types', async () => {
  const fib = await Fib.create();
  fib.load(await readRoutesFile(join(DATA, 'routes/sample.routes')));
  const failures: string[] = [];
  let compared = 0;
  let linkTruncated = 0;
  for (const path of capturesUnder(join(DATA, 'captures'))) {
    const relative = path.slice(join(DATA, 'captures').length + 1);
    const answer = join(DATA, 'expected', `${relative}.json`);
    if (!existsSync(answer)) continue;
    const expected = JSON.parse(readFileSync(answer, 'utf8')) as ExpectedTotals;
    const linkTypes = Object.keys(expected.records_by_linktype ?? {});
    if (linkTypes.length === 0 || !linkTypes.every((t) => LINK_TYPES.has(t))) continue;
    compared++;
    const { totals } = await analyzeFile(path, { fib });
    const theirs = expected.totals;
    const reasons: Record<string, number> = { ...expected.malformed };
    if (theirs.trunc_link) reasons.link_hdr_truncated = theirs.trunc_link;
    linkTruncated += theirs.trunc_link ?? 0;
    const ours = { ipv4: totals.ipv4, ipv6: totals.ipv6, nonIp: totals.nonIp, unsupportedLink: totals.unsupportedLink, malformed: totals.malformedReasons };
    const want = { ipv4: theirs.ipv4 ?? 0, ipv6: theirs.ipv6 ?? 0, nonIp: theirs.non_ip ?? 0, unsupportedLink: theirs.unsupported_link ?? 0, malformed: reasons };
    if (JSON.stringify(sorted(ours)) !== JSON.stringify(sorted(want))) {
      failures.push(`${relative}: ${JSON.stringify(ours)}, expected ${JSON.stringify(want)}`);
    }
  }
  console.log(`link encapsulations: ${compared} captures compared, ${linkTruncated} link headers cut short among them`);
  expect(failures).toEqual([]);
  expect(compared).toBeGreaterThan(700);
}, 120_000);

/** The same totals with the reasons in name order, so key order does not matter. */
function sorted(totals: { malformed: Record<string, number | bigint> }): unknown {
  return { ...totals, malformed: Object.fromEntries(Object.entries(totals.malformed).sort(([a], [b]) => a.localeCompare(b))) };
}
