/**
 * The local API's endpoints. Every /api request needs `Authorization: Bearer TOKEN`
 * (the event stream also takes `?token=`, as EventSource cannot set headers); bodies are
 * JSON, at most 64 KiB, and checked against the schema beside each route before anything
 * happens. Answers are JSON objects; errors are `{ error, field? }` with a 4xx/5xx status
 * (503 when the network cannot be reached). Names inside snapshots are in the text form
 * of ./names.ts (UTF-8, with %XX for other bytes and %25 for '%').
 *
 * | Method | Path                    | Body / query                                       | Answer                                              |
 * | ------ | ----------------------- | -------------------------------------------------- | --------------------------------------------------- |
 * | GET    | /api/status             |                                                    | FloeStatus (core/sync/status.ts) + `paused`         |
 * | GET    | /api/folders            |                                                    | `{ folders }`                                       |
 * | POST   | /api/folders            | `{ path }` (an existing folder; `~`, `~/x`, `x`: from home) | 201 the folder; 409 if chosen or overlapping |
 * | DELETE | /api/folders/:id        |                                                    | `{ removed }` (its snapshots stay restorable)       |
 * | POST   | /api/folders/:id/pause  |                                                    | the folder (no longer watched or backed up)         |
 * | POST   | /api/folders/:id/resume |                                                    | the folder (watched again; a backup follows)        |
 * | POST   | /api/folders/:id/confirm-deletions |                                         | the folder: its held deletions are recorded next    |
 * | POST   | /api/folders/:id/restore |                                                   | 202 the restore job: the folder into its own place  |
 * | POST   | /api/folders/:id/start-fresh |                                               | the folder (not restored): backed up as it is here  |
 * | POST   | /api/backup             |                                                    | 202 `{ requested }`; 409 while the engine is paused |
 * | POST   | /api/pause, /api/resume | | `{ paused }`: the whole engine (the tray's Pause/Resume) |
 * | GET    | /api/browse             | `?path=` (default home; `~`, `~/x`, `x` from home) | BrowseAnswer: folders here, parent, roots; 403 outside home and volumes |
 * | GET    | /api/snapshots          |                                                    | `{ snapshots }`, newest first                       |
 * | GET    | /api/snapshots/:id/tree | `?folder=ROOT&path=sub/dir` (both optional)        | `{ snapshot, folder, path, entries }`               |
 * | GET    | /api/snapshots/:id/proof |                                                   | SnapshotProof (core/sync/proof.ts): each blob's certificate, signers, storage end |
 * | GET    | /api/nodes              |                                                    | NodeHealthView (core/sync/node-health.ts): shards, stake, challenges, last check |
 * | GET    | /api/spot-checks        |                                                    | SpotCheckOverview (./proof.ts): past checks, next due, running |
 * | POST   | /api/spot-checks        | `{ snapshot?, samplePercent? }` (1–100; default the setting's) | the check's record, once it ends (one at a time: a second request gets the running one's); 409 with nothing to check |
 * | GET    | /api/search             | `?q=PATTERN&match=&folder=&under=&type=&from=&to=&limit=` | FindResult (core/sync/find.ts): paths, versions |
 * | GET    | /api/versions           | `?folder=ROOT&path=sub/file` (path '' = the folder) | PathVersions (core/sync/versions.ts); 404 if never backed up |
 * | POST   | /api/restores           | `{ snapshot, folder?, path?, target?, conflict? }` | 202 the restore job (no target: to where it was)    |
 * | GET    | /api/restores/:id       |                                                    | the job: state, progress, result or error           |
 * | GET    | /api/renewals           |                                                    | policy, storage and cost, live blobs' expiries, log |
 * | POST   | /api/renewals/run       | `{ dryRun? }`                                      | the run's report and plan; 409 while one runs       |
 * | GET    | /api/problems           |                                                    | `{ problems }`: one per condition, counted, resolved |
 * | GET    | /api/retention          |                                                    | automatic retention: approved, last/next run, plan  |
 * | POST   | /api/retention/run      | `{ approve? }`                                     | the run: forgotten/pruned, or the plan awaiting OK  |
 * | GET    | /api/settings           |                                                    | every setting (core/index/settings.ts)                |
 * | PUT    | /api/settings           | the settings to change (others stay)               | every setting                                       |
 * | POST   | /api/engine/restart     |                                                    | 202: the engine starts again under the settings (a new network) |
 * | GET    | /api/network            |                                                    | account, epoch, prices, committee                   |
 * | GET    | /api/events             | `?token=` accepted                                 | text/event-stream: progress, backup, renewal,       |
 * |        |                         |                                                    | failure, idle, folder-state, restore-progress,      |
 * |        |                         |                                                    | retention, problems, spot-check-progress,           |
 * |        |                         |                                                    | spot-check                                          |
 */
