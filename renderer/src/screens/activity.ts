/**
 * What Floe is doing and has done: the backup running now (live, from `progress`
 * events), what went wrong and on which path, restores started here, and recent backups
 * — those this window saw finish, with what they uploaded, then the older ones from the
 * snapshot list.
 */
import { h, keepingFocus } from '../dom.js';
import {
  baseName,
  formatBytes,
  formatCount,
  formatDateTime,
  relativeTime,
  shortId,
} from '../format.js';
import { icon } from '../icons.js';
import { empty, failed, loading } from '../placeholders.js';
import { progressView } from '../progress-view.js';
import { restoreList } from '../restore-list.js';
import type { BackupEvent, Problem, SnapshotSummary } from '../wire.js';
import type { Screen } from './screen.js';

const RECENT = 10;

/** The backup's phases (core/sync/backup.ts) in words. */
const PHASES: Record<string, string> = {
  scanning: 'Looking for changes…',
  reading: 'Reading and encrypting changed files…',
  uploading: 'Sending the last pack to the storage nodes…',
  certifying: 'Waiting for the storage nodes to certify it…',
  'saving-snapshot': 'Saving the snapshot…',
};

export const activityScreen: Screen = (pane, { api, live, restores }) => {
  let snapshots: SnapshotSummary[] | null = null;
  let snapshotsError: unknown = null;

  // Not a live region: progress redraws it several times a second (the status bar announces).
  const now = h('section', {
    class: 'card now',
    'aria-labelledby': 'now-title',
  });
  const problems = h('section', { class: 'card', 'aria-labelledby': 'problems-title' });
  const recent = h('section', { class: 'card', 'aria-labelledby': 'recent-title' });
  const restoreSection = restoreList(restores);

  const drawNow = () => {
    const p = live.progress;
    keepingFocus(now, () =>
      now.replaceChildren(
        h('h2', { id: 'now-title' }, 'Now'),
        p
          ? h(
              'div',
              null,
              h(
                'p',
                { class: 'now-phase' },
                h('span', { class: 'spinner', 'aria-hidden': 'true' }),
                PHASES[p.phase] ?? p.phase,
              ),
              progressView(p, 'Backup progress'),
            )
          : h(
              'div',
              { class: 'now-idle' },
              icon('check'),
              h(
                'p',
                null,
                'No backup is running. ',
                snapshots?.[0]
                  ? `The last one finished ${relativeTime(Date.parse(snapshots[0].time))}.`
                  : '',
              ),
            ),
      ),
    );
  };

  /** The server's list (it survives reloads and restarts): one entry per condition. */
  let problemList: Problem[] | null = null;
  const drawProblems = () => {
    const open = (problemList ?? []).filter((p) => p.resolvedAt === null);
    const resolved = (problemList ?? []).filter((p) => p.resolvedAt !== null);
    problems.replaceChildren(
      h(
        'h2',
        { id: 'problems-title' },
        'Problems',
        open.length ? h('span', { class: 'count count-danger' }, open.length) : null,
      ),
      problemList === null
        ? loading('Loading problems…')
        : problemList.length
          ? h('ul', { class: 'problems' }, [...open, ...resolved].map(problemRow))
          : h('p', { class: 'quiet' }, 'Nothing has gone wrong lately.'),
    );
  };
  const loadProblems = async () => {
    try {
      problemList = (await api.problems()).problems;
    } catch {
      // The list stays as it was; the status bar says when Floe cannot be reached.
    }
    drawProblems();
  };

  const drawRecent = () => {
    const seen = new Set(live.backups.map((b) => b.snapshot.id));
    const older = (snapshots ?? []).filter((s) => !seen.has(s.id));
    const rows = [...live.backups.map(liveBackupRow), ...older.map(snapshotRow)].slice(0, RECENT);
    recent.replaceChildren(
      h('h2', { id: 'recent-title' }, 'Recent backups'),
      rows.length
        ? h('ul', { class: 'rows' }, rows)
        : snapshotsError
          ? failed('Past backups could not be loaded', snapshotsError, () => void load())
          : snapshots
            ? empty(
                'snapshots',
                'No backups yet',
                'They appear here as soon as the first one finishes.',
              )
            : loading('Loading past backups…'),
    );
  };

  const load = async () => {
    snapshotsError = null;
    drawRecent();
    try {
      snapshots = (await api.snapshots()).snapshots;
    } catch (error) {
      snapshotsError = error;
    }
    drawRecent();
    drawNow();
  };

  pane.append(
    h(
      'div',
      { class: 'screen-head' },
      h('h1', { tabindex: -1 }, 'Activity'),
      h('p', { class: 'lead' }, 'Backups as they happen, and anything that needs your attention.'),
    ),
    now,
    problems,
    restoreSection.element,
    recent,
  );
  drawNow();
  drawProblems();
  void load();
  void loadProblems();
  const unsubscribe = [
    live.on('progress', drawNow),
    live.on('idle', drawNow),
    live.on('backup', () => {
      drawNow();
      void load();
    }),
    live.on('failure', drawNow),
    live.on('problems', ({ problems: latest }) => {
      problemList = latest;
      drawProblems();
    }),
    restoreSection.stop,
  ];
  return () => {
    for (const u of unsubscribe) u();
  };
};

