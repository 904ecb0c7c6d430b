/** Three tiers: unit specs beside the code, integration/e2e suites in test/. */
const fs = require('node:fs');
const swc = JSON.parse(fs.readFileSync(`${__dirname}/.swcrc`, 'utf8'));
const transform = { '^.+\\.ts$': ['@swc/jest', { ...swc, swcrc: false }] };
module.exports = {
  testTimeout: 60000,
  // One line when the PostgreSQL/Redis suites were skipped (and how to run them).
  reporters: ['default', '<rootDir>/scripts/lib/skipped-services-reporter.js'],
  projects: [
    { displayName: 'unit', testEnvironment: 'node', transform, testMatch: ['<rootDir>/src/**/*.spec.ts'] },
    { displayName: 'e2e', testEnvironment: 'node', transform, testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'] },
  ],
};
