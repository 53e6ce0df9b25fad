import { expect, it } from 'vitest';
import * as browser from '../src/index.js';
import * as node from '../src/node.js';

it('the Node and browser entries export the same names', () => {
  expect(Object.keys(browser).sort()).toEqual(Object.keys(node).sort());
  expect(Object.keys(node)).toEqual(expect.arrayContaining(['Fib', 'parseRoutes', 'readRoutesFile', 'RouteFormatError']));
});

it('a Node-only call in the browser entry fails saying what to use instead', async () => {
  await expect(browser.readRoutesFile('routes.txt')).rejects.toThrow(/needs Node's file system; in a browser, .*parseRoutes/);
  await expect(browser.readRoutesFile('routes.txt')).rejects.toMatchObject({ code: 'NODE_ONLY' });
});
