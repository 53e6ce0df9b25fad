// serve's options for live routing: a BGP speaker (--bgp, --bgp-as, --bgp-id, --bgp-peer) and a
// BMP collector (--bmp, --bmp-router, --bmp-peer), given as flags or in a --routing-config file.
import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { Command, Option } from 'commander';
import { FibscopeError } from '../errors.js';
import { canonicalAddress } from '../net/address.js';
import { parseListenAddress, type ListenAddress } from '../serve/listen-address.js';

export interface RoutingFlags {
  bgp?: ListenAddress;
  bgpAs?: number;
  bgpId?: string;
  bgpPeer?: BgpPeerSetting[];
  bgpHoldTime?: number;
  bmp?: ListenAddress;
  bmpRouter?: string[];
  bmpPeer?: (string | number)[];
  routingConfig?: string;
}

export interface BgpPeerSetting {
  address: string;
  as: number;
}

/** What serve starts, all settings checked. */
export interface RoutingSetup {
  bgp?: { listen: ListenAddress; localAs: number; routerId: string; peers: BgpPeerSetting[]; holdTime?: number };
  bmp?: { listen: ListenAddress; routers: string[]; monitoredPeers: (string | number)[] };
}

const BGP_PORT = 179;
/** RFC 7854 names no port; 11019 is what FRR, GoBGP and OpenBMP use. */
const BMP_PORT = 11019;

const bad = (message: string) => new FibscopeError('BAD_ARGUMENT', message);

function asNumber(text: string, where: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < 1 || value > 0xffffffff) throw bad(`${where} takes an AS number 1..4294967295, not '${text}'`);
  return value;
}

/** An address in the one text form sessions are named by (`2001:db8::2`, however it was written). */
function address(text: string, where: string): string {
  const canonical = isIP(text) === 0 ? null : canonicalAddress(text);
  if (canonical === null) throw bad(`${where} takes an IPv4 or IPv6 address, not '${text}'`);
  return canonical;
}

function holdTime(text: string, where: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || (value !== 0 && value < 3) || value > 65535) throw bad(`${where} takes 0 or 3..65535 seconds, not '${text}'`);
  return value;
}

function routerId(text: string, where: string): string {
  if (isIP(text) !== 4 || text === '0.0.0.0') throw bad(`${where} takes a BGP identifier as a dotted quad, not 0.0.0.0 (192.0.2.1), not '${text}'`);
  return text;
}

function peerSetting(text: string, where: string): BgpPeerSetting {
  const comma = text.lastIndexOf(',');
  if (comma < 0) throw bad(`${where} takes ADDRESS,AS (192.0.2.1,65001), not '${text}'`);
  return { address: address(text.slice(0, comma), where), as: asNumber(text.slice(comma + 1), where) };
}

function monitoredPeer(text: string, where: string): string | number {
  return /^\d+$/.test(text) ? asNumber(text, where) : address(text, where);
}

/** HOST:PORT, :PORT, HOST (default port) or PORT. */
function listenOn(text: string, flag: string, defaultPort: number): ListenAddress {
  if (isIP(text) !== 0) return { host: text, port: defaultPort };
  try {
    return parseListenAddress(text);
  } catch {
    throw bad(`${flag} takes HOST:PORT ([IPv6]:PORT, :PORT for every interface, or an address for port ${defaultPort}), not '${text}'`);
  }
}

const collect = <T>(parse: (text: string) => T) => (text: string, previous: T[] = []) => [...previous, parse(text)];

export function addRoutingOptions(command: Command): Command {
  return command
    .addOption(new Option('--bgp <address>', `listen for BGP peers there (HOST:PORT, or an address for port ${BGP_PORT}); receive-only`)
      .argParser((text) => listenOn(text, '--bgp', BGP_PORT)))
    .addOption(new Option('--bgp-as <as>', 'our AS number in BGP sessions').argParser((text) => asNumber(text, '--bgp-as')))
    .addOption(new Option('--bgp-id <router-id>', 'our BGP identifier (default: the --bgp address, when it is IPv4)')
      .argParser((text) => routerId(text, '--bgp-id')))
    .addOption(new Option('--bgp-peer <address,as>', 'a peer allowed to connect, and its AS (repeatable; others are refused)')
      .argParser(collect((text) => peerSetting(text, '--bgp-peer'))))
    .addOption(new Option('--bgp-hold-time <seconds>', 'hold time offered to peers (0, or 3..65535; default 90)')
      .argParser((text) => holdTime(text, '--bgp-hold-time')))
    .addOption(new Option('--bmp <address>', `listen for BMP from routers there (HOST:PORT, or an address for port ${BMP_PORT})`)
      .argParser((text) => listenOn(text, '--bmp', BMP_PORT)))
    .addOption(new Option('--bmp-router <address>', 'a router allowed to send BMP (repeatable; others are refused)')
      .argParser(collect((text) => address(text, '--bmp-router'))))
    .addOption(new Option('--bmp-peer <address|as>', 'use the routes of this monitored peer only (repeatable; default: every peer)')
      .argParser(collect((text) => monitoredPeer(text, '--bmp-peer'))))
    .addOption(new Option('--routing-config <file>', 'the same settings in a file, one per line (docs/serve.md "Live routing")'));
}

