// The browser entry's FibscopeServer: there is no node:http to serve from. Same type as the real
// one, so code that names it type-checks against either entry.
import { FibscopeError } from '../errors.js';
import type { FibscopeServer as NodeFibscopeServer } from './server.js';

export const FibscopeServer = class FibscopeServer {
  constructor() {
    throw new FibscopeError('NODE_ONLY',
      "FibscopeServer needs Node's http module; in a browser, read the counters with analyzer.snapshot()");
  }
} as unknown as typeof NodeFibscopeServer;
