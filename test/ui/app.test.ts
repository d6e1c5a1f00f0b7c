/**
 * The UI end to end, as a person would use it: Debian's Chromium (driven by
 * playwright-core) on the page a real daemon serves, over a localnet of its own. Each step
 * leaves a screenshot in test-artifacts/screenshots/ (renderer/screenshots/ holds a copy
 * of a run's set for the README).
 */
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startDaemon, type Daemon } from '../../core/api/daemon.js';
import { Localnet } from '../../core/localnet/network.js';
import { buildUi } from '../../renderer/build.js';
import { Ed25519Keypair } from '@mysten/sui/keypairs/ed25519';
import { deriveKeys } from '../../core/repo/keys.js';
import { LocalChain } from '../../core/walrus/chain/local-chain.js';
import { setEnv } from '../support/env.js';

const CHROMIUM = '/usr/bin/chromium';
const SHOTS = join('test-artifacts', 'screenshots');
/** Backups, restores and renewals on a 4-node localnet take seconds; give them room. */
const SLOW = { timeout: 60_000 };
/** Enough 400 kB files that the backup runs for seconds, long enough to watch. */
const PHOTOS = 24;

describe(
  'the Floe window',
  { skip: !existsSync(CHROMIUM) && `${CHROMIUM} is not installed` },
  () => {
    let dir: string;
    let daemon: Daemon;
    let net: Localnet;
    let browser: Browser;
    let page: Page;
    let docs: string;
    /** The account's phrase, read off the onboarding screen. */
    let phrase = '';
    const pageErrors: string[] = [];
    const photo = randomBytes(300_000);
    let restoreEnv = () => {};

    /** The whole page from the top, or (`whole` false) the window as it is scrolled now. */
    const shot = async (name: string, whole = true) => {
      // A full-page capture draws sticky bars where the scroll left them: start at the top.
      if (whole) await page.evaluate(() => window.scrollTo(0, 0));
      await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: whole });
    };
    const go = async (section: string) => {
      await page
        .getByRole('navigation', { name: 'Main' })
        .getByRole('link', { name: section })
        .click();
      await page.getByRole('heading', { level: 1, name: section }).waitFor();
    };

    before(async () => {
      dir = await mkdtemp(join(tmpdir(), 'floe-ui-'));
      restoreEnv = setEnv({
        // No keychain here: the phrase goes to the key file, sealed under this passphrase.
        FLOE_KEY_PASSPHRASE: 'test',
        DBUS_SESSION_BUS_ADDRESS: `unix:path=${join(dir, 'no-bus')}`,
        // The folder browser and ~ paths start from home: this test's own.
        HOME: dir,
      });
      docs = join(dir, 'Documents');
      await mkdir(join(docs, 'notes'), { recursive: true });
      await writeFile(join(docs, 'photo.bin'), photo);
      await writeFile(join(docs, 'report.txt'), 'quarterly numbers\n');
      await writeFile(join(docs, 'notes', 'ideas.md'), '# ideas\n');
      await mkdir(SHOTS, { recursive: true });
      net = await Localnet.start({ dir: join(dir, 'network'), nodes: 4, nShards: 10 });
      daemon = await startDaemon({
        dataDir: join(dir, 'data'),
        staticDir: await buildUi(join(dir, 'ui')),
        localnetUrl: net.url,
        keyPassphrase: 'test',
        // A failed run is retried within a second, and shows as failed after two.
        engine: { retry: { firstMs: 300, maxMs: 1_000, failedAfter: 2 }, debounceMs: 300 },
      });
      browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
      page = await browser.newPage({
        viewport: { width: 1280, height: 860 },
        permissions: ['notifications'],
      });
      // The notifications the page shows, as the browser's own API receives them.
      await page.addInitScript(() => {
        const Shown = window.Notification;
        const shown: string[] = [];
        (window as unknown as { floeShown: string[] }).floeShown = shown;
        window.Notification = class extends Shown {
          constructor(title: string, options?: NotificationOptions) {
            super(title, options);
            shown.push(title);
          }
        };
      });
      page.on('pageerror', (error) => pageErrors.push(error.message));
    });

    afterEach(() => assert.deepEqual(pageErrors.splice(0), [], 'the page threw nothing'));

    after(async () => {
      await browser?.close();
      await daemon?.stop();
      await net?.stop();
      await rm(dir, { recursive: true, force: true });
      restoreEnv();
    });

    test('without a valid token the page says how to open Floe', async () => {
      const stranger = await browser.newPage();
      try {
        await stranger.goto(`${daemon.url}/`);
        await stranger.getByRole('heading', { name: 'This page needs Floe’s link' }).waitFor();
        await stranger.goto(`${daemon.url}/folders#token=${'x'.repeat(43)}`);
        await stranger.getByRole('heading', { name: 'This link has expired' }).waitFor();
        assert.equal(
          await stranger.evaluate(() => sessionStorage.getItem('floe.token')),
          null,
          'a refused token is forgotten',
        );
      } finally {
        await stranger.close();
      }
    });

    test('the token is read from the URL fragment and then taken out of the address', async () => {
      await page.goto(`${daemon.url}/#token=${daemon.token}`);
      await page.getByRole('heading', { name: 'Back up your folders to Walrus' }).waitFor();
      assert.equal(
        await page.getByRole('radio', { name: /Local test network on this computer/ }).isChecked(),
        true,
        'onboarding says where the backups go, the local test network by default',
      );
      assert.equal(page.url(), `${daemon.url}/`);
      assert.equal(
        await page.evaluate(() => sessionStorage.getItem('floe.token')),
        daemon.token,
        'kept for reloads',
      );
      await shot('onboarding');
    });

    test(
      'a new account shows 24 numbered words once and asks three of them back',
      SLOW,
      async () => {
        await page.getByRole('button', { name: /Create a new account/ }).click();
        // Generating and sealing the phrase takes a moment on a loaded machine.
        await page.locator('.phrase-grid .word').nth(23).waitFor(SLOW);
        const words = await page.locator('.phrase-grid .word').allTextContents();
        assert.equal(words.length, 24);
        phrase = words.join(' ');
        assert.equal(
          await page.locator('.phrase-grid li').first().locator('.word-number').textContent(),
          '1',
        );
        const next = page.getByRole('button', { name: 'Continue' });
        assert.equal(await next.isDisabled(), true, 'not before the user says it is written down');
        await shot('onboarding-phrase');
        await page.getByLabel('I have written down all 24 words').check();
        await next.click();

        const inputs = page.locator('.confirm-words input');
        assert.equal(await inputs.count(), 3);
        const positions = await inputs.evaluateAll((els) =>
          els.map((el) => Number((el as HTMLInputElement).dataset.position)),
        );
        assert.equal(new Set(positions).size, 3, 'three different words');
        for (const [i, position] of positions.entries())
          await inputs.nth(i).fill(i === 0 ? 'wrong' : words[position - 1]!);
        await page.getByRole('button', { name: 'Confirm' }).click();
        await page.getByText(`Word ${positions[0]} does not match`).waitFor();
        await shot('onboarding-confirm-mismatch');
        await inputs.nth(0).fill(words[positions[0]! - 1]!);
        await page.getByRole('button', { name: 'Confirm' }).click();
        await page.getByRole('heading', { name: 'Your account is ready' }).waitFor(SLOW);
        await page.getByRole('button', { name: 'Choose folders' }).click();
        await page.getByRole('heading', { level: 1, name: 'Folders' }).waitFor();
        await page.getByText('No folders yet').waitFor();
        await page
          .locator('.status-bar .state-network', { hasText: 'Local test network on this computer' })
          .waitFor();
        await shot('folders-empty');
      },
    );

    test(
      'a folder added by path is backed up, and the backup shows in Activity',
      SLOW,
      async () => {
        await page.getByLabel('Folder to back up').fill(join(dir, 'nowhere'));
        await page.getByRole('button', { name: 'Add folder' }).click();
        await page.getByText(`${join(dir, 'nowhere')} is not an existing folder`).waitFor();

        await page.getByLabel('Folder to back up').fill(docs);
        await page.getByRole('button', { name: 'Add folder' }).click();
        const row = page.locator(`.folder-row[data-path="${docs}"]`);
        await row.waitFor();
        await go('Activity');
        const backup = page.locator('.rows li[data-snapshot]').first();
        await backup.waitFor(SLOW);
        assert.match((await backup.textContent())!, /Documents/);
        await page.getByText('No backup is running').waitFor();
        await shot('activity');

        await go('Folders');
        await row.locator('.badge-idle').waitFor(SLOW);
        await shot('folders');
        await row.getByRole('button', { name: 'Pause Documents' }).click();
        await row.locator('.badge-paused').waitFor();
        await row.getByRole('button', { name: 'Resume Documents' }).click();
        await row.locator('.badge-paused').waitFor({ state: 'detached', ...SLOW });
      },
    );

    test(
      'a larger backup shows its live progress: files, bytes, speed, time left, current file',
      SLOW,
      async () => {
        const photos = join(dir, 'Photos');
        await mkdir(photos);
        for (let i = 0; i < PHOTOS; i++)
          await writeFile(join(photos, `IMG_${1000 + i}.jpg`), randomBytes(400_000));
        await go('Folders');
        await page.getByLabel('Folder to back up').fill(photos);
        await page.getByRole('button', { name: 'Add folder' }).click();
        await go('Activity');
        const progress = page.locator('.now .progress-view');
        await progress.waitFor(SLOW);
        await page.waitForFunction(
          () => document.querySelector('.now .current-path')?.textContent?.startsWith('IMG_'),
          null,
          SLOW,
        );
        assert.match(
          (await progress.textContent())!,
          /Files\d+ of \d+Data.+ of .+Speed.+Time left/,
        );
        await shot('activity-progress');
        await page.locator(`.rows li[data-snapshot]`).nth(1).waitFor(SLOW);
        await page.getByText('No backup is running').waitFor(SLOW);
      },
    );

    test('a file restored from the snapshot browser matches byte for byte', SLOW, async () => {
      await go('Snapshots');
      await page.locator('.snapshot-table tbody tr').first().waitFor(SLOW);
      await shot('snapshots');
      await page.locator('.snapshot-table tbody tr').first().getByRole('link').click();
      await page.locator('.tree-table').waitFor(SLOW);
      await page.getByRole('link', { name: 'notes', exact: true }).click();
      await page.locator('tr[data-entry="ideas.md"]').waitFor(SLOW);
      const crumbs = page.getByRole('navigation', { name: 'Folder path' });
      assert.deepEqual(await crumbs.locator('li').allTextContents(), ['Documents', 'notes']);
      await crumbs.getByRole('link', { name: 'Documents', exact: true }).click();
      await page.locator('tr[data-entry="photo.bin"]').waitFor(SLOW);
      await shot('snapshot-browser');

      const target = join(dir, 'restored');
      await page.getByRole('button', { name: 'Restore photo.bin' }).click();
      await page.getByLabel('Restore into').fill(target);
      await shot('restore-dialog');
      await page.getByRole('dialog').getByRole('button', { name: 'Restore' }).click();
      const job = page.locator('li[data-restore]').first();
      await job.locator('.badge-restore-done').waitFor(SLOW);
      assert.match((await job.textContent())!, /Restored 1 file/);
      await shot('restore-done');
      assert.deepEqual(await readFile(join(target, 'photo.bin')), photo);
    });

    test(
      'search finds every version of a file; an older one comes back beside the newer copy, or replaces it',
      SLOW,
      async () => {
        const report = join(docs, 'report.txt');
        const versions = async () =>
          (
            await api<{ versions: unknown[] }>(
              `/api/versions?${new URLSearchParams({ folder: docs, path: 'report.txt' })}`,
            )
          ).versions.length;
        // Each edit waits for its own backup, so that each is a version of its own.
        for (const [i, text] of ['second quarter\n', 'third quarter, final\n'].entries()) {
          await writeFile(report, text);
          await until(async () => (await versions()) === i + 2);
        }
        await go('Find files');
        await page.getByLabel('Name of a file or folder').fill('REPORT');
        await page.getByRole('button', { name: 'Find' }).click();
        const hit = page.locator('.find-results li[data-path="report.txt"]');
        await hit.waitFor(SLOW);
        assert.match((await hit.textContent())!, /3 versions/);
        await shot('find-results');
        await hit.getByRole('link', { name: 'report.txt' }).click();
        const rows = page.locator('.version-row');
        await rows.nth(2).waitFor(SLOW);
        assert.equal(await rows.count(), 3);
        await shot('file-versions');

        // The oldest version, to where it was: the newer local copy is kept, the old one beside it.
        const restoreOldest = async (conflict: string) => {
          await rows
            .nth(2)
            .getByRole('button', { name: /^Restore the version of/ })
            .click();
          const dialog = page.getByRole('dialog');
          assert.equal(await dialog.getByLabel('Where it was').isChecked(), true);
          await dialog.getByLabel(conflict).check();
          return dialog;
        };
        const jobs = page.locator('li[data-restore]');
        /** Clicks `button` and answers the restore job it started (the list is newest first). */
        const started = async (button: ReturnType<Page['getByRole']>) => {
          const before = await jobs.count();
          await button.click();
          await jobs.nth(before).waitFor(SLOW);
          return jobs.first();
        };
        const dialog = await restoreOldest('Keep both');
        await shot('restore-choices');
        const promised = (await dialog.textContent())!;
        const job = await started(dialog.getByRole('button', { name: 'Restore' }));
        await job.locator('.badge-restore-done').waitFor(SLOW);
        assert.match((await job.textContent())!, /Restored 1 file .* into .*Documents/);
        assert.match((await job.textContent())!, /1 copy restored beside yours under a new name/);
        const copies = (await readdir(docs)).filter((n) => /^report \(restored .+\)\.txt$/.test(n));
        assert.equal(copies.length, 1, 'one copy beside it');
        assert.ok(promised.includes(`new name: “${copies[0]}”`), 'under the name the dialog said');
        assert.equal(await readFile(join(docs, copies[0]!), 'utf8'), 'quarterly numbers\n');
        assert.equal(await readFile(report, 'utf8'), 'third quarter, final\n');

        // Skip: nothing is restored, and the window says so — with the way to replace it.
        const skipped = await started(
          (await restoreOldest('Skip')).getByRole('button', { name: 'Restore' }),
        );
        await skipped
          .locator('.badge-restore-partial', { hasText: 'Nothing restored' })
          .waitFor(SLOW);
        assert.match((await skipped.textContent())!, /Nothing was restored into .*Documents/);
        assert.match((await skipped.textContent())!, /1 file kept as it was.*report\.txt/);
        assert.equal(await skipped.locator('.badge-restore-done').count(), 0);
        await shot('restore-skipped');
        const replaced = await started(skipped.getByRole('button', { name: 'Replace them' }));
        await replaced.locator('.badge-restore-done').waitFor(SLOW);
        assert.match((await replaced.textContent())!, /1 local item replaced/);
        assert.equal(await readFile(report, 'utf8'), 'quarterly numbers\n');
        await rm(join(docs, copies[0]!));
      },
    );

    test('a folder is chosen in the folder browser or typed from home', SLOW, async () => {
      const music = join(dir, 'Music');
      await mkdir(join(music, 'Live'), { recursive: true });
      await writeFile(join(music, 'Live', 'song.flac'), 'la la');
      await go('Folders');
      const row = page.locator(`.folder-row[data-path="${music}"]`);
      const remove = async () => {
        await row.locator('.badge-idle:not(.badge-dirty)').waitFor(SLOW);
        await row.getByRole('button', { name: 'Remove Music' }).click();
        await page.getByRole('dialog').getByRole('button', { name: 'Remove folder' }).click();
        await row.waitFor({ state: 'detached' });
      };
      await page.getByLabel('Folder to back up').fill('~/Music');
      await page.getByRole('button', { name: 'Add folder' }).click();
      await remove();

      await page.getByRole('button', { name: 'Browse…' }).click();
      const dialog = page.getByRole('dialog', { name: 'Choose a folder' });
      await dialog.locator('.browse-folder[data-name="Music"]').click();
      await dialog.locator('.browse-folder[data-name="Live"]').waitFor();
      assert.match((await dialog.locator('.browse-where').textContent())!, /Music$/);
      await shot('folder-browser', false);
      await dialog.getByRole('button', { name: 'Choose this folder' }).click();
      await remove();
    });

    test(
      'a folder emptied by hand is held: the window asks, notifies, and records it once confirmed',
      SLOW,
      async () => {
        const archive = join(dir, 'Archive');
        await mkdir(archive);
        for (const n of ['a.txt', 'b.txt', 'c.txt']) await writeFile(join(archive, n), n);
        await go('Folders');
        await page.getByLabel('Folder to back up').fill(archive);
        await page.getByRole('button', { name: 'Add folder' }).click();
        const row = page.locator(`.folder-row[data-path="${archive}"]`);
        await row.locator('.badge-idle:not(.badge-dirty)').waitFor(SLOW);

        for (const n of ['a.txt', 'b.txt', 'c.txt']) await rm(join(archive, n));
        await row.locator('.badge-held').waitFor(SLOW);
        assert.match((await row.textContent())!, /Deletions held.*empty now.*held 3 file/);
        await page.waitForFunction(
          () =>
            document.querySelector('.status-bar .state')?.getAttribute('data-state') ===
            'attention',
          null,
          SLOW,
        );
        await page.waitForFunction(
          () =>
            (window as unknown as { floeShown: string[] }).floeShown.includes(
              'Deletions in Archive are waiting for you',
            ),
          null,
          SLOW,
        );
        await shot('folder-held');
        const before = (await api<{ snapshots: unknown[] }>('/api/snapshots')).snapshots.length;

        await row.getByRole('button', { name: 'Record the deletions in Archive' }).click();
        await page
          .getByRole('dialog')
          .getByRole('button', { name: 'Record the deletions' })
          .click();
        await row.locator('.badge-idle').waitFor(SLOW);
        const after = await api<{ snapshots: { folders: string[] }[] }>('/api/snapshots');
        assert.equal(after.snapshots.length, before + 1, 'the confirmed deletions are recorded');
        await row.getByRole('button', { name: 'Remove Archive' }).click();
        await page.getByRole('dialog').getByRole('button', { name: 'Remove folder' }).click();
        await row.waitFor({ state: 'detached' });
      },
    );

    test(
      'a backup that keeps failing says so in the status bar, the folder, Problems and a notification',
      SLOW,
      async () => {
        // Every WAL but one FROST leaves the account: the next blob cannot be paid for.
        const chain = new LocalChain(net.url, deriveKeys(phrase).account);
        const { wal } = await chain.balances(chain.address);
        await chain.execute({
          kind: 'transfer_wal',
          to: new Ed25519Keypair().toSuiAddress(),
          amount: (BigInt(wal) - 1n).toString(),
        });
        await writeFile(join(docs, 'unpaid.txt'), 'written when the balance was gone');
        await page.waitForFunction(
          () =>
            document.querySelector('.status-bar .state')?.getAttribute('data-state') ===
            'backup-failed',
          null,
          SLOW,
        );
        assert.match(
          (await page.locator('.status-bar').textContent())!,
          /Backup failed.*Documents.*InsufficientBalance|Backup failed.*Documents/,
        );
        await page.waitForFunction(
          () =>
            (window as unknown as { floeShown: string[] }).floeShown.includes(
              'Backup of Documents failed',
            ),
          null,
          SLOW,
        );
        await go('Folders');
        const row = page.locator(`.folder-row[data-path="${docs}"]`);
        await row.locator('.badge-failed').waitFor(SLOW);
        await shot('folder-failed');
        await go('Activity');
        const problem = page.locator('.problem[data-key="backup"]');
        await problem.waitFor(SLOW);
        assert.match((await problem.textContent())!, /Backing up · \d+ times/);
        await shot('activity-problems');

        // Funded again: the next retry goes through, and the problem is resolved.
        await chain.faucet(chain.address);
        await page.locator('.problem-resolved[data-key="backup"]').waitFor(SLOW);
        await go('Folders');
        await row.locator('.badge-idle:not(.badge-dirty)').waitFor(SLOW);
      },
    );

    test(
      "settings send only what changed and show the server's refusal beside the field",
      SLOW,
      async () => {
        await go('Settings');
        await shot('settings', false);
        const windowBox = page.getByLabel('Window (epochs)');
        await windowBox.fill('0');
        // A second bad field in the same save: both are flagged at once, each beside its box.
        const relay = page.getByLabel('Upload relay');
        await relay.fill('ftp://relay.example.com');
        await page.getByRole('button', { name: 'Save changes' }).click();
        const error = page.locator('[data-field="renewal.windowEpochs"] .field-error');
        await error.waitFor();
        assert.match((await error.textContent())!, /^Must be a whole number from 1 to 53$/);
        assert.equal(await windowBox.getAttribute('aria-invalid'), 'true');
        const relayFirst = page.locator('[data-field="uploadRelayUrl"] .field-error');
        assert.match((await relayFirst.textContent())!, /http:\/\/ or https:\/\/ URL/);
        await page.getByText('Not saved: fix the 2 fields marked above.').waitFor();
        // The first one is in view, not hidden under the sticky save bar.
        const box = await error.boundingBox();
        const bar = await page.locator('.save-bar').boundingBox();
        assert.ok(box && bar && box.y + box.height <= bar.y, 'the error is above the save bar');
        await shot('settings-error', false);
        await relay.fill('');

        // Wide enough that the blobs just bought fall inside it: the next test renews them.
        await windowBox.fill('10');
        await page.getByLabel('JavaScript dependencies').check();
        await page.getByRole('button', { name: 'Save changes' }).click();
        await page.getByText('Saved').waitFor();
        const settings = await api<{
          renewal: { windowEpochs: number };
          excludes: { presets: string[] };
        }>('/api/settings');
        assert.equal(settings.renewal.windowEpochs, 10);
        assert.deepEqual(settings.excludes.presets, ['nodeModules']);
        await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
        await shot('settings-saved', false);

        const relayBox = page.getByLabel('Upload relay');
        await relayBox.fill('ftp://relay.example.com');
        await page.getByRole('button', { name: 'Save changes' }).click();
        const relayError = page.locator('[data-field="uploadRelayUrl"] .field-error');
        await relayError.waitFor();
        assert.match((await relayError.textContent())!, /http:\/\/ or https:\/\/ URL/);
        await relayBox.fill('');
        assert.equal(
          (await api<{ uploadRelayUrl: string }>('/api/settings')).uploadRelayUrl,
          '',
          'nothing was saved',
        );
      },
    );

    test(
      'the renewal timeline shows the live blobs, and "Renew now" extends those in the window',
      SLOW,
      async () => {
        await go('Storage & renewals');
        await page.locator('.expiry-chart').waitFor(SLOW);
        const before = await api<{ blobs: { endEpoch: number }[] }>('/api/renewals');
        assert.ok(before.blobs.length > 0, 'the backup left live blobs');
        const due = await page
          .locator('.expiry-chart .bar-due')
          .evaluateAll((els) =>
            els.reduce((n, el) => n + Number(el.getAttribute('data-blobs')), 0),
          );
        assert.equal(
          due,
          before.blobs.length,
          'a window of 10 epochs holds every blob bought for 5',
        );

        await page.getByRole('button', { name: 'Renew now' }).click();
        const outcome = page.locator('.renew-outcome .callout');
        await outcome.waitFor(SLOW);
        assert.match(
          (await outcome.textContent())!,
          new RegExp(`Extended ${before.blobs.length} `),
        );
        await page.locator('.log-table tr[data-action="extend"]').first().waitFor();
        const after = await api<{ blobs: { endEpoch: number }[] }>('/api/renewals');
        const bars = await page
          .locator('.expiry-chart .bar')
          .evaluateAll((els) =>
            els.map((el) => [Number(el.dataset.epoch), Number(el.dataset.blobs)]),
          );
        const byEpoch = new Map<number, number>();
        for (const b of after.blobs) byEpoch.set(b.endEpoch, (byEpoch.get(b.endEpoch) ?? 0) + 1);
        assert.deepEqual(
          new Map(bars as [number, number][]),
          byEpoch,
          'one bar per end epoch, to the blob',
        );
        assert.ok(
          Math.min(...after.blobs.map((b) => b.endEpoch)) >
            Math.max(...before.blobs.map((b) => b.endEpoch)),
          'every blob now ends later',
        );
        await shot('storage');
      },
    );

    test(
      'the snapshot list shows what the next clean-up would forget, and applies it once approved',
      SLOW,
      async () => {
        const put = await fetch(`${daemon.url}/api/settings`, {
          method: 'PUT',
          headers: { Authorization: `Bearer ${daemon.token}`, 'Content-Type': 'application/json' },
          body: JSON.stringify({ retention: { last: 1 } }),
        });
        assert.equal(put.status, 200);
        await go('Snapshots');
        const card = page.locator('.retention-card');
        await card.getByText(/The next clean-up forgets \d+ snapshots?/).waitFor(SLOW);
        const planned = await card.locator('.retention-plan li').count();
        const before = (await api<{ snapshots: { retained: boolean }[] }>('/api/snapshots'))
          .snapshots;
        assert.equal(planned, before.filter((x) => x.retained).length - 1, 'all but the newest');
        assert.match((await card.textContent())!, /has not deleted anything yet/);
        await shot('retention-plan', false);
        await card.getByRole('button', { name: 'Approve and clean up' }).click();
        await card.getByText(/Nothing to forget/).waitFor(SLOW);
        const after = (await api<{ snapshots: { retained: boolean }[] }>('/api/snapshots'))
          .snapshots;
        assert.equal(after.filter((x) => x.retained).length, 1);
      },
    );

    test('the status bar pauses and resumes every backup', SLOW, async () => {
      const state = () =>
        page.evaluate(() =>
          document.querySelector('.status-bar .state')?.getAttribute('data-state'),
        );
      await page.getByRole('button', { name: 'Pause all backups' }).click();
      await page.waitForFunction(
        () => document.querySelector('.status-bar .state')?.getAttribute('data-state') === 'paused',
        null,
        SLOW,
      );
      assert.equal((await api<{ paused: boolean }>('/api/status')).paused, true);
      await page.getByRole('button', { name: 'Resume all backups' }).click();
      await page.waitForFunction(
        () => document.querySelector('.status-bar .state')?.getAttribute('data-state') !== 'paused',
        null,
        SLOW,
      );
      assert.notEqual(await state(), 'paused');
    });

    test('the window says offline when the network is down', SLOW, async () => {
      await net.stop();
      const state = page.locator('.status-bar .state');
      await page.waitForFunction(
        () =>
          document.querySelector('.status-bar .state')?.getAttribute('data-state') === 'offline',
        null,
        SLOW,
      );
      assert.match((await state.textContent())!, /Offline/);
      await go('Storage & renewals');
      await page.getByRole('heading', { name: 'The network cannot be reached' }).waitFor(SLOW);
      await shot('offline');
    });

    test('a narrow window puts the navigation on top', async () => {
      await page.setViewportSize({ width: 420, height: 860 });
      await go('Folders');
      const nav = await page.getByRole('navigation', { name: 'Main' }).boundingBox();
      const pane = await page.locator('main').boundingBox();
      assert.ok(
        nav && pane && nav.y < pane.y && pane.x < 40,
        'navigation above, content full width',
      );
      await shot('folders-narrow');
    });

    test('a dark system theme is followed', async () => {
      await page.setViewportSize({ width: 1280, height: 860 });
      await page.emulateMedia({ colorScheme: 'dark' });
      await go('Activity');
      const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      assert.equal(background, 'rgb(12, 20, 29)');
      await shot('activity-dark');
    });

    /** The API as the page calls it, to check what the UI claims. */
    /** Until `check` holds, asked twice a second (a backup the watcher starts takes seconds). */
    async function until(check: () => Promise<boolean>): Promise<void> {
      const deadline = Date.now() + SLOW.timeout;
      while (!(await check())) {
        assert.ok(Date.now() < deadline, 'it never happened');
        await new Promise((r) => setTimeout(r, 500));
      }
    }

    async function api<T>(path: string): Promise<T> {
      const res = await fetch(`${daemon.url}${path}`, {
        headers: { Authorization: `Bearer ${daemon.token}` },
      });
      assert.equal(res.status, 200, `${path}: ${res.status}`);
      return (await res.json()) as T;
    }
  },
);
