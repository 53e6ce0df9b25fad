import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRoutingConfig, resolveRoutingOptions } from '../src/cli/routing-options.js';
import { tempDir } from './helpers/temp-dir.js';

// serve's live-routing settings: flags and --routing-config give the same setup, and every
// incomplete or contradictory setting is refused before anything listens, naming the flag or the
// file and line.

const dir = tempDir('fibscope-routing-');
function configFile(text: string): string {
  const path = join(dir, `config-${Math.random().toString(36).slice(2)}.txt`);
  writeFileSync(path, text);
  return path;
}

describe('live-routing settings', () => {
  it('makes the same setup from flags and from a config file', async () => {
    const fromFlags = await resolveRoutingOptions({
      bgp: { host: '192.0.2.1', port: 179 }, bgpAs: 65000, bgpPeer: [{ address: '192.0.2.2', as: 65001 }, { address: '2001:db8::2', as: 65002 }],
      bmp: { host: undefined, port: 11019 }, bmpRouter: ['10.0.0.1'], bmpPeer: ['192.0.2.7', 64500],
    });
    const path = configFile(`# the lab
bgp listen 192.0.2.1
bgp as 65000
bgp peer 192.0.2.2 65001
bgp peer 2001:DB8:0::2 65002   # the same address, written another way
bmp listen :11019
bmp router 10.0.0.1
bmp peer 192.0.2.7
bmp peer 64500
`);
    const fromFile = await resolveRoutingOptions({ routingConfig: path });
    expect(fromFile).toEqual(fromFlags);
    expect(fromFlags.bgp).toEqual({
      listen: { host: '192.0.2.1', port: 179 }, localAs: 65000, routerId: '192.0.2.1', holdTime: undefined,
      peers: [{ address: '192.0.2.2', as: 65001 }, { address: '2001:db8::2', as: 65002 }],
    });
    expect(fromFlags.bmp).toEqual({ listen: { host: undefined, port: 11019 }, routers: ['10.0.0.1'], monitoredPeers: ['192.0.2.7', 64500] });
  });

  it('lets flags override the file for single values and add to its lists', async () => {
    const path = configFile('bgp listen 127.0.0.1:1790\nbgp as 65000\nbgp peer 127.0.0.2 65001\n');
    const setup = await resolveRoutingOptions({ routingConfig: path, bgpAs: 65100, bgpPeer: [{ address: '127.0.0.3', as: 65003 }] });
    expect(setup.bgp!.localAs).toBe(65100);
    expect(setup.bgp!.peers.map((peer) => peer.address)).toEqual(['127.0.0.2', '127.0.0.3']);
    expect(setup.bgp!.listen).toEqual({ host: '127.0.0.1', port: 1790 });
  });

  it('starts nothing without --bgp or --bmp', async () => {
    expect(await resolveRoutingOptions({})).toEqual({});
  });

  it.each([
    [{ bgp: { host: '192.0.2.1', port: 179 }, bgpPeer: [{ address: '192.0.2.2', as: 1 }] }, /--bgp needs --bgp-as/],
    [{ bgp: { host: '192.0.2.1', port: 179 }, bgpAs: 1 }, /at least one --bgp-peer/],
    [{ bgp: { host: '::', port: 179 }, bgpAs: 1, bgpPeer: [{ address: '::2', as: 1 }] }, /needs --bgp-id/],
    [{ bgp: { host: undefined, port: 179 }, bgpAs: 1, bgpPeer: [{ address: '::2', as: 1 }] }, /needs --bgp-id/],
    [{ bgp: { host: '192.0.2.1', port: 179 }, bgpAs: 1, bgpPeer: [{ address: '192.0.2.2', as: 1 }, { address: '192.0.2.2', as: 2 }] }, /given twice/],
    [{ bgpAs: 65000 }, /need --bgp ADDRESS/],
    [{ bmp: { host: undefined, port: 11019 } }, /at least one --bmp-router/],
    [{ bmpPeer: [64500] }, /need --bmp ADDRESS/],
  ])('refuses an incomplete setup %#', async (flags, message) => {
    await expect(resolveRoutingOptions(flags)).rejects.toThrow(message);
  });

  it.each([
    ['bgp as 0', /:1: bgp as takes an AS number/],
    ['bgp as 4294967296', /:1: bgp as takes an AS number/],
    ['bgp id 0.0.0.0', /:1: bgp id takes a BGP identifier/],
    ['bgp id 2001:db8::1', /:1: bgp id takes a BGP identifier/],
    ['\nbgp peer 192.0.2.1', /:2: 'bgp peer' takes ADDRESS AS/],
    ['bgp peer example.net 65001', /:1: bgp peer takes an IPv4 or IPv6 address/],
    ['bgp hold-time 2', /:1: bgp hold-time takes 0 or 3..65535/],
    ['bgp listen 192.0.2.1 extra', /:1: 'bgp listen' takes one value, got 2/],
    ['bgp listen host:port', /:1: bgp listen takes HOST:PORT/],
    ['bmp routers 10.0.0.1', /:1: unknown setting 'bmp routers'/],
  ])('names the file and line of a bad setting: %s', (text, message) => {
    expect(() => parseRoutingConfig(text, 'lab.conf')).toThrow(/^lab\.conf/);
    expect(() => parseRoutingConfig(text, 'lab.conf')).toThrow(message);
  });

  it('says which config file it cannot read', async () => {
    await expect(resolveRoutingOptions({ routingConfig: join(dir, 'absent.conf') })).rejects.toThrow(/cannot read --routing-config .*absent\.conf/);
  });
});