const KINDS: Record<Problem['kind'], string> = {
  backup: 'Backing up',
  network: 'Reaching the network',
  renewal: 'Renewing storage',
  retention: 'Cleaning up old snapshots',
  file: 'Reading a file',
  watch: 'Watching for changes',
  'spot-check': 'Checking the storage nodes',
};

function problemRow(p: Problem): HTMLElement {
  const times =
    p.count > 1
      ? `${formatCount(p.count)} times, last ${relativeTime(p.lastAt)}`
      : relativeTime(p.lastAt);
  return h(
    'li',
    { class: p.resolvedAt === null ? 'problem' : 'problem problem-resolved', 'data-key': p.key },
    icon(p.resolvedAt === null ? 'alert' : 'check'),
    h(
      'div',
      null,
      h('p', { class: 'problem-message' }, p.message),
      p.folder ? h('p', { class: 'problem-path' }, h('code', null, p.folder)) : null,
      h(
        'p',
        { class: 'problem-when' },
        `${KINDS[p.kind]} · ${times}${p.resolvedAt === null ? '' : ` · resolved ${relativeTime(p.resolvedAt)}`}`,
      ),
    ),
  );
}

function liveBackupRow(b: BackupEvent): HTMLElement {
  return backupRow(
    b.snapshot.id,
    b.snapshot.time,
    b.snapshot.folders,
    `${formatCount(b.files)} ${b.files === 1 ? 'file' : 'files'} changed · ${formatBytes(b.newBytes)} uploaded · ${formatBytes(b.dedupedBytes)} already stored · ${formatCount(b.packs)} ${b.packs === 1 ? 'pack' : 'packs'}`,
    b.issues.length ? `${formatCount(b.issues.length)} could not be read` : null,
  );
}

function snapshotRow(s: SnapshotSummary): HTMLElement {
  return backupRow(
    s.id,
    s.time,
    s.folders,
    `${formatCount(s.stats.files)} ${s.stats.files === 1 ? 'file' : 'files'} changed · ${formatBytes(s.stats.bytes)} uploaded`,
    null,
  );
}

function backupRow(
  id: string,
  time: string,
  folders: string[],
  summary: string,
  warning: string | null,
): HTMLElement {
  return h(
    'li',
    { class: 'row', 'data-snapshot': id },
    h('div', { class: 'row-icon' }, icon(warning ? 'alert' : 'check')),
    h(
      'div',
      { class: 'row-main' },
      h(
        'div',
        { class: 'row-title' },
        h(
          'a',
          { href: `/snapshots/${encodeURIComponent(id)}` },
          folders.map(baseName).join(', ') || 'Snapshot',
        ),
        h('time', { datetime: time, title: formatDateTime(time) }, relativeTime(Date.parse(time))),
      ),
      h(
        'p',
        { class: 'row-detail' },
        summary,
        warning ? h('span', { class: 'row-error' }, ` · ${warning}`) : null,
      ),
      h('p', { class: 'row-path' }, `Snapshot ${shortId(id)}`),
    ),
  );
}