import type { Index } from '../index/index.js';
import type { RepoKeys } from '../repo/keys.js';
import type { Engine } from '../sync/engine.js';
import { collectStatus } from '../sync/status.js';
import type { WalrusClient } from '../walrus/client/client.js';
import type { FolderBrowser } from './folder-browser.js';
import type { FolderControl } from './folders.js';
import type { HistorySearch } from './history.js';
import { HttpError } from './http.js';
import { nodeHealthView, snapshotProofOf, spotCheckNow, spotCheckOverview } from './proof.js';
import { renewalOverview, type RenewalRunner } from './renewals.js';
import type { RestoreJobs } from './restore-jobs.js';
import { get, getWithQuery, withBody, type QuerySchema, type Route } from './router.js';
import { readSettings, SETTINGS_SCHEMA, updateSettings } from '../index/settings.js';
import { textPath, type SnapshotBrowser } from './snapshots.js';
import { retentionPlan, retentionStatus } from '../sync/retention-schedule.js';
import type { EventStreams } from './sse.js';
import { ValidationError, type Schema } from '../index/validate.js';
import type { ConflictChoice } from '../sync/restore.js';

export const EVENTS_PATH = '/api/events';

/** Longest path accepted; Linux's PATH_MAX is 4096 bytes. */
const MAX_PATH = 4096;

const NO_FIELDS = { type: 'object', properties: {} } as const satisfies Schema;

const ADD_FOLDER = {
  type: 'object',
  properties: { path: { type: 'string', format: 'localPath', maxLength: MAX_PATH } },
  required: ['path'],
} as const satisfies Schema;

const START_RESTORE = {
  type: 'object',
  properties: {
    snapshot: { type: 'string', minLength: 1, maxLength: 128 },
    /** Which of the snapshot's folders (its path when backed up); default its first. */
    folder: { type: 'string', format: 'absolutePath', maxLength: MAX_PATH },
    /** A file or folder inside it; default all of it. */
    path: { type: 'string', maxLength: MAX_PATH },
    /**
     * Where the folder's (or the path's) contents land (`~` and relative: from home);
     * left out, to where it was: the folder, and the path at its own place in it.
     */
    target: { type: 'string', format: 'localPath', maxLength: MAX_PATH },
    /**
     * A local entry newer than the backup's, or of another type: keep it ('skip', the
     * default), replace it, or keep both (the backup's copy restored beside it, renamed).
     */
    conflict: { type: 'string', enum: ['skip', 'replace', 'keep-both'] },
    /** The older form of `conflict: 'replace'`. */
    overwrite: { type: 'boolean' },
  },
  required: ['snapshot'],
} as const satisfies Schema;

const BROWSE = {
  type: 'object',
  properties: { path: { type: 'string', format: 'localPath', maxLength: MAX_PATH } },
} as const satisfies QuerySchema;

const SEARCH = {
  type: 'object',
  properties: {
    /** A name, a part of one, or a glob (`*`, `?`, `[…]`); `%XX` is a byte, as in paths. */
    q: { type: 'string', minLength: 1, maxLength: 1024 },
    /** 'auto' (default): a glob when `q` has a glob character, else a substring. */
    match: { type: 'string', enum: ['auto', 'substring', 'glob'] },
    /** Only this folder (its path when backed up). */
    folder: { type: 'string', format: 'absolutePath', maxLength: MAX_PATH },
    /** Only below this path inside the folder(s), text form. */
    under: { type: 'string', maxLength: MAX_PATH },
    type: { type: 'string', enum: ['file', 'dir', 'symlink'] },
    /** Backed up from / until (a day 2024-05-03, or a moment 2024-05-03T14:30[Z|±hh:mm]). */
    from: { type: 'string', maxLength: 64 },
    to: { type: 'string', maxLength: 64 },
    limit: { type: 'integer', minimum: 1, maximum: 1000 },
  },
  required: ['q'],
} as const satisfies QuerySchema;

const VERSIONS = {
  type: 'object',
  properties: {
    /** Which folder; may be left out when the snapshots hold one folder only. */
    folder: { type: 'string', format: 'absolutePath', maxLength: MAX_PATH },
    /** A file or folder inside it, text form; '' (the default) is the folder itself. */
    path: { type: 'string', maxLength: MAX_PATH },
  },
} as const satisfies QuerySchema;

