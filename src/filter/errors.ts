// The two ways a filter expression is turned away at compile time. Both carry the 1-based column.
import { FibscopeError } from '../errors.js';

/** The expression is not pcap-filter, or libpcap itself would refuse it ("column N: expected X, found Y"). */
export class FilterSyntaxError extends FibscopeError {
  readonly column: number;
  constructor(column: number, message: string) {
    super('FILTER_SYNTAX', `column ${column}: ${message}`);
    this.column = column;
  }
}

/** libpcap accepts the construct but fibscope does not compile it ("libpcap accepts `gateway`, fibscope does not support it"). */
export class FilterUnsupportedError extends FibscopeError {
  readonly column: number;
  readonly construct: string;
  constructor(column: number, construct: string, why = '') {
    super('FILTER_UNSUPPORTED', `column ${column}: libpcap accepts \`${construct}\`, fibscope does not support it${why ? ` (${why})` : ''}`);
    this.column = column;
    this.construct = construct;
  }
}
