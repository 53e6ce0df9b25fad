import { FibscopeError } from '../errors.js';
import type { Report } from './report.js';

const message = (call: string) => `${call} needs Node's file system; in a browser, feed the file's bytes to an Analyzer (file.stream())`;

/** `analyzeFile` where there is no file system: says what to use instead. */
export async function analyzeFile(_path: string, _options?: unknown): Promise<Report> {
  throw new FibscopeError('NODE_ONLY', message('analyzeFile'));
}

export async function analyzeFiles(_paths: string[], _options?: unknown): Promise<Report> {
  throw new FibscopeError('NODE_ONLY', message('analyzeFiles'));
}

/** `compareFiles` where there is no file system: Comparison's analyzer takes the bytes instead. */
export async function compareFiles(_paths: string[], _options?: unknown): Promise<never> {
  throw new FibscopeError('NODE_ONLY', message('compareFiles').replace('an Analyzer', 'a Comparison\'s analyzer()'));
}
