// A file that holds a secret (the write token, a TLS private key): read whole, with a warning
// when its mode lets others than its owner read it.
import { readFile, stat } from 'node:fs/promises';
import { FibscopeError } from '../errors.js';

export interface SecretFile {
  text: string;
  /** Set when the group or every user may read the file: a line for the log. */
  warning?: string;
}

/** Reads `path`, given as `flag`; an unreadable file is an error naming both. */
export async function readSecretFile(path: string, flag: string): Promise<SecretFile> {
  let text: string;
  let mode: number;
  try {
    [text, { mode }] = await Promise.all([readFile(path, 'utf8'), stat(path)]);
  } catch (error) {
    throw new FibscopeError('BAD_ARGUMENT', `${flag} ${path}: cannot read it: ${(error as Error).message}`);
  }
  if ((mode & 0o044) === 0) return { text };
  const octal = (mode & 0o777).toString(8).padStart(3, '0');
  return { text, warning: `warning: ${flag} ${path} can be read by others than its owner (mode ${octal}); chmod 600 it` };
}
