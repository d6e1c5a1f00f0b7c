/**
 * The local API server (DESIGN §3, §8): HTTP + server-sent events on loopback, over the
 * running engine, for the desktop UI and for scripts. Each request passes, in order:
 * Host and Origin checks (every path) → static files for non-/api paths → the bearer
 * token → the route (404/405) → the body (413/415/400) → the handler. Errors answer with
 * their status and message, never a stack trace.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Index } from '../index/index.js';
import type { RepoKeys } from '../repo/keys.js';
import type { Engine } from '../sync/engine.js';
import type { WalrusClient } from '../walrus/client/client.js';
import { isNetworkUnavailable } from '../walrus/client/unavailable.js';
import type { Onboarding } from './account.js';
import { EventFeed } from './events.js';
import { FolderBrowser } from './folder-browser.js';
import { FolderControl } from './folders.js';
import { HistorySearch } from './history.js';
import { HttpError, readJsonBody, sendJson } from './http.js';
import { RenewalRunner } from './renewals.js';
import { RestoreJobs, type RestoreJob } from './restore-jobs.js';
import { apiRoutes, EVENTS_PATH } from './routes.js';
import { Router } from '../http/router.js';
import { queryArgs, type Route } from './router.js';
import { LOOPBACK_HOSTS, newToken, RequestGuard, type LoopbackHost } from './security.js';
import { SnapshotBrowser } from './snapshots.js';
import { EventStreams } from './sse.js';
import { StaticFiles } from './static-files.js';
import { validate, ValidationError } from '../index/validate.js';

/** The running engine and what it works with: everything but onboarding needs these. */
export interface EngineParts {
  engine: Engine;
  index: Index;
  client: WalrusClient;
  keys: RepoKeys;
  /** The data directory (never itself a folder to back up). */
  dataDir: string;
  /** The network the engine is connected to (the setting may name another until a restart). */
  network: string;
  /** Starts the engine again under the current settings (the daemon's; absent: not offered). */
  restart?: () => Promise<void>;
}

export interface ListenOptions {
  /** A loopback address (default 127.0.0.1): the API is never put on a network. */
  host?: LoopbackHost;
  /** Default 0: a free port, so two users or two runs never collide. */
  port?: number;
  /** Default: a new random token (pass one in when something else must know it first). */
  token?: string;
  /** The UI's files, served for every path outside /api. */
  staticDir?: string;
  /** First-run account routes (/api/account…); without them the engine must be given at once. */
  onboarding?: Onboarding;
}

export type ApiServerOptions = ListenOptions & EngineParts;

/** Shorter than 32 bytes of base64url is guessable enough to matter. */
const MIN_TOKEN_LENGTH = 43;

export class ApiServer {
  /** Set once an account exists and its engine runs; until then only onboarding answers. */
  private attached: {
    router: Router<Route>;
    parts: {
      engine: Engine;
      streams: EventStreams;
      feed: EventFeed;
      restores: RestoreJobs;
      snapshots: SnapshotBrowser;
    };
    detach: () => void;
  } | null = null;

  private constructor(
    private readonly server: Server,
    private readonly guard: RequestGuard,
    private readonly setup: Router<Route> | null,
    private readonly staticFiles: StaticFiles | null,
    /** Where the API and the UI are, e.g. http://127.0.0.1:41234 (no trailing slash). */
    readonly url: string,
    readonly token: string,
  ) {
    server.on('request', (req: IncomingMessage, res: ServerResponse) => void this.handle(req, res));
  }

  /** An API over a running engine. */
  static async start(o: ApiServerOptions): Promise<ApiServer> {
    const api = await ApiServer.listen(o);
    api.attach(o);
    return api;
  }

