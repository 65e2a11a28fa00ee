// The system Chromium the browser tests drive through playwright-core, and its flags: headless,
// no sandbox (containers), nothing that reaches out to the network by itself.
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
const CHROME_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM} (apt-get install chromium; .ci/run does it)`);
  return chromium.launch({ executablePath: CHROMIUM, args: CHROME_ARGS });
}
