// Fib + LiveRoutes + BgpSpeaker in a process of their own, for the tests that put the speaker in
// a network namespace (`ip netns exec NS node bgp-speaker-host.mjs CONFIG`): a test process cannot
// enter a namespace itself. Uses the build (dist/). CONFIG is JSON: { localAs, routerId, peers,
// holdTime, host, port }. Speaks JSON lines: it writes {"listening":PORT} once it listens, then one
// {"event":...} per sink call; it answers {"op":"routes"} with every route of the Fib,
// {"op":"sessions"} with speaker.sessions(), and {"op":"close"} by closing the speaker and exiting.
import { createInterface } from 'node:readline';

const { Fib, LiveRoutes } = await import(new URL('../../dist/node.js', import.meta.url).href);
const { BgpSpeaker } = await import(new URL('../../dist/bgp/speaker.js', import.meta.url).href);

const config = JSON.parse(process.argv[2]);
const send = (message) => process.stdout.write(`${JSON.stringify(message)}\n`);

const fib = await Fib.create();
const live = new LiveRoutes(fib);
const sink = {
  peerUp(peer) { live.peerUp(peer); send({ event: 'peerUp', peer }); },
  update(peerId, changes) {
    live.update(peerId, changes);
    send({ event: 'update', peerId, announced: changes.flatMap((c) => c.announced), withdrawn: changes.flatMap((c) => c.withdrawn) });
  },
  endOfRib(peerId, family) { live.endOfRib(peerId, family); send({ event: 'endOfRib', peerId, family }); },
  peerDown(peerId, reason, restartSeconds) { live.peerDown(peerId, reason, restartSeconds); send({ event: 'peerDown', peerId, reason, restartSeconds }); },
};
const speaker = new BgpSpeaker({
  localAs: config.localAs, routerId: config.routerId, peers: config.peers, holdTime: config.holdTime, sink,
  onLog: (line) => send({ event: 'log', line }),
});
const address = await speaker.listen(config.port, config.host);
send({ listening: address.port });

/** A route as the tests compare it: what fib.routesFor shows, without the id. */
const plain = (route) => ({
  prefix: route.prefix, nextHop: route.nextHop, metric: route.metric, type: route.type,
  asPath: route.asPath, originAs: route.originAs, communities: route.communities, source: route.source, med: route.med, localPref: route.localPref,
});

for await (const line of createInterface({ input: process.stdin })) {
  const request = JSON.parse(line);
  if (request.op === 'routes') send({ id: request.id, routes: [...fib.routes()].map(plain) });
  else if (request.op === 'sessions') send({ id: request.id, sessions: speaker.sessions() });
  else if (request.op === 'close') {
    await speaker.close();
    send({ id: request.id, closed: true });
    process.exit(0);
  } else send({ id: request.id, error: `unknown op ${request.op}` });
}
// stdin closed: the test process is gone
await speaker.close();
process.exit(0);
