// Renderer build: a static bundle under dist/renderer/, served by the engine's HTTP server (headless)
// or loaded by Electron. base './' keeps every asset URL relative so both hosts work.
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('../dist/renderer', import.meta.url)),
    emptyOutDir: true,
    // The server's CSP forbids inline scripts: never inline the module-preload polyfill or assets as
    // scripts; small images may still be data: URLs (img-src allows data:).
    modulePreload: { polyfill: false },
    sourcemap: false,
    target: 'es2022',
    // One bundle for a desktop app (React + Konva + zod) is fine.
    chunkSizeWarningLimit: 1500,
  },
});