const RUN_RETENTION = {
  type: 'object',
  properties: { approve: { type: 'boolean' } },
} as const satisfies Schema;

const RUN_SPOT_CHECK = {
  type: 'object',
  properties: {
    /** Only this snapshot's blobs; default every blob a retained snapshot needs. */
    snapshot: { type: 'string', minLength: 1, maxLength: 128 },
    samplePercent: { type: 'integer', minimum: 1, maximum: 100 },
  },
} as const satisfies Schema;

const RUN_RENEWALS = {
  type: 'object',
  properties: { dryRun: { type: 'boolean' } },
} as const satisfies Schema;

export interface ApiContext {
  engine: Engine;
  /** The network the engine runs on now. */
  network: string;
  restart?: () => Promise<void>;
  index: Index;
  client: WalrusClient;
  keys: RepoKeys;
  folders: FolderControl;
  browser: FolderBrowser;
  snapshots: SnapshotBrowser;
  history: HistorySearch;
  restores: RestoreJobs;
  renewals: RenewalRunner;
  streams: EventStreams;
}

export function apiRoutes(c: ApiContext): Route[] {
  return [
    get('/api/status', async () => ({
      status: 200,
      body: { ...(await collectStatus(c.index, c.client)), paused: c.engine.paused },
    })),

    get('/api/folders', () => ({ status: 200, body: { folders: c.folders.list() } })),
    withBody('POST', '/api/folders', ADD_FOLDER, async ({ body }) => ({
      status: 201,
      body: await c.folders.add(body.path),
    })),
    withBody('DELETE', '/api/folders/:id', NO_FIELDS, async ({ params }) => ({
      status: 200,
      body: { removed: await c.folders.remove(params.id!) },
    })),
    withBody('POST', '/api/folders/:id/pause', NO_FIELDS, async ({ params }) => ({
      status: 200,
      body: await c.folders.setPaused(params.id!, true),
    })),
    withBody('POST', '/api/folders/:id/resume', NO_FIELDS, async ({ params }) => ({
      status: 200,
      body: await c.folders.setPaused(params.id!, false),
    })),

    // The browser UI's folder picker (Electron uses the native dialog).
    getWithQuery('/api/browse', BROWSE, async ({ args }) => ({
      status: 200,
      body: await c.browser.list(args.path),
    })),

    withBody('POST', '/api/folders/:id/confirm-deletions', NO_FIELDS, ({ params }) => ({
      status: 200,
      body: c.folders.confirmDeletions(params.id!),
    })),
    withBody('POST', '/api/folders/:id/restore', NO_FIELDS, ({ params }) => ({
      status: 202,
      body: c.folders.restore(params.id!),
    })),
    withBody('POST', '/api/folders/:id/start-fresh', NO_FIELDS, async ({ params }) => ({
      status: 200,
      body: await c.folders.startFresh(params.id!),
    })),

    withBody('POST', '/api/backup', NO_FIELDS, () => {
      if (c.engine.paused) throw new HttpError(409, 'backups are paused; resume them first');
      c.engine.requestBackup();
      return { status: 202, body: { requested: true } };
    }),

    // The tray's Pause/Resume: every folder at once, without forgetting which were paused.
    withBody('POST', '/api/pause', NO_FIELDS, () => {
      c.engine.paused = true;
      return { status: 200, body: { paused: true } };
    }),
    withBody('POST', '/api/resume', NO_FIELDS, () => {
      c.engine.paused = false;
      c.engine.requestBackup();
      return { status: 200, body: { paused: false } };
    }),

    get('/api/snapshots', () => ({ status: 200, body: { snapshots: c.snapshots.list() } })),
    get('/api/snapshots/:id/tree', async ({ params, query }) => {
      const snapshot = c.snapshots.snapshot(params.id!);
      const dir = await c.snapshots.directory(
        snapshot,
        query.get('folder') ?? undefined,
        query.get('path') ?? '',
      );
      return { status: 200, body: { snapshot: snapshot.id, ...dir } };
    }),

    // Who certified each of its blobs, on chain, and until when they are stored.
    get('/api/snapshots/:id/proof', async ({ params }) => ({
      status: 200,
      body: await snapshotProofOf(c, params.id!),
    })),
    get('/api/spot-checks', () => ({ status: 200, body: spotCheckOverview(c) })),
    get('/api/nodes', async () => ({ status: 200, body: await nodeHealthView(c) })),
    withBody('POST', '/api/spot-checks', RUN_SPOT_CHECK, async ({ body }) => ({
      status: 200,
      body: await spotCheckNow(c, body),
    })),

    // Every snapshot at once, from the search index: one result per path, grouped.
    getWithQuery('/api/search', SEARCH, async ({ args }) => ({
      status: 200,
      body: await c.history.find(args),
    })),
    // One path's versions, which snapshots hold each, and when it changed (a folder's history).
    getWithQuery('/api/versions', VERSIONS, async ({ args }) => ({
      status: 200,
      body: await c.history.versions(args.folder, args.path ?? ''),
    })),

    withBody('POST', '/api/restores', START_RESTORE, async ({ body }) => {
      const snapshot = c.snapshots.snapshot(body.snapshot);
      // Resolved now, so a path that is not there is refused before any job starts.
      const { root, names } = await c.snapshots.resolve(snapshot, body.folder, body.path ?? '');
      const job = c.restores.start({
        snapshot,
        folder: root.path,
        path: textPath(names),
        // The names themselves, bytes and all: no text form in between to lose a byte.
        subPath: names,
        target: body.target === undefined ? null : c.folders.localPath('target', body.target),
        conflict: conflictChoice(body.conflict, body.overwrite),
      });
      return { status: 202, body: job };
    }),
    get('/api/restores/:id', ({ params }) => {
      const job = c.restores.get(params.id!);
      if (!job) throw new HttpError(404, `no restore ${params.id}`);
      return { status: 200, body: job };
    }),

    get('/api/renewals', async () => ({
      status: 200,
      body: await renewalOverview(c.index, c.client),
    })),
    withBody('POST', '/api/renewals/run', RUN_RENEWALS, async ({ body }) => ({
      status: 200,
      body: await c.renewals.run(body.dryRun ?? false),
    })),

    get('/api/problems', () => ({ status: 200, body: { problems: c.engine.problems.list() } })),

    // Automatic retention: its status and what the next run would forget, and a run now
    // (`approve`: the user's consent to delete, needed once).
    get('/api/retention', async () => {
      const settings = readSettings(c.index);
      return {
        status: 200,
        body: {
          ...retentionStatus(c.index, settings),
          plan: await retentionPlan(c, settings),
        },
      };
    }),
    withBody('POST', '/api/retention/run', RUN_RETENTION, async ({ body }) => ({
      status: 200,
      body: await c.engine.retentionNow({ approve: body.approve ?? false }),
    })),

    get('/api/settings', () => ({ status: 200, body: readSettings(c.index) })),
    withBody('PUT', '/api/settings', SETTINGS_SCHEMA, async ({ body }) => {
      const settings = updateSettings(c.index, body);
      // New excludes, wait limits or deletion guard apply now, not at the next start.
      await c.engine.settingsChanged(settings);
      return { status: 200, body: settings };
    }),

    withBody('POST', '/api/engine/restart', NO_FIELDS, () => {
      const restart = c.restart;
      if (!restart)
        throw new HttpError(409, 'this engine is not run by a daemon that can restart it');
      // Answered first: the restart closes this API's engine routes and event streams.
      setImmediate(() => void restart());
      return { status: 202, body: { restarting: true } };
    }),

    get('/api/network', async () => ({ status: 200, body: await networkView(c) })),

    get(EVENTS_PATH, ({ res }) => {
      c.streams.open(res);
      return null;
    }),
  ];
}

