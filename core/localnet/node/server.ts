/**
 * A localnet storage node: walrus-service's storage-node REST API (routes, status codes,
 * reasons, envelopes and content types as in `node/server/routes.rs` and its handlers)
 * over a `SliverStore`, accepting only what the chain says it should hold, signing
 * storage confirmations with its BLS key, following the chain to drop dead blobs, and
 * keeping its share whole: it recovers what it missed while down and what its scrub or
 * a failed read finds damaged.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ReadChain } from '../../walrus/chain/chain.js';
import type { LocalChain } from '../../walrus/chain/local-chain.js';
import { blsPublicKey, loadFastSigning } from '../../walrus/protocol/bls.js';
import type { BlobPersistence } from '../../walrus/protocol/confirmation.js';
import type { SliverKind } from '../../walrus/encoding/index.js';
import { MethodNotAllowedError, RouteNotFoundError, Router } from '../../http/router.js';
import {
  HttpError,
  readBody,
  sendBytes,
  sendEmpty,
  sendJson,
  sendText,
  unreadBodyHeaders,
} from '../../http/wire.js';
import {
  FrameworkRejection,
  internalError,
  NodeApiError,
  notOctetStream,
  notRegistered,
  unavailable,
} from './api-errors.js';
import { apiDocs } from './api-docs.js';
import { blobStatus, BlobStatusEvents, unseenObjects } from './blob-status.js';
import { ChainView } from './chain-view.js';
import { proveChallenge, type Challenge } from './challenge-responder.js';
import { MAX_CONFIRMATION_WAIT_MS, NodeApi } from './node-api.js';
import { PendingUploads } from './pending-uploads.js';
import {
  missingPairs,
  recoverBlob,
  syncShards,
  type RecoveryResult,
  type ShardSyncResult,
} from './recovery.js';
import { blobSliverBound, nodeRoutes, type NodeReply, type NodeRoute } from './routes.js';
import { Scrubber, type ScrubResult } from './scrubber.js';
import { inconsistencyAttestation } from './inconsistency.js';
import { decodingSymbols, recoverySymbols } from './symbols.js';
import { syncShard } from './shard-sync.js';
import { ByteRateLimiter } from '../../walrus/client/rate-limiter.js';
import { SliverStore } from './sliver-store.js';
import { UploadBudget } from './upload-budget.js';
import { LOOPBACK, serverUrl } from '../address.js';

export interface StorageNodeOptions {
  nodeId: string;
  dataDir: string;
  blsSecretKey: Uint8Array;
  port?: number;
  /** The address to listen on (default loopback). */
  host?: string;
  /** How often to follow the chain for deletions and expiries. */
  pollIntervalMs?: number;
  /** How often to check every sliver on disk (default 10 minutes; 0: only at start). */
  scrubIntervalMs?: number;
  /** Bytes of request bodies held in memory at once (default 128 MiB). */
  uploadBudgetBytes?: number;
}

/** Confirmations waiting for a registration at once; past it they answer at once, as Walrus does. */
const MAX_WAITING_CONFIRMATIONS = 64;

/** tower-http's `CorsLayer` with any origin, method and header, as walrus-service sets it. */
const CORS = {
  'Access-Control-Allow-Origin': '*',
  Vary: 'origin, access-control-request-method, access-control-request-headers',
};
const PREFLIGHT = { 'Access-Control-Allow-Methods': '*', 'Access-Control-Allow-Headers': '*' };

