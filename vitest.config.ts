import { defineConfig } from 'vitest/config';

const everything = [
  'scripts/**/*.test.ts',
  'test/*.test.ts',
  'packages/*/src/**/*.test.ts',
  'packages/*/test/**/*.test.ts',
  'examples/test/**/*.test.ts',
  'bench/test/**/*.test.ts',
];

export default defineConfig({
  resolve: {
    // Workspace packages resolve to their TypeScript sources, so tests never run stale dist/ output.
    conditions: ['@novaloop/source'],
  },
  // Tests run in Vite's server-side environment, which does not read resolve.conditions above.
  // ('module' must not be added: it makes the AWS SDK load files Node cannot import.)
  ssr: { resolve: { conditions: ['@novaloop/source'] } },
  test: {
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Two cores: one worker per core keeps socket-heavy tests from starving each other.
    maxWorkers: 2,
    // The SDK's notice that 2027 releases need Node 22 is printed once per worker otherwise.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    projects: [
      { extends: true, test: { name: 'all', include: everything } },
      // Conformance: the core suite once more, every agent on the lean transport (see test/helpers.ts).
      {
        extends: true,
        test: {
          name: 'core-lean',
          include: ['packages/core/test/**/*.test.ts'],
          // It compares the two transports itself.
          exclude: ['packages/core/test/lean-transport.test.ts'],
          env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', NOVALOOP_TEST_TRANSPORT: 'lean' },
        },
      },
    ],
  },
});
