/**
 * The API client: one method per endpoint of core/api/routes.ts and core/api/account.ts,
 * each request carrying the run's bearer token. Failures become `ApiError` with the
 * server's own message (and the offending field for a 400), which the screens show as is:
 * the server's messages are written to be read by the user.
 */
import type {
  AccountState,
  AdoptedAccount,
  BrowseAnswer,
  FindResult,
  FolderRow,
  NetworkView,
  NodeHealthView,
  NewAccount,
  PathVersions,
  Problem,
  RenewalOverview,
  RenewalRun,
  RestoreJob,
  RestoreRequest,
  RetentionRun,
  RetentionView,
  SearchQuery,
  Settings,
  SnapshotProof,
  SnapshotSummary,
  SnapshotTree,
  SpotCheckOverview,
  SpotCheckRecord,
  Status,
} from './wire.js';

export class ApiError extends Error {
  constructor(
    /** The HTTP status; 0 when Floe did not answer at all. */
    readonly status: number,
    message: string,
    /** For a 400: the field that was refused, e.g. `renewal.windowEpochs`. */
    readonly field: string | null = null,
    /** For a 400: every field refused, each with what is wrong ("must be …"). */
    readonly problems: { field: string; problem: string }[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** Floe itself is gone (stopped, crashed), as opposed to refusing something. */
  get unreachable(): boolean {
    return this.status === 0;
  }
}

export class Api {
  constructor(private readonly token: string) {}

  /** The URL of the event stream: EventSource cannot send headers, so the token rides along. */
  eventsUrl(): string {
    return `/api/events?token=${encodeURIComponent(this.token)}`;
  }

  account = () => this.request<AccountState>('GET', '/api/account');
  createAccount = (network: string) =>
    this.request<NewAccount>('POST', '/api/account/create', { network });
  confirmAccount = (phrase: string) =>
    this.request<AdoptedAccount>('POST', '/api/account/confirm', { phrase });
  restoreAccount = (phrase: string, network: string, startNew = false) =>
    this.request<AdoptedAccount>('POST', '/api/account/restore', {
      phrase,
      network,
      ...(startNew ? { startNew } : {}),
    });

  status = () => this.request<Status>('GET', '/api/status');
  backupNow = () => this.request<{ requested: boolean }>('POST', '/api/backup');
  /** Every folder at once, as the tray's Pause/Resume. */
  setPaused = (paused: boolean) =>
    this.request<{ paused: boolean }>('POST', paused ? '/api/pause' : '/api/resume', {});

  folders = () => this.request<{ folders: FolderRow[] }>('GET', '/api/folders');
  addFolder = (path: string) => this.request<FolderRow>('POST', '/api/folders', { path });
  removeFolder = (id: number) =>
    this.request<{ removed: FolderRow }>('DELETE', `/api/folders/${id}`);
  setFolderPaused = (id: number, paused: boolean) =>
    this.request<FolderRow>('POST', `/api/folders/${id}/${paused ? 'pause' : 'resume'}`);
  confirmDeletions = (id: number) =>
    this.request<FolderRow>('POST', `/api/folders/${id}/confirm-deletions`, {});
  restoreFolder = (id: number) =>
    this.request<RestoreJob>('POST', `/api/folders/${id}/restore`, {});
  startFresh = (id: number) =>
    this.request<FolderRow>('POST', `/api/folders/${id}/start-fresh`, {});

  snapshots = () => this.request<{ snapshots: SnapshotSummary[] }>('GET', '/api/snapshots');
  tree = (snapshot: string, folder: string | null, path: string) => {
    const query = new URLSearchParams();
    if (folder !== null) query.set('folder', folder);
    if (path) query.set('path', path);
    return this.request<SnapshotTree>(
      'GET',
      `/api/snapshots/${encodeURIComponent(snapshot)}/tree?${query}`,
    );
  };

  proof = (snapshot: string) =>
    this.request<SnapshotProof>('GET', `/api/snapshots/${encodeURIComponent(snapshot)}/proof`);
  spotChecks = () => this.request<SpotCheckOverview>('GET', '/api/spot-checks');
  /** A spot-check now, of one snapshot's data (or all of it); answers when it ends. */
  checkNow = (snapshot?: string) =>
    this.request<SpotCheckRecord>('POST', '/api/spot-checks', snapshot ? { snapshot } : {});

  nodes = () => this.request<NodeHealthView>('GET', '/api/nodes');

  startRestore = (r: RestoreRequest) => this.request<RestoreJob>('POST', '/api/restores', r);
  restore = (id: string) =>
    this.request<RestoreJob>('GET', `/api/restores/${encodeURIComponent(id)}`);

  renewals = () => this.request<RenewalOverview>('GET', '/api/renewals');
  renewNow = () => this.request<RenewalRun>('POST', '/api/renewals/run', {});

  search = (q: SearchQuery) => {
    const query = new URLSearchParams();
    for (const [k, v] of Object.entries(q))
      if (v !== undefined && v !== '') query.set(k, String(v));
    return this.request<FindResult>('GET', `/api/search?${query}`);
  };
  versions = (folder: string, path: string) =>
    this.request<PathVersions>('GET', `/api/versions?${new URLSearchParams({ folder, path })}`);
  /** The folders under `path` (default: home), for choosing one without a native picker. */
  browse = (path?: string) =>
    this.request<BrowseAnswer>(
      'GET',
      `/api/browse${path ? `?${new URLSearchParams({ path })}` : ''}`,
    );

  problems = () => this.request<{ problems: Problem[] }>('GET', '/api/problems');
  retention = () => this.request<RetentionView>('GET', '/api/retention');
  runRetention = (approve: boolean) =>
    this.request<RetentionRun>('POST', '/api/retention/run', { approve });

  network = () => this.request<NetworkView>('GET', '/api/network');
  restartEngine = () => this.request<{ restarting: boolean }>('POST', '/api/engine/restart', {});

  settings = () => this.request<Settings>('GET', '/api/settings');
  updateSettings = (changes: Partial<Settings>) =>
    this.request<Settings>('PUT', '/api/settings', changes);

  private async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    let res: Response;
    try {
      res = await fetch(path, {
        method,
        headers: {
          Authorization: `Bearer ${this.token}`,
          ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        cache: 'no-store',
      });
    } catch {
      throw new ApiError(0, 'Floe is not answering. Is it still running?');
    }
    const answer = (await res.json().catch(() => null)) as
      | (T & { error?: undefined })
      | { error: string; field?: string; problems?: { field: string; problem: string }[] }
      | null;
    if (!res.ok)
      throw new ApiError(
        res.status,
        answer?.error ?? `Floe answered ${res.status} ${res.statusText}`,
        (answer && 'field' in answer && answer.field) || null,
        (answer && 'problems' in answer && answer.problems) || [],
      );
    return answer as T;
  }
}
