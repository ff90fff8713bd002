/** What every project shares: test files are TypeScript, compiled by ts-jest against tsconfig.json. */
const shared = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
};

/** @type {import('jest').Config} */
module.exports = {
  // unit: no Postgres, no Redis, no bot process (`npm run test:unit`). integration: real Postgres
  // and Redis. e2e: signed requests into the running bot, fakes of Slack and Teams on loopback.
  projects: ['unit', 'integration', 'e2e'].map((name) => ({
    ...shared,
    displayName: name,
    roots: [`<rootDir>/test/${name}`],
    testMatch: ['**/*.test.ts'],
  })),
  // Each test file gets its own Postgres schema and BullMQ prefix, so files run in parallel.
  maxWorkers: 2,
  testTimeout: 30000,
};
