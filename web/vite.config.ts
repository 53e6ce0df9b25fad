// `npm run build:web` writes the static site to web/dist; `npm run demo` serves it.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  // relative URLs: the built site works from any folder of any server
  base: './',
  publicDir: false,
  // the worker is an ES module (it imports the library like the page does)
  worker: { format: 'es' },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // the WebAssembly and the samples stay files of their own, never inlined
    assetsInlineLimit: 0,
    reportCompressedSize: false,
  },
});
