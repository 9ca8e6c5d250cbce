// The finance console: a static single-page app that experience-finance serves at `/` from dist/console.
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: '/',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('../../../dist/console', import.meta.url)),
    emptyOutDir: true,
    // The bundle check (test/console/bundle-budget.int-spec.ts) reads the manifest to find the entry's static imports.
    manifest: true,
    sourcemap: false,
    // Only the lazily loaded revenue chart (ECharts) is this large; the first-load budget is checked separately.
    chunkSizeWarningLimit: 700,
  },
  server: {
    // `npx vite apps/experience-finance/console` proxies the API to a running experience-finance.
    proxy: { '/v1': 'http://127.0.0.1:3000', '/health': 'http://127.0.0.1:3000' },
  },
});