/** `conflict`, or the older `overwrite: true` (replace); saying both differently is refused. */
function conflictChoice(
  conflict: ConflictChoice | undefined,
  overwrite: boolean | undefined,
): ConflictChoice {
  if (overwrite && conflict !== undefined && conflict !== 'replace')
    throw new ValidationError('overwrite', `contradicts conflict "${conflict}": give one of them`);
  return conflict ?? (overwrite ? 'replace' : 'skip');
}

/** GET /api/network: which network the engine runs on, the account, the epoch and prices. */
export type NetworkView = Awaited<ReturnType<typeof networkView>>;

async function networkView(c: ApiContext) {
  const state = await c.client.chain.systemState();
  return {
    /** The network chosen in settings, and the one the engine runs on (until a restart). */
    configured: readSettings(c.index).network,
    running: c.network,
    restartable: c.restart !== undefined,
    address: c.client.chain.address,
    epoch: state.epoch,
    epochStartedAt: state.epochStartedAt,
    epochDurationMs: state.epochDurationMs,
    nShards: state.nShards,
    maxEpochsAhead: state.maxEpochsAhead,
    storagePricePerUnit: state.storagePricePerUnit,
    writePricePerUnit: state.writePricePerUnit,
    committee: state.committee.map((m) => ({
      name: m.name,
      nodeId: m.nodeId,
      url: m.url,
      stake: m.stake,
      shards: m.shards.length,
    })),
  };
}
