/**
 * How the applier hands updates to the table (src/updates/applier.ts, columns.ts): the updates of
 * one moment as one run (one WebAssembly call, assembly/route-updates.ts), read from the stream's
 * columns. Checked against the table's own one-at-a-time API (fib.add, fib.replacePrefix,
 * fib.remove) as the model: random streams of every verb, at one moment and at many; a stream
 * built of objects by hand equal to the same stream read from text; a refused update naming its
 * line, the ones before it applied. And the same inside a feed, where WebAssembly applies staged
 * updates between records (assembly/updates/in-step.ts) and the applier takes them up after it.
 */
import { describe, expect, it } from 'vitest';
import { Analyzer, Fib } from '../../src/node.js';
import { FibscopeArgumentError } from '../../src/errors.js';
import { UpdateApplier } from '../../src/updates/applier.js';
import { parseUpdates } from '../../src/updates/detect.js';
import type { RouteUpdate, UpdateStream } from '../../src/updates/types.js';
import { LINKTYPE, pcap } from '../helpers/captures.js';
import { udp4 } from '../helpers/packets.js';
import { Random } from '../helpers/random.js';

/** The table as text, route by route: what two tables must agree on. */
function tableOf(fib: Fib): string[] {
  return [...fib.routes()].map((r) => `${r.prefix} ${r.type} ${r.nextHop} ${r.dev} ${r.metric} ${JSON.stringify(r.nextHops)} ${r.asPath ?? ''}`).sort();
}

/** A random stream of fibscope lines over a few prefixes, so that verbs meet: times from `time(i)`. */
function randomLines(random: Random, count: number, time: (i: number) => string): string {
  const prefixes = ['10.0.0.0/8', '10.1.0.0/16', '10.1.2.0/24', '192.0.2.0/24', '2001:db8::/32', '2001:db8:1::/48', '0.0.0.0/0'];
  const lines: string[] = [];
  for (let i = 0; i < count; i++) {
    const prefix = prefixes[random.below(prefixes.length)];
    const v6 = prefix.includes(':');
    const hop = v6 ? `2001:db8::${1 + random.below(3)}` : `192.0.2.${1 + random.below(3)}`;
    const metric = random.below(3) * 10;
    switch (random.below(6)) {
      case 0: lines.push(`${time(i)} add ${prefix} via ${hop} metric ${metric}`); break;
      case 1: lines.push(`${time(i)} replace ${prefix} via ${hop} dev eth${random.below(2)}`); break;
      case 2: lines.push(`${time(i)} replace ${prefix} nexthop via ${hop} weight 1 nexthop via ${v6 ? '2001:db8::9' : '192.0.2.9'} weight 2`); break;
      case 3: lines.push(`${time(i)} del ${prefix}`); break;
      case 4: lines.push(`${time(i)} del ${prefix} via ${hop}`); break;
      default: lines.push(`${time(i)} add ${prefix} via ${hop} metric ${metric}`);
    }
  }
  return lines.join('\n');
}

/** The model: each update through the table's one-at-a-time API; returns how many withdrew nothing. */
function applyOneByOne(fib: Fib, updates: readonly RouteUpdate[]): number {
  let nothing = 0;
  for (const update of updates) {
    if (update.kind === 'add') fib.add(update.prefix, update.attributes);
    else if (update.kind === 'replace') fib.replacePrefix(update.prefix, update.attributes);
    else {
      const match = update.attributes;
      const removed = match ? fib.remove(update.prefix, { nextHop: match.nextHop, dev: match.dev }) : fib.remove(update.prefix);
      if (removed === 0) nothing++;
    }
  }
  return nothing;
}

async function startingTable(): Promise<Fib> {
  const fib = await Fib.create();
  fib.load('10.0.0.0/8 via 192.0.2.1\n10.1.2.0/24 via 192.0.2.2 metric 10\n2001:db8::/32 via 2001:db8::1\n');
  return fib;
}

