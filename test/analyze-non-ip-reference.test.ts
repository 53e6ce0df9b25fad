// nonIpByType and unsupportedLinkByType on the 1,056 shared captures. The reference answers
// carry records per link type, not non-IP frames per ethertype: the unsupported link types are
// compared with them on every capture; the ethertypes of the Ethernet captures that hold non-IP
// frames are compared with Wireshark's tshark, frame by frame. Each part skips with the reason
// when ../shared/data or tshark (with mergecap) is absent.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, expect, it } from 'vitest';
import { analyzeFile, Fib, readRoutesFile, type Count, type Report } from '../src/node.js';
import { linkTypeName } from '../src/report/link-type-names.js';
import { tempDir } from './helpers/temp-dir.js';

const DATA = fileURLToPath(new URL('../../shared/data/', import.meta.url));
const present = existsSync(join(DATA, 'captures')) && existsSync(join(DATA, 'expected'));
if (!present) console.log(`analyze-non-ip-reference: skipped: ${DATA}captures and expected/ are absent`);
const tshark = spawnSync('sh', ['-c', 'command -v tshark && command -v mergecap']).status === 0;
if (present && !tshark) console.log('analyze-non-ip-reference: tshark comparison skipped: `tshark` or `mergecap` (Wireshark) is not on PATH');

/** The link types fibscope decodes (SPEC section 2); records of any other are unsupportedLink. */
const DECODED = new Set([0, 1, 9, 12, 14, 50, 101, 104, 108, 113, 228, 229, 276]);

interface Expected {
  records_by_linktype?: Record<string, number>;
  totals: { unsupported_link?: number };
}

interface Analysed {
  path: string;
  report: Report;
  expected: Expected;
}

function* capturesUnder(dir: string): Generator<string> {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* capturesUnder(path);
    else yield path;
  }
}

const analysed: Analysed[] = [];
beforeAll(async () => {
  if (!present) return;
  const fib = await Fib.create();
  fib.load(await readRoutesFile(join(DATA, 'routes/sample.routes')));
  for (const path of capturesUnder(join(DATA, 'captures'))) {
    const answer = join(DATA, 'expected', `${path.slice(join(DATA, 'captures').length + 1)}.json`);
    if (!existsSync(answer)) continue; // READMEs and licences beside the captures
    analysed.push({ path, report: await analyzeFile(path, { fib }), expected: JSON.parse(readFileSync(answer, 'utf8')) as Expected });
  }
}, 60_000);

function sum(byType: Record<string, Count> | undefined): number {
  return Object.values(byType ?? {}).reduce<number>((total, n) => total + Number(n), 0);
}

it.skipIf(!present)('on every capture, the types add up to the totals and the unsupported link types are the reference\'s records of them', () => {
  expect(analysed).toHaveLength(1056);
  const failures: string[] = [];
  for (const { path, report, expected } of analysed) {
    const { nonIp, unsupportedLink, nonIpByType, unsupportedLinkByType } = report.totals;
    if (sum(nonIpByType) !== Number(nonIp)) failures.push(`${path}: nonIpByType adds up to ${sum(nonIpByType)}, nonIp is ${nonIp}`);
    const want: Record<string, number> = {};
    for (const [linkType, records] of Object.entries(expected.records_by_linktype ?? {})) {
      if (!DECODED.has(Number(linkType)) && records > 0) want[linkTypeName(Number(linkType))] = records;
    }
    if (sum(want) !== (expected.totals.unsupported_link ?? 0)) failures.push(`${path}: the reference's own records per link type do not add up`);
    if (JSON.stringify(sortedEntries(unsupportedLinkByType)) !== JSON.stringify(sortedEntries(want))) {
      failures.push(`${path}: unsupportedLinkByType ${JSON.stringify(unsupportedLinkByType)}, expected ${JSON.stringify(want)}`);
    }
    if (sum(unsupportedLinkByType) !== Number(unsupportedLink)) failures.push(`${path}: unsupportedLinkByType does not add up to ${unsupportedLink}`);
  }
  expect(failures).toEqual([]);
});

function sortedEntries(byType: Record<string, Count> | undefined): [string, number][] {
  return Object.entries(byType ?? {}).map(([key, n]): [string, number] => [key, Number(n)]).sort(([a], [b]) => (a < b ? -1 : 1));
}