export class StorageNode {
  private server: Server | null = null;
  private follower: NodeJS.Timeout | null = null;
  private scrubTimer: NodeJS.Timeout | null = null;
  private eventCursor = 0;
  private eventsFollowed = 0;
  private following: Promise<void> | null = null;
  private viewOrNull: ChainView | null = null;
  private readonly startedAt = process.hrtime.bigint();
  readonly store: SliverStore;
  readonly publicKey: Uint8Array;
  readonly api: NodeApi;
  private readonly router: Router<NodeRoute>;
  private readonly budget: UploadBudget;
  private readonly statusEvents = new BlobStatusEvents();
  private readonly scrubber: Scrubber;
  /** Certified blobs the chain has announced: what this node must hold its share of. */
  private readonly certified = new Set<string>();
  private recoveryQueue: Promise<unknown> = Promise.resolve();
  /** Blobs waiting in the queue for a recovery, so a burst of bad reads queues one. */
  private readonly recoveryPending = new Set<string>();
  private waitingConfirmations = 0;
  /** The operator's account, which signs challenge answers; without it challenges go unanswered. */
  private operator: LocalChain | null = null;
  readonly challengeLog: { challengeId: string; passed?: boolean; error?: string }[] = [];
  /** Outcome of the most recent recovery attempts, for health and tests. */
  readonly recoveryLog: (RecoveryResult | { blobId: string; error: string })[] = [];
  /** Outcome of each scrub pass, for tests and the localnet's log. */
  readonly scrubLog: ScrubResult[] = [];
  /** Shard syncs at epoch changes: what came from previous holders, what was recovered. */
  readonly syncLog: ({ epoch: number } & (ShardSyncResult | { error: string }))[] = [];
  /** The latest epoch change seen, and the epochs this node reported its shards received for. */
  private changeEpoch: number | null = null;
  private readonly syncReported = new Set<number>();
  private syncRate: ByteRateLimiter | null = null;
  url = '';

  constructor(private readonly options: StorageNodeOptions) {
    this.store = new SliverStore(options.dataDir);
    this.publicKey = blsPublicKey(options.blsSecretKey);
    this.budget = new UploadBudget(options.uploadBudgetBytes ?? 128 * 1024 * 1024);
    this.api = new NodeApi({
      store: this.store,
      view: () => this.view,
      pending: new PendingUploads(),
      blsSecretKey: options.blsSecretKey,
      onCorrupt: (blobId) => this.scheduleHeal(blobId),
    });
    this.scrubber = new Scrubber(this.store, this.api);
    this.router = new Router(
      nodeRoutes(
        {
          api: this.api,
          nShards: async () => (await this.view.systemState()).nShards,
          health: (detailed) => this.health(detailed),
          blobStatus: (blobId) => this.blobStatus(blobId),
          confirmation: (blobId, p, wait) => this.confirmation(blobId, p, wait),
          recoverySymbols: (blobId, q) => recoverySymbols(this.symbolSource(), blobId, q),
          decodingSymbols: (blobId, q) => decodingSymbols(this.symbolSource(), blobId, q),
          inconsistencyProof: (blobId, kind, body) => this.inconsistency(blobId, kind, body),
          syncShard: (auth, body) =>
            syncShard(
              { view: this.view, store: this.store, api: this.api, certified: this.certified },
              auth,
              body,
            ),
        },
        () => apiDocs(this.router.routes),
      ),
    );
  }

