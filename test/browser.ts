import * as fs from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/**
 * Headless Chromium for the suites that drive web pages (Swagger UI, the OAuth consent page).
 * Needs /usr/bin/chromium (`apt-get install -y chromium`): without it those suites are skipped,
 * except under CI=true, where a missing browser fails them.
 */
export const CHROMIUM = '/usr/bin/chromium';
const haveChromium = fs.existsSync(CHROMIUM);

export const describeBrowser = haveChromium || process.env.CI === 'true' ? describe : describe.skip;

export function launchChromium(): Promise<Browser> {
  if (!haveChromium) throw new Error(`${CHROMIUM} is missing: install it with \`apt-get install -y chromium\``);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
