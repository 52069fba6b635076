import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CheckpointsSchema } from '../../index.js';
import { chromiumUnavailable, launchChromium } from './chromium.js';
import { serveDashboards } from '../../web/server/serve-web-ui.js';
import { startDashboard, type RunningDashboard } from './web-fixture.js';

const unavailable = chromiumUnavailable();
if (unavailable !== undefined) console.warn(`skipping the dashboard's browser tests: ${unavailable}`);

const INTERVAL_MS = 2000;

let browser: Browser;
let running: RunningDashboard;
let page: Page;
beforeAll(async () => {
  if (unavailable === undefined) browser = await launchChromium();
});
afterAll(() => browser?.close());
beforeEach(async () => {
  if (unavailable !== undefined) return;
  running = await startDashboard(`${INTERVAL_MS} ms`);
  page = await browser.newPage();
  // The page must load nothing from elsewhere: every request goes to the dashboard.
  const foreign: string[] = [];
  page.on('request', (request) => {
    if (!request.url().startsWith(`http://127.0.0.1:${running.webUi.address.port}/`)) foreign.push(request.url());
  });
  await page.goto(running.webUi.url);
  expect(foreign).toEqual([]);
});
afterEach(async () => {
  if (unavailable !== undefined) return;
  await page.close();
  await running.dispose();
});

describe.skipIf(unavailable !== undefined)('the dashboard page in Chromium, against a running job', () => {
  it('draws every operator of the graph, with rates that change as the job runs, and opens a vertex’s subtasks', async () => {
    await page.waitForSelector('[data-testid=job-graph]');
    expect(await page.getByTestId('job-name').textContent()).toBe('web-counts');
    // The token left the address bar once the page had it.
    expect(page.url()).not.toContain('token');
    for (const operator of running.job.graph.operators) {
      const uid = operator.uid ?? operator.id;
      expect(await page.locator(`g.vertex[data-uid="${uid}"] .vertex-title`).textContent()).toContain(uid);
    }
    const seen = new Set<string>();
    const deadline = Date.now() + 20_000;
    while (seen.size < 3 && Date.now() < deadline) {
      seen.add((await page.getByTestId('rate-in').textContent()) ?? '');
      await page.waitForTimeout(500);
    }
    expect(seen.size).toBeGreaterThanOrEqual(3);

    await page.locator('g.vertex[data-uid="per-v"]').click();
    const perV = running.job.graph.operators.find((op) => op.uid === 'per-v')!;
    await expect.poll(() => page.locator('tr.subtask-row').count(), { timeout: 10_000 }).toBe(perV.parallelism);
  });

  it('shows a new completed checkpoint in the history within two intervals', async () => {
    await page.getByTestId('tab-checkpoints').click();
    const before = CheckpointsSchema.parse(await (await running.api(`/jobs/${running.job.jobId}/checkpoints`)).json());
    const newest = before.latest.completed?.id ?? 0;
    const completedIds = async () => Promise.all((await page.locator('tr.checkpoint-row.status-completed').all()).map(async (row) => Number(await row.getAttribute('data-checkpoint-id'))));
    // Two intervals, and the tab's refresh period (1 s) for the page to fetch it.
    await expect.poll(async () => (await completedIds()).some((id) => id > newest), { timeout: 2 * INTERVAL_MS + 1000, interval: 100 }).toBe(true);
  });

  it('takes a savepoint when "Trigger savepoint" is clicked, and lists it', async () => {
    await page.getByTestId('trigger-savepoint').click();
    const message = page.getByTestId('action-message');
    await expect.poll(() => message.textContent(), { timeout: 20_000 }).toMatch(/^savepoint written to /);
    const path = (await message.textContent())!.slice('savepoint written to '.length);
    expect(path.startsWith(join(running.dir, 'savepoints', 'savepoint-'))).toBe(true);
    expect(await readdir(path)).toContain('_metadata');
    await page.getByTestId('tab-checkpoints').click();
    await expect.poll(() => page.locator('tr.savepoint-row').allTextContents(), { timeout: 5_000 }).toEqual([expect.stringContaining(path)]);
  });

  it('offers a job selector when the server shows several jobs, and follows the job chosen', async () => {
    const second = await startDashboard(`${INTERVAL_MS} ms`);
    const both = await serveDashboards({ list: async () => [running.webUi.dashboard, second.webUi.dashboard] }, { port: 0 });
    try {
      await page.goto(both.url);
      const select = page.getByTestId('job-select');
      expect(await select.locator('option').allTextContents()).toEqual([`web-counts (${running.job.jobId})`, `web-counts (${second.job.jobId})`]);
      await expect.poll(() => page.getByTestId('job-id').textContent(), { timeout: 10_000 }).toBe(running.job.jobId);
      await select.selectOption(second.job.jobId);
      await expect.poll(() => page.getByTestId('job-id').textContent(), { timeout: 10_000 }).toBe(second.job.jobId);
      expect(new URL(page.url()).searchParams.get('job')).toBe(second.job.jobId);
    } finally {
      await both.close();
      await second.dispose();
    }
  });
});
