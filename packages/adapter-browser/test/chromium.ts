/**
 * Starts Debian's Chromium (never a downloaded browser) through playwright-core, headless, with
 * the flags that work on a machine without a network: no background connections, no GPU.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { requireFromPackage } from './package-root.js';

const { chromium } = requireFromPackage<typeof import('playwright-core')>('playwright-core');

/** Debian's Chromium; `CHROMIUM_PATH` overrides it. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Whether the browser is installed (`apt-get install chromium`). */
export function hasChromium(): boolean {
  return existsSync(CHROMIUM);
}

/** A fresh profile folder; remove it with {@link removeProfile}. */
export function newProfile(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'go-store-chromium-'));
}

/** Removes a profile folder made by {@link newProfile}. */
export async function removeProfile(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

/**
 * Launches Chromium with `profile` as its user data directory (a launch with the same folder
 * sees the same OPFS). Page errors and console errors are echoed with `label`.
 */
export async function launch(profile: string, label = 'chromium'): Promise<BrowserContext> {
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport: { width: 900, height: 640 },
  });
  context.on('page', (page) => watchPage(page, label));
  for (const page of context.pages()) watchPage(page, label);
  return context;
}

function watchPage(page: Page, label: string): void {
  page.on('pageerror', (error) => console.error(`[${label}] page error:`, error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') console.error(`[${label}] console:`, message.text());
  });
}