  /** Listens and serves the UI and onboarding; `attach` brings in the engine later. */
  static async listen(o: ListenOptions): Promise<ApiServer> {
    const host = o.host ?? '127.0.0.1';
    if (!LOOPBACK_HOSTS.includes(host))
      throw new Error(
        `the API listens on loopback only (${LOOPBACK_HOSTS.join(', ')}), not ${host}`,
      );
    const token = o.token ?? newToken();
    if (token.length < MIN_TOKEN_LENGTH)
      throw new Error(`an API token needs at least ${MIN_TOKEN_LENGTH} characters`);
    const staticFiles = o.staticDir ? await StaticFiles.open(o.staticDir) : null;
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(o.port ?? 0, host, () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    return new ApiServer(
      server,
      new RequestGuard(host, port, token),
      o.onboarding ? new Router(o.onboarding.routes()) : null,
      staticFiles,
      `http://${host === '::1' ? '[::1]' : host}:${port}`,
      token,
    );
  }

  /** Serves the whole API over this engine from now on. */
  attach(e: EngineParts): void {
    if (this.attached) throw new Error('the API already serves an engine');
    const { engine, index, client, keys, dataDir, network, restart } = e;
    const streams = new EventStreams();
    const snapshots = new SnapshotBrowser(index, client, keys);
    const history = new HistorySearch(index, snapshots);
    const restores = new RestoreJobs(client, keys, () => snapshots.repo());
    const feed = new EventFeed(engine, restores, streams);
    const folders = new FolderControl(engine.folders, engine, dataDir, restores, snapshots);
    const onRestore = (job: RestoreJob) => folders.restoreFinished(job);
    restores.on('update', onRestore);
    const renewals = new RenewalRunner(engine);
    const router = new Router(
      apiRoutes({
        engine,
        index,
        client,
        keys,
        folders,
        browser: new FolderBrowser(),
        snapshots,
        history,
        restores,
        renewals,
        streams,
        network,
        ...(restart ? { restart } : {}),
      }),
    );
    // New blobs after a backup, fewer after a renewal run: the tree reader must look again.
    const invalidate = () => snapshots.invalidate();
    engine.on('backup', invalidate).on('renewal', invalidate);
    this.attached = {
      router,
      parts: { engine, streams, feed, restores, snapshots },
      detach: () => {
        engine.off('backup', invalidate).off('renewal', invalidate);
        restores.off('update', onRestore);
      },
    };
  }

  /** Why the engine is not there (it is starting again, or could not): what requests hear. */
  private engineProblem: string | null = null;

  /** While detached: answer 503 with this instead of "no account yet" (null: clear it). */
  engineUnavailable(reason: string | null): void {
    this.engineProblem = reason;
  }

  /**
   * Stops serving the engine (the daemon restarts it): event streams end (the window
   * reconnects), running restores finish, and until `attach` again the API answers as
   * before an account existed.
   */
  async detach(): Promise<void> {
    const a = this.attached;
    if (!a) return;
    this.attached = null;
    a.detach();
    a.parts.feed.close();
    a.parts.streams.close();
    await a.parts.restores.settled();
  }

  /**
   * Stops listening, ends the event streams and waits for running restores to finish
   * (so nothing writes after close). The engine keeps running: it is the caller's.
   */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeIdleConnections();
    await this.detach();
    await closed;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      this.guard.checkSource(req);
      // No CORS, ever: a preflight is answered as what it is, a method this API lacks.
      if (req.method === 'OPTIONS')
        throw new HttpError(405, 'OPTIONS is not allowed: this API serves no other origin', {
          Allow: 'GET, POST, PUT, DELETE',
        });
      const target = req.url ?? '';
      // The raw path, not a URL parser's: it would quietly resolve '..' away.
      if (!target.startsWith('/')) throw new HttpError(400, 'the request target must be a path');
      const q = target.indexOf('?');
      const path = q < 0 ? target : target.slice(0, q);
      const query = new URLSearchParams(q < 0 ? '' : target.slice(q + 1));
      if (path === '/api' || path.startsWith('/api/')) await this.api(req, res, path, query);
      else if (this.staticFiles) await this.staticFiles.serve(req, res, path);
      else throw new HttpError(404, 'not found');
    } catch (error) {
      this.fail(res, error);
    }
  }

  private async api(
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    query: URLSearchParams,
  ): Promise<void> {
    // Before routing: without the token, not even which paths exist is revealed.
    this.guard.checkToken(req, query, path === EVENTS_PATH);
    const { route, params } = this.route(req.method ?? '', path);
    const body = route.body ? validate(route.body, (await readJsonBody(req)) ?? {}) : undefined;
    const args = route.query ? validate(route.query, queryArgs(route.query, query)) : undefined;
    const reply = await route.handle({ params, query, args, body, req, res });
    if (reply) sendJson(res, reply.status, reply.body);
  }

  private route(method: string, path: string): ReturnType<Router<Route>['match']> {
    if (this.setup && (path === '/api/account' || path.startsWith('/api/account/')))
      return this.setup.match(method, path);
    if (!this.attached && this.engineProblem) throw new HttpError(503, this.engineProblem);
    if (!this.attached)
      throw new HttpError(
        409,
        'there is no account on this machine yet: create one, or restore one from its recovery phrase',
      );
    return this.attached.router.match(method, path);
  }

  private fail(res: ServerResponse, error: unknown): void {
    // Failed mid-answer (a file stream broke): all that is left is to cut the connection.
    if (res.headersSent) return void res.destroy();
    const message = error instanceof Error ? error.message : String(error);
    if (error instanceof HttpError) sendJson(res, error.status, { error: message }, error.headers);
    else if (error instanceof ValidationError)
      sendJson(res, 400, { error: message, field: error.field, problems: error.problems });
    else if (isNetworkUnavailable(error)) sendJson(res, 503, { error: message });
    else sendJson(res, 500, { error: message });
  }
}
