// `analyze`'s security checks and source-side views: --checks / --no-checks, --bogons,
// --interface-map, the view kinds of --by and --matrix; what they turn on in the Analyzer, their
// usage errors (exit 2), and the warnings a run leaves (a mapped interface never seen, strict
// uRPF not checked): never a silent zero.
import { readFile } from 'node:fs/promises';
import { Option, type Command } from 'commander';
import type { ChecksOptions } from '../analyze/checks-state.js';
import type { Report } from '../analyze/report.js';
import type { ViewOptions } from '../analyze/source-report.js';
import { missingAsData } from '../analyze/by-as.js';
import { parseBogonList } from '../checks/index.js';
import type { Fib } from '../fib/fib.js';
import { FibscopeError } from '../errors.js';

/** The matrices `--matrix` counts: (source route, destination route), or those by origin AS. */
export const MATRIX_KINDS = ['src-route,route', 'src-as,as'] as const;

export interface CheckOptions {
  /** true: --checks, false: --no-checks, undefined: neither (on with a routing table). */
  checks?: boolean;
  bogons?: string;
  interfaceMap?: string[];
  matrix?: (typeof MATRIX_KINDS)[number];
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** Adds --checks, --no-checks, --bogons, --interface-map and --matrix to `command`. */
export function addCheckOptions(command: Command): Command {
  return command
    .option('--checks', 'count the anomaly classes: bogon and private sources, uRPF, dropped, land, TTL expiring (default: on with -r)')
    .option('--no-checks', 'do not count them')
    .option('--bogons <file>', 'more bogon prefixes, one CIDR a line (a full-bogons feed), added to the built-in registries')
    .addOption(new Option('--interface-map <map>', 'NAME=DEV: capture interface NAME stands for route device DEV, for strict uRPF (repeatable)').argParser(collect))
    .addOption(new Option('--matrix <pair>', 'count the route matrix, its --top cells and the rest summed').choices([...MATRIX_KINDS]));
}

/** What the Analyzer is given for the options. */
export interface CheckSetup {
  checks: ChecksOptions | undefined;
  views: ViewOptions | undefined;
  /** The views counted only for a warning, left out of the report. */
  internalViews: { interfaces: boolean };
}

/**
 * The checks and views of the options, `by` and `top` (0: every matrix cell), with the bogon list
 * read and parsed: a list with a bad line is a BogonListError naming file:line, before anything
 * else is read. Throws FibscopeError (exit 2) for options that cannot go together.
 */
export async function resolveCheckOptions(options: CheckOptions, by: string, top: number, routesLoaded: boolean): Promise<CheckSetup> {
  const interfaceMap = parseInterfaceMap(options.interfaceMap ?? []);
  const implied = options.bogons !== undefined ? '--bogons' : interfaceMap ? '--interface-map' : undefined;
  if (options.checks === false && implied) throw new FibscopeError('BAD_ARGUMENT', `${implied} is for the checks, which --no-checks turns off`);
  const checking = options.checks ?? (routesLoaded || implied !== undefined);
  if (checking && !routesLoaded) {
    throw new FibscopeError('BAD_ARGUMENT', `${options.checks ? '--checks' : implied} needs a routing table (-r FILE): `
      + 'uRPF, dropped and unrouted are read from the routes, and without any every source would fail uRPF');
  }
  if (by === 'anomaly' && !checking) throw new FibscopeError('BAD_ARGUMENT', '--by anomaly needs the checks: give a routing table (-r FILE), without --no-checks');
  if (by === 'matrix' && options.matrix === undefined) throw new FibscopeError('BAD_ARGUMENT', '--by matrix needs a matrix: give --matrix src-route,route or src-as,as');
  for (const [needs, given] of [['--by src-route', by === 'src-route'], ['--matrix', options.matrix !== undefined]] as const) {
    if (given && !routesLoaded) throw new FibscopeError('BAD_ARGUMENT', `${needs} needs a routing table (-r FILE): without one no source has a route`);
  }
  let checks: ChecksOptions | undefined;
  if (checking) {
    checks = {};
    if (options.bogons !== undefined) {
      const text = await readBogons(options.bogons);
      // read whole and checked now: a bad line stops the run before the table and the captures load
      parseBogonList(text, options.bogons);
      checks.bogons = text;
      checks.bogonsSource = options.bogons;
    }
    if (interfaceMap) checks.interfaceMap = interfaceMap;
  }
  const views: ViewOptions = {
    ...(by === 'src-route' || by === 'src-as' ? { sourceRoutes: true } : {}),
    ...(by === 'source' ? { sources: true } : {}),
    // a mapped name is checked against the interfaces seen, so they are counted for it too
    ...(by === 'interface' || interfaceMap ? { interfaces: true } : {}),
    ...(options.matrix ? { matrix: { top: top === 0 ? Number.MAX_SAFE_INTEGER : top } } : {}),
  };
  return {
    checks,
    views: Object.keys(views).length > 0 ? views : undefined,
    internalViews: { interfaces: by !== 'interface' && interfaceMap !== undefined },
  };
}

/** `NAME=DEV` pairs; a name given twice, or a pair without both sides, is exit 2. */
export function parseInterfaceMap(pairs: readonly string[]): Record<string, string> | undefined {
  if (pairs.length === 0) return undefined;
  const map: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    const name = at < 0 ? '' : pair.slice(0, at);
    const device = at < 0 ? '' : pair.slice(at + 1);
    if (!name || !device) throw new FibscopeError('BAD_ARGUMENT', `--interface-map takes CAPTURE-NAME=DEVICE, such as eth0-tap=eth0, not '${pair}'`);
    if (Object.hasOwn(map, name)) throw new FibscopeError('BAD_ARGUMENT', `--interface-map maps ${name} twice (to ${map[name]} and to ${device})`);
    map[name] = device;
  }
  return map;
}

