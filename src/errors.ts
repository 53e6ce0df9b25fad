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

/**
 * WebAssembly memory ran short (wasm32 has 4 GiB at most, and `Fib.create({ memoryLimit })` may
 * set less). Thrown before anything changed, naming what would have grown; or, when memory ran
 * out half-way through a change, by every later call on that table's instance, which cannot be
 * trusted since (`unusable` is then true).
 */
export class FibscopeOutOfMemoryError extends FibscopeError {
  /** What needed the memory ("40000 routes from rib.txt", "route counters", "a time series", "a report"…). */
  readonly what: string;
  /** True when the instance stopped half-way through a change and refuses all further calls. */
  readonly unusable: boolean;
  constructor(what: string, message: string, unusable = false) {
    super('OUT_OF_MEMORY', message);
    this.what = what;
    this.unusable = unusable;
  }
}

/** A bad line of a route update stream (docs/updates.md): names the source and the 1-based line. */
export class UpdateFormatError extends FibscopeError {
  readonly source: string;
  readonly line: number;
  constructor(source: string, line: number, message: string) {
    super('UPDATE_FORMAT', line > 0 ? `${source}:${line}: ${message}` : `${source}: ${message}`);
    this.source = source;
    this.line = line;
  }
}

/** Update times that go backwards without `--allow-unordered` (docs/updates.md): names both updates. */
export class UpdateOrderError extends FibscopeError {
  constructor(message: string) {
    super('UPDATE_ORDER', message);
  }
}
