// `--token-file`: the write token, read from a file so that it is in no command line (which
// `ps` shows to every user) and no shell history.
import { FibscopeError } from '../errors.js';
import { readSecretFile } from './secret-file.js';
import { checkWriteToken } from './write-auth.js';

/** The token of a `--token-file`: its first line, trimmed; an empty or unsendable one is an error naming the file. */
export async function readTokenFile(path: string): Promise<{ token: string; warning?: string }> {
  const { text, warning } = await readSecretFile(path, '--token-file');
  const token = text.split(/\r?\n/, 1)[0].trim();
  if (token === '') throw new FibscopeError('BAD_ARGUMENT', `--token-file ${path}: its first line is empty; put the token there (openssl rand -hex 32)`);
  try {
    checkWriteToken(token);
    return { token, warning };
  } catch (error) {
    throw new FibscopeError('BAD_ARGUMENT', `--token-file ${path}: ${(error as Error).message}`);
  }
}
