/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  // Each test file gets its own Postgres schema and BullMQ prefix, so files run in parallel.
  maxWorkers: 2,
  testTimeout: 30000,
};