// Ethertypes that may or may not be IP behind them (fibscope looks further), and VLAN tags:
// only the others are compared
const LOOKED_THROUGH = new Set([0x0800, 0x86dd, 0x8847, 0x8848, 0x8864, 0x8100, 0x88a8, 0x9100]);

const TAGS = new Set([0x8100, 0x88a8, 0x9100]);

/**
 * tshark's key of a frame, as fibscope words it: the outermost ethertype after the VLAN tags
 * right behind it (the type behind an 802.1ad tag is tshark's ieee8021ah.etype, behind the others vlan.etype), `802.3 length (LLC)`
 * for a length; undefined for frames cut before the type and for the ethertypes fibscope looks
 * through. The fields hold one value per header, outermost first (tunnels add inner ones).
 */
function tsharkKey(ethTypes: string, ethLength: string, vlanTypes: string, vlanLength: string, adTypes: string): string | undefined {
  const vlan = vlanTypes ? vlanTypes.split(',') : [];
  const ad = adTypes ? adTypes.split(',') : [];
  let type = ethTypes ? Number(ethTypes.split(',')[0]) : NaN;
  if (Number.isNaN(type)) return ethLength ? '802.3 length (LLC)' : undefined;
  while (TAGS.has(type)) {
    const next = type === 0x88a8 ? ad.shift() : vlan.shift();
    if (next === undefined) return vlanLength ? '802.3 length (LLC)' : undefined;
    type = Number(next);
  }
  if (LOOKED_THROUGH.has(type)) return undefined;
  return `ethertype 0x${type.toString(16).padStart(4, '0')}`;
}

/** Our keys as tshark's: without names, and without the ethertypes looked through. */
function comparable(byType: Record<string, Count> | undefined): Map<string, number> {
  const out = new Map<string, number>();
  for (const [key, n] of Object.entries(byType ?? {})) {
    if (key === '802.3 length (LLC)') out.set(key, Number(n));
    const type = /^ethertype (0x[0-9a-f]{4})/.exec(key)?.[1];
    if (type && !LOOKED_THROUGH.has(Number(type))) out.set(`ethertype ${type}`, Number(n));
  }
  return out;
}

it.skipIf(!present || !tshark)('on the Ethernet pcap captures with non-IP frames, the ethertypes are those tshark reads', () => {
  // pcap files: one interface each once merged, so tshark reads them all in one run (a run per
  // file would take a minute) and the interface id tells the file
  const files = analysed.filter(({ report }) => Number(report.totals.nonIp) > 0 && report.inputs[0].format === 'pcap'
    && report.inputs[0].linkTypes.length === 1 && report.inputs[0].linkTypes[0] === 1);
  expect(files.length).toBeGreaterThan(100);
  const dir = tempDir('fibscope-non-ip-');
  const merged = join(dir, 'merged.pcapng');
  const merge = spawnSync('mergecap', ['-a', '-I', 'none', '-w', merged, ...files.map((f) => f.path)], { encoding: 'utf8' });
  expect(merge.status, merge.stderr).toBe(0);
  const read = spawnSync('tshark', ['-n', '-r', merged, '-T', 'fields', '-E', 'separator=|',
    '-e', 'frame.interface_id', '-e', 'eth.type', '-e', 'eth.len', '-e', 'vlan.etype', '-e', 'vlan.len', '-e', 'ieee8021ah.etype'], { encoding: 'utf8', maxBuffer: 1 << 26 });
  expect(read.status, read.stderr).toBe(0);
  const theirs = files.map(() => new Map<string, number>());
  for (const line of read.stdout.split('\n')) {
    if (!line) continue;
    const [id, ...fields] = line.split('|');
    const key = tsharkKey(fields[0], fields[1], fields[2], fields[3], fields[4]);
    if (key) theirs[Number(id)].set(key, (theirs[Number(id)].get(key) ?? 0) + 1);
  }
  const failures: string[] = [];
  let frames = 0;
  files.forEach(({ path, report }, i) => {
    const ours = comparable(report.totals.nonIpByType);
    frames += [...ours.values()].reduce((a, b) => a + b, 0);
    const a = JSON.stringify([...ours].sort());
    const b = JSON.stringify([...theirs[i]].sort());
    if (a !== b) failures.push(`${path}: ours ${a}, tshark's ${b}`);
  });
  expect(failures).toEqual([]);
  expect(frames).toBeGreaterThan(1000);
}, 30_000);
