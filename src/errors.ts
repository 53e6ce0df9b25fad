/**
 * One error base class for everything fibscope reports about its input, so callers (and the CLI)
 * can tell "your input is bad" from a bug. Each carries a stable `code` and where it happened.
 */
export class FibscopeError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = new.target.name;
    this.code = code;
  }
}

/** A bad line in a routes file (or string): names the source, the 1-based line and what was expected. */
export class RouteFormatError extends FibscopeError {
  readonly source: string;
  readonly line: number;
  constructor(source: string, line: number, message: string) {
    super('ROUTE_FORMAT', `${source}:${line}: ${message}`);
    this.source = source;
    this.line = line;
  }
}

/** A bad argument to the library API (an address or prefix that does not parse, an unknown id). */
export class FibscopeArgumentError extends FibscopeError {
  constructor(message: string) {
    super('BAD_ARGUMENT', message);
  }
}