/**
 * The settings of a --routing-config file: `bgp listen ADDRESS`, `bgp as N`, `bgp id A.B.C.D`,
 * `bgp peer ADDRESS AS`, `bgp hold-time S`, `bmp listen ADDRESS`, `bmp router ADDRESS`,
 * `bmp peer ADDRESS|AS`; `#` starts a comment. Errors name the file and line.
 */
export function parseRoutingConfig(text: string, source: string): RoutingFlags {
  const flags: RoutingFlags = {};
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.replace(/#.*/, '').trim();
    if (line === '') return;
    const where = `${source}:${index + 1}`;
    const words = line.split(/\s+/);
    const [protocol, setting, ...values] = words;
    const one = () => {
      if (values.length !== 1) throw bad(`${where}: '${protocol} ${setting}' takes one value, got ${values.length}`);
      return values[0];
    };
    const key = `${protocol} ${setting}`;
    switch (key) {
      case 'bgp listen': flags.bgp = listenOn(one(), `${where}: bgp listen`, BGP_PORT); break;
      case 'bgp as': flags.bgpAs = asNumber(one(), `${where}: bgp as`); break;
      case 'bgp id': flags.bgpId = routerId(one(), `${where}: bgp id`); break;
      case 'bgp hold-time': flags.bgpHoldTime = holdTime(one(), `${where}: bgp hold-time`); break;
      case 'bgp peer':
        if (values.length !== 2) throw bad(`${where}: 'bgp peer' takes ADDRESS AS`);
        (flags.bgpPeer ??= []).push({ address: address(values[0], `${where}: bgp peer`), as: asNumber(values[1], `${where}: bgp peer`) });
        break;
      case 'bmp listen': flags.bmp = listenOn(one(), `${where}: bmp listen`, BMP_PORT); break;
      case 'bmp router': (flags.bmpRouter ??= []).push(address(one(), `${where}: bmp router`)); break;
      case 'bmp peer': (flags.bmpPeer ??= []).push(monitoredPeer(one(), `${where}: bmp peer`)); break;
      default:
        throw bad(`${where}: unknown setting '${words.slice(0, 2).join(' ')}' (bgp listen|as|id|peer|hold-time, bmp listen|router|peer)`);
    }
  });
  return flags;
}

/** The flags and the config file together (flags win for single values, lists add up), checked as a whole. */
export async function resolveRoutingOptions(flags: RoutingFlags): Promise<RoutingSetup> {
  let fromFile: RoutingFlags = {};
  if (flags.routingConfig !== undefined) {
    const text = await readFile(flags.routingConfig, 'utf8').catch((error: Error) => {
      throw bad(`cannot read --routing-config ${flags.routingConfig}: ${error.message}`);
    });
    fromFile = parseRoutingConfig(text, flags.routingConfig);
  }
  const merged: RoutingFlags = {
    bgp: flags.bgp ?? fromFile.bgp,
    bgpAs: flags.bgpAs ?? fromFile.bgpAs,
    bgpId: flags.bgpId ?? fromFile.bgpId,
    bgpHoldTime: flags.bgpHoldTime ?? fromFile.bgpHoldTime,
    bgpPeer: [...(fromFile.bgpPeer ?? []), ...(flags.bgpPeer ?? [])],
    bmp: flags.bmp ?? fromFile.bmp,
    bmpRouter: [...(fromFile.bmpRouter ?? []), ...(flags.bmpRouter ?? [])],
    bmpPeer: [...(fromFile.bmpPeer ?? []), ...(flags.bmpPeer ?? [])],
  };
  const setup: RoutingSetup = {};
  if (merged.bgp) {
    if (merged.bgpAs === undefined) throw bad('--bgp needs --bgp-as: the AS number serve speaks BGP with');
    if (merged.bgpPeer!.length === 0) throw bad('--bgp needs at least one --bgp-peer ADDRESS,AS: only configured peers may connect');
    const host = merged.bgp.host;
    const id = merged.bgpId ?? (host !== undefined && isIP(host) === 4 && host !== '0.0.0.0' ? host : undefined);
    if (id === undefined) throw bad('--bgp needs --bgp-id A.B.C.D when it listens on an IPv6 or unspecified address');
    const addresses = new Set<string>();
    for (const peer of merged.bgpPeer!) {
      if (addresses.has(peer.address)) throw bad(`--bgp-peer ${peer.address} is given twice`);
      addresses.add(peer.address);
    }
    setup.bgp = { listen: merged.bgp, localAs: merged.bgpAs, routerId: id, peers: merged.bgpPeer!, holdTime: merged.bgpHoldTime };
  } else if (merged.bgpAs !== undefined || merged.bgpId !== undefined || merged.bgpPeer!.length > 0 || merged.bgpHoldTime !== undefined) {
    throw bad('--bgp-as, --bgp-id, --bgp-peer and --bgp-hold-time need --bgp ADDRESS to listen on');
  }
  if (merged.bmp) {
    if (merged.bmpRouter!.length === 0) throw bad('--bmp needs at least one --bmp-router ADDRESS: only configured routers may connect');
    setup.bmp = { listen: merged.bmp, routers: merged.bmpRouter!, monitoredPeers: merged.bmpPeer! };
  } else if (merged.bmpRouter!.length > 0 || merged.bmpPeer!.length > 0) {
    throw bad('--bmp-router and --bmp-peer need --bmp ADDRESS to listen on');
  }
  return setup;
}
