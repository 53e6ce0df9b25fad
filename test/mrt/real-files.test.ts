/**
 * Real MRT files from RIPE RIS and RouteViews against bgpdump -m, when a folder of them is given:
 * FIBSCOPE_MRT_SAMPLES=DIR (bgpdump's own test_data/ is a good one: TABLE_DUMP and TABLE_DUMP_V2
 * RIBs, BGP4MP and BGP4MP_ET updates of 2002-2016). Not shipped here: the files are RIS's and
 * RouteViews', not this project's. Skipped without the variable.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseMrtRoutes } from '../../src/mrt/routes.js';
import { parseMrtUpdates } from '../../src/mrt/updates.js';
import { parseRoutes } from '../../src/routes/index.js';
import { readRoutesBytes } from '../../src/routes/read.js';
import { canonicalNextHop } from '../../src/routes/scan.js';
import { looksLikeMrt } from '../../src/mrt/detect.js';
import { bgpdumpLines, hasBgpdump } from './build.js';
import { bgpRouteRows } from './rows.js';

const DIR = process.env.FIBSCOPE_MRT_SAMPLES;
const files = DIR ? readdirSync(DIR).filter((name) => /^(bview|rib|updates)\b/.test(name)) : [];

describe.skipIf(!DIR || !hasBgpdump)(`real MRT files in ${DIR}`, () => {
  for (const name of files) {
    it(name, async () => {
      const path = join(DIR!, name);
      const bytes = await readRoutesBytes(path);
      expect(looksLikeMrt(bytes)).toBe(true);
      const lines = bgpdumpLines(path);
      if (name.startsWith('updates')) {
        const stream = parseMrtUpdates(bytes, { source: name });
        expect(stream.truncated).toBeUndefined();
        const expected = lines.map((line) => line.split('|')).filter((f) => f[2] === 'A' || f[2] === 'W').map((f) => {
          const [seconds, micros = '0'] = f[1].split('.');
          const base = { seconds: Number(seconds), nanoseconds: Number(micros) * 1000, prefix: f[5], kind: f[2] === 'W' ? 'del' : 'replace' };
          return f[2] === 'W' ? base : { ...base, nextHop: canonicalNextHop(f[8].split(' ')[0]), asPath: f[6], med: Number(f[10]), communities: f[11] === '' ? undefined : f[11].split(' ') };
        });
        const got = stream.updates.map((u) => {
          const base = { seconds: u.seconds, nanoseconds: u.nanoseconds, prefix: u.prefix, kind: u.kind };
          const a = u.attributes;
          return a === undefined ? base : { ...base, nextHop: a.nextHop, asPath: a.asPath, med: a.med ?? 0, communities: a.communities };
        });
        // bgpdump -m prints multicast prefixes as unicast ones, and the first prefixes of a malformed NLRI
        const differs = [...stream.notes.skipped.keys()].some((kind) => /not IPv4\/IPv6 unicast|malformed UPDATE/.test(kind));
        if (differs) expect(got.length).toBeLessThan(expected.length);
        else expect(got).toEqual(expected);
      } else {
        const { routes, notes } = parseMrtRoutes(bytes, { source: name });
        if (lines.every((line) => line.startsWith('TABLE_DUMP2_AP'))) {
          // ADD-PATH RIB subtypes (RFC 8050): not read, counted
          expect(routes.count).toBe(0);
          expect([...notes.skipped.keys()].join()).toMatch(/ADDPATH/);
          return;
        }
        const seen = new Set<string>();
        const first = lines.filter((line) => {
          const prefix = line.split('|')[5];
          if (seen.has(prefix)) return false;
          seen.add(prefix);
          return true;
        });
        expect(bgpRouteRows(routes)).toEqual(bgpRouteRows(parseRoutes(first.join('\n'), { format: 'bgpdump' })));
      }
    }, 120_000);
  }
});

if (files.length === 0) it.skip('real MRT files: give a folder of them in FIBSCOPE_MRT_SAMPLES', () => {});