describe('updates applied in runs', () => {
  for (const [name, time] of [['all at one moment', () => '100'], ['each at its own moment', (i: number) => String(100 + i)],
    ['a few at each moment', (i: number) => String(100 + Math.floor(i / 3))]] as const) {
    it(`leave the table the one-at-a-time API leaves, ${name}`, async () => {
      for (let seed = 1; seed <= 6; seed++) {
        const stream = parseUpdates(randomLines(new Random(seed), 200, time), { source: 'u.txt' });
        const expected = await startingTable();
        const nothing = applyOneByOne(expected, stream.updates);
        const fib = await startingTable();
        const applier = new UpdateApplier(fib, stream);
        applier.reach({ seconds: 1000, nanoseconds: 0 });
        expect(tableOf(fib)).toEqual(tableOf(expected));
        expect(applier.summary()).toMatchObject({ applied: 200, withdrawnNothing: nothing, pending: 0 });
        // lookups agree too: the lookup structure followed the RIB
        for (const address of ['10.1.2.3', '10.1.9.9', '10.9.9.9', '192.0.2.77', '8.8.8.8', '2001:db8:1::1', '2001:db8:2::1', '2001:db9::1']) {
          expect(fib.lookup(address)?.prefix, `${address}, seed ${seed}`).toBe(expected.lookup(address)?.prefix);
        }
      }
    });
  }

  // an applier of another table than the analyzer reads with (another instance) applies on the host
  for (const analyzed of ['its own table', 'another table'] as const) {
  it(`leave the table, AS paths too, the one-at-a-time API leaves when applied in step with a capture of ${analyzed}`, async () => {
    const prefixes = ['10.0.0.0/8', '10.1.0.0/16', '10.1.2.0/24', '192.0.2.0/24'];
    for (let seed = 1; seed <= 4; seed++) {
      const random = new Random(seed);
      // more updates than are staged at once; a replace of a route present (same next hop) with a
      // new AS path, then its prefix gone, then back without one, shows an AS path kept too long
      const updates: RouteUpdate[] = [];
      for (let i = 0; i < 400; i++) {
        const prefix = prefixes[random.below(prefixes.length)];
        const attributes = { nextHop: `198.51.100.${1 + random.below(2)}`, ...(random.below(2) ? { asPath: `64500 ${64501 + random.below(3)}` } : {}) };
        const kind = (['add', 'replace', 'del'] as const)[random.below(3)];
        updates.push({ seconds: 100 + i, nanoseconds: 0, kind, prefix, attributes: kind === 'del' ? undefined : attributes, where: `hand#${i + 1}` });
      }
      const stream: UpdateStream = { source: 'hand', updates, notes: { skipped: new Map() } };
      const fib = await startingTable();
      const analyzer = new Analyzer({ fib: analyzed === 'its own table' ? fib : await startingTable() });
      const applier = new UpdateApplier(fib, stream);
      analyzer.addClockListener(applier);
      // a packet between each two updates, and after the last; pushed in pieces, the table
      // checked after each against the model's after as many updates
      const records = updates.map((_, i) => ({ ts: { sec: 100 + i, frac: 500_000 }, data: udp4('192.0.2.9', '10.1.2.3') }));
      const bytes = pcap({ linkType: LINKTYPE.RAW, records });
      for (let at = 0; at < bytes.length;) {
        const next = Math.min(bytes.length, at + 200 + random.below(3000));
        analyzer.push(bytes.subarray(at, next));
        at = next;
        const { applied, withdrawnNothing } = applier.summary();
        const expected = await startingTable();
        const nothing = applyOneByOne(expected, updates.slice(0, applied));
        expect(tableOf(fib), `seed ${seed}, after ${applied} updates`).toEqual(tableOf(expected));
        expect(withdrawnNothing).toBe(nothing);
      }
      analyzer.end();
      expect(applier.summary()).toMatchObject({ applied: 400, pending: 0 });
      analyzer.dispose();
    }
  });
  }

  it('read from a stream built of objects by hand as from the same stream read from text', async () => {
    const text = randomLines(new Random(9), 150, (i) => `${100 + Math.floor(i / 2)}.5`);
    const read = parseUpdates(text, { source: 'u.txt' });
    const byHand: UpdateStream = { source: 'u.txt', updates: read.updates.map((u) => ({ ...u })), notes: { skipped: new Map() } };
    expect(byHand.columns).toBeUndefined();
    const fromText = await startingTable();
    const fromObjects = await startingTable();
    const a = new UpdateApplier(fromText, read);
    const b = new UpdateApplier(fromObjects, byHand);
    for (const seconds of [90, 120, 140, 200]) {
      a.reach({ seconds, nanoseconds: 0 });
      b.reach({ seconds, nanoseconds: 0 });
      expect(tableOf(fromObjects)).toEqual(tableOf(fromText));
      expect(b.summary()).toEqual(a.summary());
      expect(b.nextMoment()).toEqual(a.nextMoment());
    }
  });

  it('stop at an update the table refuses, naming it, with the updates before it in the same moment applied', async () => {
    const fib = await startingTable();
    const stream: UpdateStream = {
      source: 'hand',
      updates: [
        { seconds: 5, nanoseconds: 0, kind: 'replace', prefix: '10.0.0.0/8', attributes: { nextHop: '192.0.2.7' }, where: 'hand#1' },
        { seconds: 5, nanoseconds: 0, kind: 'del', prefix: '10.1.2.0/24', where: 'hand#2' },
        { seconds: 5, nanoseconds: 0, kind: 'add', prefix: '10.3.0.0/16', attributes: { metric: -1 }, where: 'hand#3' },
        { seconds: 5, nanoseconds: 0, kind: 'add', prefix: '10.4.0.0/16', where: 'hand#4' },
      ],
      notes: { skipped: new Map() },
    };
    const applier = new UpdateApplier(fib, stream);
    expect(() => applier.reach({ seconds: 5, nanoseconds: 0 })).toThrow(FibscopeArgumentError);
    expect(() => new UpdateApplier(fib, stream).reach({ seconds: 5, nanoseconds: 0 })).toThrow(/^hand#3: metric must be/);
    expect(applier.summary().applied).toBe(2);
    expect(fib.routesFor('10.0.0.0/8').map((r) => r.nextHop)).toEqual(['192.0.2.7']);
    expect(fib.routesFor('10.1.2.0/24')).toEqual([]);
    expect(fib.routesFor('10.4.0.0/16')).toEqual([]);
  });

  it('refuse a stream built by hand whose prefix is not one, naming the update', () => {
    const stream: UpdateStream = {
      source: 'hand', updates: [{ seconds: 1, nanoseconds: 0, kind: 'del', prefix: '10.0.0.0/33', where: 'hand#1' }], notes: { skipped: new Map() },
    };
    expect(() => new UpdateApplier(undefined as unknown as Fib, stream)).toThrow(/^hand#1: /);
  });

  it("give a reader's updates as objects on demand: the prefix as fibscope writes it, the line it came from", () => {
    const stream = parseUpdates('1 a 10.1.2.3/16 192.0.2.1\n2 w 2001:DB8:0::/32\n', { source: 'l.txt' });
    expect(stream.columns?.count).toBe(2);
    expect(stream.updates).toEqual([
      { seconds: 1, nanoseconds: 0, kind: 'replace', prefix: '10.1.0.0/16', attributes: { nextHop: '192.0.2.1' }, where: 'l.txt:1' },
      { seconds: 2, nanoseconds: 0, kind: 'del', prefix: '2001:db8::/32', attributes: undefined, where: 'l.txt:2' },
    ]);
    expect(stream.updates).toBe(stream.updates); // made once
  });
});
