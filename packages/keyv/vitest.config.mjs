// Keyv's own conformance suite (@keyv/test-suite) is written for vitest, so it runs under
// vitest; the adapter's other tests are uvu, like the rest of the repository.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.vitest.ts'],
    // Files run one at a time, to keep CI's two cores for the rest of the tests.
    fileParallelism: false,
    server: {
      deps: {
        // The built workspace packages run as Node runs them (vitest would otherwise transform
        // them as sources, and sql.js's loader then fails to start).
        external: [/[\\/]packages[\\/][^\\/]+[\\/]dist[\\/]/],
      },
    },
  },
});
