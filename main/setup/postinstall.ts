/**
 * The end of `npm install` (npm runs this in the project root after every dependency):
 * Electron's binary is fetched here, and one line says what the install goes without and
 * what that means. Nothing here fails the install — the parts it reports on are the ones
 * Floe works without:
 * - Electron's binary: no desktop window; `npm start` serves the UI to the browser.
 * - keytar (an optional dependency, which npm drops when it cannot build it — on Linux it
 *   needs libsecret-1-dev): no OS keychain; the phrase goes into a sealed key file.
 * - the native RS2 encoder (`install` builds it): encoding stays on walrus-wasm.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { electronBinary, electronPackage, fetchElectron } from './electron.js';

const root = process.cwd();
const without: string[] = [];

const electron = electronPackage(root);
if (!electron) {
  without.push(
    'without Electron (dev dependencies left out) — npm start opens Floe in your browser',
  );
} else if (!electronBinary(electron)) {
  const reason = await fetchElectron(electron);
  if (reason)
    without.push(
      `without Electron's binary (${reason}) — npm start opens Floe in your browser instead of its window`,
    );
}

try {
  createRequire(join(root, 'package.json'))('keytar');
} catch {
  without.push(
    'without keytar (it did not build; on Debian/Ubuntu it needs libsecret-1-dev) — no OS keychain: ' +
      'the recovery phrase is kept in keys.json, sealed under FLOE_KEY_PASSPHRASE',
  );
}

if (!existsSync(join(root, 'build', 'Release', 'floe_rs2.node')))
  without.push(
    'without the native encoder (it did not build) — encoding stays on walrus-wasm, about 10× slower',
  );

if (without.length) console.log(`floe: installed ${without.join('; ')}.`);
