/**
 * The Proof panel in Chromium, on the page a real daemon serves over a localnet of its
 * own: a snapshot's proof in plain words and its blobs with what the chain records, then
 * "Check now" — once with every node answering, once with a node stopped — and what the
 * panel says each time. Screenshots go to test-artifacts/screenshots/ (renderer/screenshots/
 * holds a copy for the README).
 */
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startDaemon, type Daemon } from '../../core/api/daemon.js';
import { Localnet } from '../../core/localnet/network.js';
import { buildUi } from '../../renderer/build.js';
import { setEnv } from '../support/env.js';

const CHROMIUM = '/usr/bin/chromium';
const SHOTS = join('test-artifacts', 'screenshots');
const SLOW = { timeout: 60_000 };

describe(
  'the Proof panel',
  { skip: !existsSync(CHROMIUM) && `${CHROMIUM} is not installed` },
  () => {
    let dir: string;
    let daemon: Daemon;
    let net: Localnet;
    let browser: Browser;
    let page: Page;
    let snapshot: string;
    const pageErrors: string[] = [];
    let restoreEnv = () => {};
    const api = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${daemon.url}${path}`, {
        method,
        headers: {
          Authorization: `Bearer ${daemon.token}`,
          ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const json = await res.json();
      assert.ok(res.ok, `${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
      return json;
    };
    const panel = () => page.locator('.proof-panel');

    before(async () => {
      dir = await mkdtemp(join(tmpdir(), 'floe-ui-proof-'));
      restoreEnv = setEnv({
        FLOE_KEY_PASSPHRASE: 'test',
        DBUS_SESSION_BUS_ADDRESS: `unix:path=${join(dir, 'no-bus')}`,
      });
      const docs = join(dir, 'Documents');
      await mkdir(docs, { recursive: true });
      await writeFile(join(docs, 'photo.jpg'), randomBytes(600_000));
      await writeFile(join(docs, 'report.txt'), 'quarterly numbers\n');
      await mkdir(SHOTS, { recursive: true });
      net = await Localnet.start({ dir: join(dir, 'network'), nodes: 4, nShards: 10 });
      daemon = await startDaemon({
        dataDir: join(dir, 'data'),
        staticDir: await buildUi(join(dir, 'ui')),
        localnetUrl: net.url,
        keyPassphrase: 'test',
        engine: { debounceMs: 300 },
      });
      // The account as onboarding makes it (app.test.ts drives those screens).
      const { phrase } = await api('POST', '/api/account/create', { network: 'localnet' });
      await api('POST', '/api/account/confirm', { phrase });
      await daemon.ready();
      await api('POST', '/api/folders', { path: docs });
      for (let i = 0; ; i++) {
        const { snapshots } = await api('GET', '/api/snapshots');
        if (snapshots.length) {
          snapshot = snapshots[0].id;
          break;
        }
        assert.ok(i < 600, 'a snapshot within a minute');
        await sleep(100);
      }
      browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
      page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
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

    test(
      "the snapshot's proof says, in plain words, who stores it and until when",
      SLOW,
      async () => {
        await page.goto(`${daemon.url}/snapshots/${snapshot}#token=${daemon.token}`);
        await panel().getByRole('heading', { name: 'Proof' }).waitFor(SLOW);
        const headline = panel().locator('.proof-headline');
        await headline.waitFor(SLOW);
        assert.match(
          (await headline.textContent())!,
          /^Stored with 4 storage nodes of the local test network \(all on this computer\); any 2 of them are enough to rebuild it\. Guaranteed until \d{1,2} \w+ \d{4}( at \d\d:\d\d)?, renewed automatically\.$/,
        );
        assert.match(
          (await panel().locator('.callout-success').textContent())!,
          /All \d+ blobs that hold it are certified: storage nodes holding at least 7 of the 10 shards signed/,
        );
        assert.match((await panel().locator('.proof-last').textContent())!, /^Not checked yet/);

        // Each blob against the chain's own record of it.
        const proof = await api('GET', `/api/snapshots/${snapshot}/proof`);
        await panel()
          .getByText(/Each of the \d+ blobs/)
          .click();
        const rows = panel().locator('.blob-proof-table tbody tr');
        assert.equal(await rows.count(), proof.blobs.length);
        for (const b of proof.blobs) {
          const row = panel().locator(`tr[data-blob="${b.blobId}"]`);
          const cells = await row.locator('td').allTextContents();
          assert.match(cells[1]!, new RegExp(`^epoch ${b.certifiedEpoch}$`));
          assert.match(cells[2]!, /^node-\d(, node-\d)+\d+ of 10 shards \(7 needed\)$/);
          assert.match(cells[3]!, new RegExp(`epoch ${b.endEpoch}, renewed automatically$`));
          assert.equal(cells[4], 'Checked');
        }
      },
    );

    test('Check now asks every node, and says which did not answer', SLOW, async () => {
      await panel().getByRole('button', { name: 'Check now' }).click();
      const last = panel().locator('.proof-last');
      await page.waitForFunction(
        () => document.querySelector('.proof-last')?.textContent?.startsWith('Last checked'),
        null,
        SLOW,
      );
      assert.match(
        (await last.textContent())!,
        /^Last checked just now: all 4 storage nodes answered with the right data\.$/,
      );
      assert.deepEqual(await panel().locator('.node-table tbody .badge').allTextContents(), [
        'Answered',
        'Answered',
        'Answered',
        'Answered',
      ]);
      await panel().getByRole('button', { name: 'Check now' }).waitFor();
      // A full-page capture draws the sticky status bar where the scroll left it: from the top.
      await page.evaluate(() => window.scrollTo(0, 0));
      await page.screenshot({ path: join(SHOTS, 'snapshot-proof.png'), fullPage: true });
      assert.match(
        (await panel().locator('.proof-margin').textContent())!,
        /^Margin: it can lose 2 more nodes \(/,
      );

      await net.stopNode(1);
      await panel().getByRole('button', { name: 'Check now' }).click();
      await page.waitForFunction(
        () => document.querySelector('.proof-last')?.textContent?.includes('3 of 4'),
        null,
        SLOW,
      );
      assert.match(
        (await last.textContent())!,
        /3 of 4 storage nodes answered with the right data/,
      );
      await panel().getByText('Checks so far (2)').click();
      const checks = await panel().locator('.check-history li').allTextContents();
      assert.equal(checks.length, 2);
      assert.match(
        checks[0]!,
        /\(on request, 1 %\): 3 of 4 storage nodes answered with the right data; margin 1 node$/,
      );
      assert.match(checks[1]!, /all 4 storage nodes answered with the right data; margin 2 nodes$/);
      const down = panel().locator('tr[data-node="node-1"]');
      assert.equal(await down.locator('.badge').textContent(), 'Did not answer');
      assert.match(
        (await panel().locator('.proof-margin').textContent())!,
        /^Margin: it can lose 1 more node/,
      );
      // Closer to loss than the setting's margin (2): the status bar says so at once.
      await page.waitForFunction(
        () =>
          document.querySelector('.status-bar .state')?.getAttribute('data-state') === 'attention',
        null,
        SLOW,
      );
      assert.match(
        (await page.locator('.status-bar').textContent())!,
        /Data at risk: the last check found only 1 more storage node could fail/,
      );
      await page.evaluate(() => window.scrollTo(0, 0));
      await page.screenshot({ path: join(SHOTS, 'snapshot-proof-node-down.png'), fullPage: true });
      await net.restartNode(1);
    });

    test(
      "the Storage screen lists each node's shards, stake, challenges and last answer",
      SLOW,
      async () => {
        // An epoch change challenges every node holding shards (the localnet's ledger).
        net.ledger.advanceEpoch();
        await page
          .getByRole('navigation', { name: 'Main' })
          .getByRole('link', { name: 'Storage' })
          .click();
        const card = page.locator('.node-health');
        await card.locator('tbody tr').first().waitFor(SLOW);
        for (let i = 0; ; i++) {
          const { nodes } = await api('GET', '/api/nodes');
          if (nodes.every((n: { challenges: { passed: number } }) => n.challenges.passed >= 1))
            break;
          assert.ok(i < 300, 'every node answered its challenge');
          await sleep(100);
        }
        await page.reload();
        await page.waitForFunction(
          () => {
            // Every row, once the card has them all (no rows at all is not "every row").
            const rows = [...document.querySelectorAll('.node-health tbody tr')];
            return (
              rows.length === 4 && rows.every((tr) => /[1-9]\d* passed/.test(tr.textContent ?? ''))
            );
          },
          null,
          SLOW,
        );
        assert.equal(await card.locator('tbody tr').count(), 4);
        const row = (name: string) => card.locator(`tr[data-node="${name}"] td`).allTextContents();
        const down = await row('node-1');
        assert.match(down[4]!, /^Did not answer/);
        const up = await row('node-0');
        assert.match(up[4]!, /^Answered.*1 of 1 pieces right$/);
        assert.match(up[5]!, /ago|just now/);
        await card.scrollIntoViewIfNeeded();
        await card.screenshot({ path: join(SHOTS, 'storage-nodes.png') });

        // The node is back, but the last check still says otherwise until the next one,
        // which finds every node: then the warning goes.
        assert.equal(
          await page.locator('.status-bar .state').getAttribute('data-state'),
          'attention',
        );
        await api('POST', '/api/spot-checks', { samplePercent: 1 });
        await page.waitForFunction(
          () =>
            document.querySelector('.status-bar .state')?.getAttribute('data-state') === 'synced',
          null,
          SLOW,
        );
      },
    );
  },
);