  /** Binds the REST API; the node can be listed in a genesis once it has its URL. */
  async listen(
    port = this.options.port ?? 0,
    host = this.options.host ?? LOOPBACK,
  ): Promise<string> {
    await this.store.init();
    const server = createServer((req, res) => void this.handle(req, res));
    server.keepAliveTimeout = 5_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, resolve);
    });
    this.server = server;
    this.url = serverUrl(host, (server.address() as AddressInfo).port);
    return this.url;
  }

  /**
   * Joins the network: from here on the node checks uploads against `chain` and follows
   * it, dropping the data of deleted and expired blobs. A node listens before it starts
   * because the chain's committee lists the URL it listens on.
   */
  async start(chain: ReadChain, operator?: LocalChain): Promise<void> {
    // A node signs a confirmation for every blob it stores: mcl's signer, where it loads,
    // costs a tenth of noble's (once per process; noble signs if it cannot load).
    await loadFastSigning();
    this.operator = operator ?? null;
    this.viewOrNull = new ChainView(chain, this.options.nodeId);
    if (!this.server) await this.listen();
    await this.sweep();
    // Like a Walrus node syncing from its last checkpoint: replay the chain's events to
    // learn which blobs are certified, then check what is on disk and recover what was
    // written while we were away or damaged since.
    this.eventCursor = 0;
    await this.follow();
    // Down through an epoch change: take over the new shards before anything else.
    if (this.changeEpoch !== null && !this.syncReported.has(this.changeEpoch))
      this.scheduleShardSync(this.changeEpoch);
    this.scheduleScrub();
    this.scheduleFollow();
  }

  /** Caps the bytes per second this node fetches when it syncs new shards (null: no cap). */
  throttleShardSync(bytesPerSecond: number | null): void {
    this.syncRate = bytesPerSecond === null ? null : new ByteRateLimiter(bytesPerSecond);
  }

  /**
   * Takes over the shards the epoch change gave this node — from their previous holders,
   * which keep serving them meanwhile — then reports them received (`epoch_sync_done`), so
   * the change can be done and readers move to the new committee.
   */
  private scheduleShardSync(epoch: number): void {
    this.recoveryQueue = this.recoveryQueue.then(async () => {
      if (!this.server || this.syncReported.has(epoch)) return;
      try {
        this.view.invalidate();
        const state = await this.view.systemState();
        if (state.epoch !== epoch) return; // a later change replaced this one
        const self = state.committee.find((m) => m.nodeId === this.options.nodeId);
        if (!self || self.shards.length === 0) return; // not in the new committee
        const live: string[] = [];
        for (const blobId of this.certified)
          if ((await this.view.liveObjects(blobId)).length > 0) live.push(blobId);
        const result = await syncShards(
          {
            chain: this.view.chain,
            store: this.store,
            selfNodeId: this.options.nodeId,
            bls: { secretKey: this.options.blsSecretKey, publicKey: this.publicKey },
            blobIds: live,
            // The cap in force when each sliver comes, so lifting it speeds a sync up.
            throttle: (bytes: number) => this.syncRate?.take(bytes) ?? Promise.resolve(),
            stopped: () => !this.server,
          },
          state,
        );
        this.syncLog.push({ epoch, ...result });
        if (!this.server) return;
        if (result.failed.length > 0) {
          // Peers may be restarting: try again shortly, as Walrus retries a shard sync.
          setTimeout(() => this.scheduleShardSync(epoch), 1_000).unref();
          return;
        }
        await this.operator?.execute({
          kind: 'epoch_sync_done',
          nodeId: this.options.nodeId,
          epoch,
        });
        this.syncReported.add(epoch);
      } catch (error) {
        this.syncLog.push({ epoch, error: (error as Error).message });
      }
    });
  }

  /** Resolves when the recoveries (and scrubs) scheduled so far have finished. */
  recoveryIdle(): Promise<unknown> {
    return this.recoveryQueue;
  }

  /** Checks every sliver on disk now, and recovers the damaged ones. */
  scrubNow(): Promise<unknown> {
    this.scheduleScrub(false);
    return this.recoveryQueue;
  }

  private enqueue(task: () => Promise<void>): void {
    this.recoveryQueue = this.recoveryQueue.then(task, task);
  }

  private scheduleRecovery(blobIds: string[]): void {
    const fresh = blobIds.filter((b) => !this.recoveryPending.has(b));
    if (fresh.length === 0) return;
    for (const b of fresh) this.recoveryPending.add(b);
    this.enqueue(async () => {
      for (const b of fresh) this.recoveryPending.delete(b);
      await this.recover(fresh);
    });
  }

  /** A damaged sliver was met: check the blob's other slivers by checksum, recover all. */
  private scheduleHeal(blobId: string): void {
    if (this.recoveryPending.has(blobId)) return;
    this.recoveryPending.add(blobId);
    this.enqueue(async () => {
      this.recoveryPending.delete(blobId);
      if (!this.server) return;
      const result = await this.scrubber.scrub([blobId], () => !this.server);
      this.scrubLog.push(result);
      await this.recover([blobId]);
    });
  }

  /** A scrub pass, then recovery of what it removed; re-armed on the scrub timer. */
  private scheduleScrub(rearm = true): void {
    this.enqueue(async () => {
      if (!this.server) return;
      const result = await this.scrubber.scrub(await this.store.blobIds(), () => !this.server);
      this.scrubLog.push(result);
      // Damaged files are gone now; missing ones (deleted by hand, a lost write) show too.
      await this.recover([...new Set([...result.damagedBlobs, ...this.certified])]);
    });
    const every = this.options.scrubIntervalMs ?? 600_000;
    if (!rearm || every <= 0) return;
    if (this.scrubTimer) clearTimeout(this.scrubTimer);
    this.scrubTimer = setTimeout(() => this.server && this.scheduleScrub(), every);
    this.scrubTimer.unref();
  }

  /**
   * Answers after pending recoveries: a sliver lost and recovered can still be proven.
   * A node whose answer fails checks that blob against its metadata and heals it.
   */
  private scheduleChallengeAnswer(c: Challenge): void {
    this.enqueue(async () => {
      if (!this.operator || !this.server) return;
      try {
        if (!(await this.api.readOwnSliver(c.blobId, c.pairIndex, 'primary')))
          await this.recover([c.blobId]);
        const result = await this.operator.execute({
          kind: 'answer_challenge',
          ...(await proveChallenge(this.store, c)),
        });
        const passed = result.passed ?? false;
        this.challengeLog.push({ challengeId: c.challengeId, passed });
        if (!passed) await this.heal(c.blobId);
      } catch (error) {
        this.challengeLog.push({ challengeId: c.challengeId, error: (error as Error).message });
      }
    });
  }

  /** Checks one blob's slivers against its metadata and recovers what fails. */
  private async heal(blobId: string): Promise<void> {
    const result = await this.scrubber.scrub([blobId], () => !this.server, { full: true });
    this.scrubLog.push(result);
    await this.recover(result.damagedBlobs);
  }

  private async recover(blobIds: string[]): Promise<void> {
    for (const blobId of blobIds) {
      if (!this.server) return;
      try {
        if (!(await this.view.isRegistered(blobId))) continue;
        await this.store.refresh(blobId);
        const { nShards } = await this.view.systemState();
        const pairs = await missingPairs(
          this.store,
          blobId,
          (await this.view.self())?.shards ?? [],
          nShards,
        );
        if (pairs.length === 0) continue;
        this.recoveryLog.push(
          await recoverBlob(this.view.chain, this.store, this.options.nodeId, blobId, pairs),
        );
      } catch (error) {
        this.recoveryLog.push({ blobId, error: (error as Error).message });
      }
    }
  }

  async stop(): Promise<void> {
    if (this.follower) clearTimeout(this.follower);
    if (this.scrubTimer) clearTimeout(this.scrubTimer);
    this.follower = null;
    this.scrubTimer = null;
    const server = this.server;
    this.server = null;
    // A recovery in flight finishes its current blob and stops (it checks `server`).
    await this.recoveryQueue;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private scheduleFollow(): void {
    this.follower = setTimeout(() => {
      void this.follow().finally(() => {
        if (this.follower) this.scheduleFollow();
      });
    }, this.options.pollIntervalMs ?? 1_000);
    this.follower.unref();
  }

  /** One pass over new chain events; concurrent callers share the pass in flight. */
  private follow(): Promise<void> {
    this.following ??= this.followOnce().finally(() => (this.following = null));
    return this.following;
  }

  private async followOnce(): Promise<void> {
    // During the replay at start-up one recovery pass follows; no need to queue one per event.
    const starting = this.eventCursor === 0;
    try {
      for (;;) {
        const { events, nextCursor } = await this.view.chain.events(this.eventCursor, 200);
        for (const e of events) {
          const blobId = String(e.data.blobId);
          this.statusEvents.record(e);
          if (e.type === 'EpochChangeStart' || e.type === 'EpochChangeDone') this.view.invalidate();
          if (e.type === 'EpochChangeStart') {
            this.changeEpoch = Number(e.data.epoch);
            // New shards come from their previous holders; then a whole epoch of writes:
            // make sure our share is complete.
            if (!starting) {
              this.scheduleShardSync(this.changeEpoch);
              this.scheduleRecovery([...this.certified]);
            }
          }
          if (e.type === 'ShardsReceived' && e.data.nodeId === this.options.nodeId)
            this.syncReported.add(Number(e.data.epoch));
          if (e.type === 'ChallengeIssued' && e.data.nodeId === this.options.nodeId && !starting) {
            this.scheduleChallengeAnswer(e.data as unknown as Challenge);
          }
          if (e.type === 'BlobRegistered') {
            this.view.forget(blobId);
            // Walrus flushes what it buffered for a blob once it sees its registration.
            if (this.api.hasPending(blobId)) await this.api.flushPending(blobId).catch(() => {});
          }
          if (e.type === 'BlobCertified') {
            this.view.forget(blobId);
            this.certified.add(blobId);
            if (!starting) this.scheduleRecovery([blobId]);
          }
          if (e.type === 'BlobDeleted' || e.type === 'BlobExpired') {
            this.view.forget(blobId);
            if (!(await this.view.isRegistered(blobId))) this.certified.delete(blobId);
            await this.dropIfDead(blobId);
          }
        }
        this.eventCursor = nextCursor;
        this.eventsFollowed += events.length;
        if (events.length < 200) return;
      }
    } catch {
      // The ledger may be restarting; the next round catches up from the same cursor.
    }
  }

  private async sweep(): Promise<void> {
    for (const blobId of await this.store.blobIds()) await this.dropIfDead(blobId);
  }

  private async dropIfDead(blobId: string): Promise<void> {
    // Another account may hold a live Blob object for the same bytes: keep them then.
    if (await this.view.isRegistered(blobId)) return;
    this.api.forget(blobId);
    await this.store.removeBlob(blobId);
  }

  private get view(): ChainView {
    if (!this.viewOrNull) throw unavailable();
    return this.viewOrNull;
  }

  private symbolSource() {
    return { view: this.view, api: this.api };
  }

  // ---- handlers that need the whole node ------------------------------------

  private async health(detailed: boolean) {
    const self = await this.view.self();
    const { epoch } = await this.view.systemState();
    const owned = [...(self?.shards ?? [])].sort((a, b) => a - b);
    const uptimeNs = process.hrtime.bigint() - this.startedAt;
    return {
      uptime: { secs: Number(uptimeNs / 1_000_000_000n), nanos: Number(uptimeNs % 1_000_000_000n) },
      epoch,
      publicKey: Buffer.from(this.publicKey).toString('base64'),
      nodeStatus: 'Active',
      eventProgress: {
        persisted: this.eventsFollowed,
        pending: 0,
        highestFinishedEventIndex: this.eventCursor > 0 ? this.eventCursor - 1 : null,
      },
      shardSummary: {
        owned: owned.length,
        ownedShardStatus: { unknown: 0, ready: owned.length, inTransfer: 0, inRecovery: 0 },
        readOnly: 0,
      },
      ...(detailed
        ? { shardDetail: { owned: owned.map((shard) => ({ shard, status: 'ready' })), other: [] } }
        : {}),
    };
  }

  private async blobStatus(blobId: string) {
    let live = await this.view.liveObjects(blobId);
    if (unseenObjects(live, this.statusEvents)) {
      // Asked about a registration the follower has not reached yet: catch up first.
      await this.follow();
      live = await this.view.liveObjects(blobId);
    }
    return blobStatus(live, this.statusEvents);
  }

  /**
   * Walrus's long-poll: with `waitMs`, a confirmation refused because the blob is not
   * registered waits for the registration — only for a blob this node holds buffered
   * data of, and only while few others wait.
   */
  private async confirmation(blobId: string, p: BlobPersistence, waitMs: number | null) {
    try {
      return await this.api.confirmation(blobId, p);
    } catch (error) {
      const notYet = error instanceof NodeApiError && error.reason === 'NOT_REGISTERED';
      const wait = Math.min(waitMs ?? 0, MAX_CONFIRMATION_WAIT_MS);
      if (!notYet || wait <= 0 || !this.api.hasPending(blobId)) throw error;
      if (this.waitingConfirmations >= MAX_WAITING_CONFIRMATIONS) throw error;
      this.waitingConfirmations++;
      try {
        const deadline = Date.now() + wait;
        while (Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 50));
          this.view.forget(blobId);
          if (await this.view.isRegistered(blobId)) return await this.api.confirmation(blobId, p);
        }
      } finally {
        this.waitingConfirmations--;
      }
      throw notRegistered();
    }
  }

  private async inconsistency(blobId: string, kind: SliverKind, body: Uint8Array) {
    const metadata = await this.api.storedMetadata(blobId);
    const { epoch } = await this.view.systemState();
    return inconsistencyAttestation(metadata, blobId, kind, body, epoch, this.options.blsSecretKey);
  }

  // ---- HTTP ------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      // tower-http answers every OPTIONS as a preflight, before routing.
      if (req.method === 'OPTIONS') return sendEmpty(res, 200, { ...CORS, ...PREFLIGHT });
      const target = req.url ?? '/';
      const q = target.indexOf('?');
      const path = q < 0 ? target : target.slice(0, q);
      const query = new URLSearchParams(q < 0 ? '' : target.slice(q + 1));
      const { route, params } = this.router.match(req.method ?? 'GET', path);
      if (route.strictQuery)
        for (const key of query.keys())
          if (!route.query.includes(key))
            throw new FrameworkRejection(
              400,
              `Failed to deserialize query string: unknown field \`${key}\`, expected ${route.query.map((k) => `\`${k}\``).join(' or ')}`,
            );
      const reply = route.body
        ? await this.withBody(req, route, params, (body) =>
            route.handle({ params, query, body, req }),
          )
        : await route.handle({ params, query, body: new Uint8Array(0), req });
      send(res, reply);
    } catch (error) {
      this.fail(req, res, error);
    }
  }

  /** Reads the body within the route's limit and the node's upload budget, then handles it. */
  private async withBody(
    req: IncomingMessage,
    route: NodeRoute,
    params: Record<string, string>,
    handle: (body: Uint8Array) => Promise<NodeReply>,
  ): Promise<NodeReply> {
    const rule = route.body!;
    if (rule.octetStream && !isOctetStream(req.headers['content-type'])) throw notOctetStream();
    const limit = await rule.limit(params);
    const declared = Number(req.headers['content-length'] ?? NaN);
    const length = Number.isSafeInteger(declared) ? declared : null;
    if (length !== null && length > limit) throw rule.tooLarge();
    if (route.method === 'PUT' && params.sliver_type && length !== null)
      blobSliverBound(length, await this.api.expectedSliverBytes(params.blob_id!));
    return this.budget.run(length ?? limit, async () =>
      handle(await readBody(req, limit, rule.tooLarge)),
    );
  }

  private fail(req: IncomingMessage, res: ServerResponse, error: unknown): void {
    if (res.headersSent) return void res.destroy();
    const headers = { ...CORS, ...unreadBodyHeaders(req) };
    if (error instanceof NodeApiError)
      return sendJson(res, error.httpCode, error.envelope(), headers);
    if (error instanceof FrameworkRejection)
      return sendText(res, error.httpCode, error.message, headers);
    if (error instanceof RouteNotFoundError) return sendEmpty(res, 404, headers);
    if (error instanceof MethodNotAllowedError)
      return sendEmpty(res, 405, { ...headers, Allow: error.allowed.join(',') });
    if (error instanceof HttpError) return sendText(res, error.status, error.message, headers);
    console.error(`storage node ${this.options.nodeId}:`, error);
    sendJson(res, 500, internalError().envelope(), headers);
  }
}

function send(res: ServerResponse, reply: NodeReply): void {
  if ('bytes' in reply) return sendBytes(res, reply.status, reply.bytes, CORS);
  if ('html' in reply)
    return void (
      res.writeHead(reply.status, {
        ...CORS,
        'Content-Type': 'text/html; charset=utf-8',
        'Content-Length': String(Buffer.byteLength(reply.html)),
      }),
      res.end(reply.html)
    );
  sendJson(res, reply.status, reply.json, CORS);
}

/** No Content-Type is taken as bytes; otherwise application/octet-stream, any parameters. */
function isOctetStream(type: string | undefined): boolean {
  if (type === undefined) return true;
  return type.split(';')[0]!.trim().toLowerCase() === 'application/octet-stream';
}
