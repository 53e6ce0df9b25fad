// A temporary folder for a test file, made and removed in one place rather than in each file.
//
// tempDir() removes the folder when the tests that can use it are done: after the test that
// made it, or after the file's or describe's tests when made while the file loads. Call it at a
// file's top level, in a describe body or inside a test, not in a beforeAll hook (vitest drops
// an afterAll registered there without a word) nor in a concurrent test (vitest cannot tell
// which test is running there).
//
// vitest runs no afterAll in a file whose tests are all skipped (a -t filter that matches none
// of them), so the folders still present are also removed when the worker process ends. The
// forks pool ends its workers with SIGTERM, which skips the 'exit' event, hence both.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, onTestFinished, TestRunner } from 'vitest';

const foldersToRemove = new Set<string>();
let removalAtEndAdded = false;

/** Makes a folder under the system's temporary folder, its name starting with `prefix`, removed when its tests are done. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  foldersToRemove.add(dir);
  removeAtEndOfProcess();
  const remove = () => {
    foldersToRemove.delete(dir);
    rmSync(dir, { recursive: true, force: true });
  };
  // afterAll inside a running test is never called, and onTestFinished outside one throws
  if (TestRunner.getCurrentTest()) onTestFinished(remove);
  else afterAll(remove);
  return dir;
}

function removeAtEndOfProcess(): void {
  if (removalAtEndAdded) return;
  removalAtEndAdded = true;
  process.once('exit', removeFoldersLeft);
  process.once('SIGTERM', removeFoldersLeftThenStop);
}

function removeFoldersLeft(): void {
  for (const dir of foldersToRemove) {
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // the process is ending: nobody is left to tell
    }
  }
  foldersToRemove.clear();
}

function removeFoldersLeftThenStop(): void {
  removeFoldersLeft();
  // A SIGTERM listener replaces Node's default of ending the process. With this one gone and no
  // other listener, the signal sent again ends the process as if this listener had never been.
  if (process.listenerCount('SIGTERM') === 0) process.kill(process.pid, 'SIGTERM');
}
