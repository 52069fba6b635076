/**
 * `npx tsx scripts/screenshots.ts`: regenerates the dashboard screenshots of docs/web-ui.md (docs/images/web-ui-*.png)
 * from a real running job, in headless Chromium (/usr/bin/chromium).
 */
import { mkdirSync } from 'node:fs';
import { chromiumUnavailable, launchChromium } from '../test/web/chromium.js';
import { startDashboard } from '../test/web/web-fixture.js';

const OUT = 'docs/images';
const unavailable = chromiumUnavailable();
if (unavailable !== undefined) {
  console.error(`cannot take screenshots: ${unavailable}`);
  process.exit(1);
}
mkdirSync(OUT, { recursive: true });
const running = await startDashboard('2 s');
const browser = await launchChromium();
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(running.webUi.url);
  await page.waitForSelector('[data-testid=job-graph]');
  // A minute of chart would take a minute: a few seconds show its shape.
  await page.waitForTimeout(8000);
  await page.locator('g.vertex[data-uid="per-v"]').click();
  await page.waitForSelector('tr.subtask-row');
  await page.screenshot({ path: `${OUT}/web-ui-overview.png`, fullPage: true });
  await page.getByTestId('trigger-savepoint').click();
  await page.getByTestId('action-message').filter({ hasText: 'savepoint written' }).waitFor();
  await page.getByTestId('tab-checkpoints').click();
  await page.waitForSelector('tr.checkpoint-row.status-completed');
  await page.locator('tr.checkpoint-row.status-completed').first().click();
  await page.screenshot({ path: `${OUT}/web-ui-checkpoints.png`, fullPage: true });
  await page.getByTestId('tab-configuration').click();
  await page.waitForSelector('[data-testid=pipe-source]');
  await page.screenshot({ path: `${OUT}/web-ui-configuration.png`, fullPage: true });
  console.log(`wrote ${OUT}/web-ui-overview.png, web-ui-checkpoints.png, web-ui-configuration.png`);
} finally {
  await browser.close();
  await running.dispose();
}
