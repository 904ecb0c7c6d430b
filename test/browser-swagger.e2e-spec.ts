import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Browser } from 'playwright-core';
import { describeBrowser, launchChromium } from './browser';
import { startTestApp, TestApp, TEST_ADMIN_KEY } from './support/test-app';

/**
 * A real browser walks the Swagger UI like a newcomer: Authorize with the admin key, then
 * "Try it out" → "Execute" on GET /integrated-account, and sees the bootstrapped sandbox account.
 * Needs /usr/bin/chromium (`apt-get install -y chromium`); missing it fails under CI=true.
 */

describeBrowser('Swagger UI in a browser', () => {
  let t: TestApp;
  let browser: Browser;

  beforeAll(async () => {
    t = await startTestApp();
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('authorizes with the admin key and lists the sandbox account via Try it out → Execute', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1600 } });
    await page.goto(`${t.url}/docs`, { waitUntil: 'load' });

    await page.locator('.auth-wrapper button.authorize').click();
    const modal = page.locator('.modal-ux');
    await modal.locator('input').first().fill(TEST_ADMIN_KEY);
    await modal.locator('button.authorize').click();
    await modal.locator('button.btn-done').click();

    const op = page.locator('.opblock-get', { has: page.locator('[data-path="/integrated-account"]') }).first();
    await op.locator('.opblock-summary').first().click();
    await op.locator('button.try-out__btn').click();
    await op.locator('button.execute').click();

    const live = op.locator('.live-responses-table');
    await live.locator('.response-col_status', { hasText: '200' }).first().waitFor({ timeout: 15_000 });
    const responseBody = live.locator('tbody .response-col_description pre.microlight').first();
    await responseBody.waitFor({ timeout: 15_000 });
    const body = await responseBody.innerText();
    expect(body).toContain('"name": "sandbox"');
    expect(body).toContain('"environment": "sandbox"');

    const out = path.join(__dirname, '..', 'test-artifacts');
    fs.mkdirSync(out, { recursive: true });
    await page.screenshot({ path: path.join(out, 'swagger.png'), fullPage: true });
    expect(fs.statSync(path.join(out, 'swagger.png')).size).toBeGreaterThan(10_000);
  });
});
