// Node 20's start from a code cache of our own. Node 22.1 and later keep compiled code between
// runs themselves (module.enableCompileCache, src/bin.ts); Node 20 compiles the 1 MB command line
// afresh at every start: `fibscope --version` takes 90 ms here, 74 with the cache, an analysis of
// 1M packets 360 ms, 340 with it. V8 can save what it compiled, but only
// for a script: the command line is also bundled as CommonJS (dist/cli.cjs), run here through
// vm.Script with the cached data, which is written again, at exit, when there was none or V8
// refused it (another Node, another bundle).
//
// The cache is code the process runs, so it lives where only this user writes: the user's cache
// directory ($XDG_CACHE_HOME or ~/.cache, then fibscope/), one file per command, named by Node's
// version, the processor and a CRC-32 and the length of the bundle (V8 itself checks only the length).
// A new cache file takes the place of the same command's for an older bundle. NODE_DISABLE_COMPILE_CACHE=1,
// which turns Node's own cache off, turns this one off too.
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';
import { crc32 } from 'node:zlib';

const BUNDLE = fileURLToPath(new URL('./cli.cjs', import.meta.url));

/** Where the cache goes, or undefined when it is turned off or there is no home to put it in. */
function cacheDirectory(): string | undefined {
  if (process.env.NODE_DISABLE_COMPILE_CACHE) return undefined;
  let home = '';
  try {
    home = homedir();
  } catch {
    // no home directory: no cache
  }
  const base = process.env.XDG_CACHE_HOME || (home && join(home, '.cache'));
  return base ? join(base, 'fibscope') : undefined;
}

/** Runs the command line's CommonJS bundle from the code cache, making the cache when it has none. */
export function runFromCodeCache(): void {
  // the shebang line is for running the file itself; a script cannot start with one
  const source = readFileSync(BUNDLE, 'utf8').replace(/^#!.*/, '');
  const directory = cacheDirectory();
  // one cache per command: each holds the functions its runs compiled (analyze's are not --version's)
  const command = process.argv.slice(2).find((arg) => /^[a-z][a-z-]*$/.test(arg)) ?? 'none';
  const prefix = `cli-${command}-${process.version}-${process.arch}-`;
  const cacheName = `${prefix}${crc32(source).toString(16)}-${source.length}.bin`;
  const cacheFile = directory && join(directory, cacheName);
  let cachedData: Buffer | undefined;
  try {
    if (cacheFile) cachedData = readFileSync(cacheFile);
  } catch {
    // no cache yet
  }
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, { filename: BUNDLE, cachedData });
  if (directory && cacheFile && (!cachedData || script.cachedDataRejected)) {
    // at exit, when the functions the run used are compiled too: the next start finds them
    process.once('exit', () => {
      try {
        mkdirSync(directory, { recursive: true, mode: 0o700 });
        const partial = `${cacheFile}.${process.pid}`;
        writeFileSync(partial, script.createCachedData(), { mode: 0o600 });
        renameSync(partial, cacheFile);
        // the same command's cache for an older bundle goes (an upgraded fibscope)
        for (const name of readdirSync(directory)) {
          if (name.startsWith(prefix) && name.endsWith('.bin') && name !== cacheName) rmSync(join(directory, name), { force: true });
        }
      } catch {
        // a cache that cannot be written is only a slower start next time
      }
    });
  }
  const run = script.runInThisContext() as (...args: unknown[]) => void;
  const module = { exports: {} };
  run.call(module.exports, module.exports, createRequire(BUNDLE), module, BUNDLE, dirname(BUNDLE));
}
