import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

const src = (p: string) => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  resolve: {
    // Tests run against sources, so a package's tests never wait on another package's build.
    alias: {
      '@stereo-sdk/common': src('./packages/common/src/index.ts'),
      '@stereo-sdk/core': src('./packages/core/src/index.ts'),
      '@stereo-sdk/stereo': src('./packages/stereo/src/index.ts'),
      '@stereo-sdk/edge-runtime': src('./packages/edge-runtime/src/index.ts'),
    },
  },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'tools/test/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two cores here: ORT sessions and sharp already use threads, so keep workers few.
    maxWorkers: 2,
  },
});