async function readBogons(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const why = (error as { code?: unknown }).code === 'EISDIR' ? 'it is a directory' : (error as Error).message;
    throw new FibscopeError('BOGONS_UNREADABLE', `cannot read the bogon list ${path}: ${why}`);
  }
}

/**
 * The warnings of a finished run: each mapped capture interface no packet came in on (its map
 * did nothing: most likely a typo), and, when the checks were asked for (not just on by default
 * with a table), strict uRPF left unchecked for packets without an interface name. Takes the interfaces view out of the report when only these warnings wanted it.
 */
export function checkWarnings(report: Report, options: CheckOptions, setup: CheckSetup): string[] {
  const warnings: string[] = [];
  const map = parseInterfaceMap(options.interfaceMap ?? []);
  if (map && report.interfaces) {
    const seen = report.interfaces.flatMap((row) => (row.name === null ? [] : [row.name]));
    for (const [name, device] of Object.entries(map)) {
      if (seen.includes(name)) continue;
      const names = seen.length > 0 ? `the captures' interfaces are ${seen.join(', ')}` : 'the captures name no interface (for pcap, give --interface NAME)';
      warnings.push(`warning: --interface-map ${name}=${device}: no packet came in on an interface named ${name} (${names}); the map did nothing`);
    }
  }
  if (setup.internalViews.interfaces) delete report.interfaces;
  // on by default with every table, the checks would warn of every pcap: only when asked for
  const asked = options.checks === true || options.bogons !== undefined || map !== undefined;
  const strict = report.anomalies?.find((row) => row.class === 'urpf-strict');
  if (asked && strict?.unchecked) {
    const what = strict.checked ? `${strict.unchecked.packets} packets` : 'any packet';
    warnings.push(`warning: urpf-strict could not check ${what}: they came with no capture interface name to compare with `
      + 'route devices (pcapng names its interfaces; for pcap, give --interface NAME); the report says so (unchecked), not 0');
  }
  return warnings;
}

/** The options that read routes' origin AS: `--by as`, `--by src-as`, `--matrix src-as,as`. */
function asOptions(options: CheckOptions, by: string): string[] {
  return [
    ...(by === 'as' || by === 'src-as' ? [`--by ${by}`] : []),
    ...(options.matrix === 'src-as,as' ? ['--matrix src-as,as'] : []),
  ];
}

/**
 * Exit 2 (a FibscopeError) when an AS option is given and no route of the loaded table has an
 * origin AS: every row would be "no AS data".
 */
export function checkAsData(options: CheckOptions, by: string, fib: Fib): void {
  for (const option of asOptions(options, by)) {
    const missing = missingAsData(option, fib);
    if (missing !== undefined) throw new FibscopeError('BAD_ARGUMENT', missing);
  }
}

/** Warnings of a run whose table has AS data, but none of the routes that carried traffic had any. */
export function asDataWarnings(report: Report, options: CheckOptions, by: string): string[] {
  const warnings: (string | undefined)[] = [];
  for (const option of asOptions(options, by)) {
    if (option === '--by as') warnings.push(missingAsData(option, report.routes));
    else if (option === '--by src-as') warnings.push(missingAsData(option, report.sourceRoutes ?? []));
    else if (report.matrix) warnings.push(missingAsData(option, report.matrix));
  }
  return warnings.filter((warning): warning is string => warning !== undefined).map((warning) => `warning: ${warning}`);
}
