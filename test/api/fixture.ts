/**
 * An API server over a real stack: a localnet, a funded account, an Index file and an
 * Engine in a temp dir; plus raw HTTP calls (node:http, so tests control every header,
 * Host included, and the path goes out exactly as written) and an event-stream reader.
 */
import { readSettings } from '../../core/index/settings.js';
import { once } from 'node:events';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { request, type IncomingHttpHeaders } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiServer } from '../../core/api/server.js';
import { Index } from '../../core/index/index.js';
import { deriveKeys, generateRecoveryPhrase, type RepoKeys } from '../../core/repo/keys.js';
import { Engine } from '../../core/sync/engine.js';
import { LocalChain } from '../../core/walrus/chain/local-chain.js';
import { WalrusClient } from '../../core/walrus/client/client.js';
import { startTestNetwork, type TestNetwork } from '../support/localnet.js';

export interface Stack {
  t: TestNetwork;
  dir: string;
  keys: RepoKeys;
  client: WalrusClient;
  index: Index;
  engine: Engine;
  api: ApiServer;
  /** Stops the API, the engine and the network, and removes every temp dir. */
  close(): Promise<void>;
}

export async function startStack(
  o: { staticDir?: string; startEngine?: boolean } = {},
): Promise<Stack> {
  const t = await startTestNetwork();
  const dir = await mkdtemp(join(tmpdir(), 'floe-api-'));
  const keys = deriveKeys(generateRecoveryPhrase());
  const chain = new LocalChain(t.net.url, keys.account);
  await chain.faucet(chain.address);
  const client = new WalrusClient({
    chain,
    pool: t.pool,
    retry: { attempts: 2, initialDelayMs: 20, maxDelayMs: 50 },
  });
  await mkdir(join(dir, 'folders'));
  // The data directory apart from the folders: Floe never backs up its own.
  const dataDir = join(dir, 'data');
  await mkdir(dataDir);
  const index = Index.open(join(dataDir, 'index.db'));
  const engine = new Engine({
    index,
    keys,
    client,
    settings: readSettings(index),
    epochs: 3,
    debounceMs: 100,
  });
  if (o.startEngine) {
    const idle = once(engine, 'idle');
    await engine.start();
    await idle;
  }
  const api = await ApiServer.start({
    engine,
    index,
    client,
    keys,
    dataDir,
    network: 'localnet',
    ...(o.staticDir ? { staticDir: o.staticDir } : {}),
  });
  return {
    t,
    dir,
    keys,
    client,
    index,
    engine,
    api,
    async close() {
      await api.close();
      await engine.stop();
      index.close();
      await rm(dir, { recursive: true, force: true });
      await t.close();
    },
  };
}

export interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  /** The body parsed as JSON (undefined when it is not JSON). */
  json: any; // each test knows its shape
}

export interface CallOptions {
  /** Default: the server's token; null sends none. */
  token?: string | null;
  /** Default: the server's own host:port; null sends no Host header at all. */
  host?: string | null;
  headers?: Record<string, string>;
  /** Sent as JSON (with Content-Type: application/json unless `headers` says otherwise). */
  body?: unknown;
  /** Sent as is. */
  rawBody?: string | Buffer;
  /** Streams the body with chunked transfer encoding, so the server cannot know its size up front. */
  chunked?: boolean;
}

export function call(
  api: Pick<ApiServer, 'url' | 'token'>,
  method: string,
  path: string,
  o: CallOptions = {},
): Promise<Answer> {
  const url = new URL(api.url);
  const payload =
    o.rawBody !== undefined
      ? Buffer.from(o.rawBody)
      : o.body !== undefined
        ? Buffer.from(JSON.stringify(o.body))
        : null;
  const token = o.token === undefined ? api.token : o.token;
  const headers: Record<string, string> = {
    ...(token !== null ? { Authorization: `Bearer ${token}` } : {}),
    ...(o.body !== undefined ? { 'Content-Type': 'application/json' } : {}),
    ...(payload && !o.chunked ? { 'Content-Length': String(payload.length) } : {}),
    ...(o.host !== null ? { Host: o.host ?? url.host } : {}),
    ...o.headers,
  };
  return new Promise((resolve, reject) => {
    const req = request(
      { host: url.hostname, port: url.port, method, path, headers, setHost: false, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode!, headers: res.headers, text, json });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    if (payload && o.chunked)
      for (let i = 0; i < payload.length; i += 16_384) req.write(payload.subarray(i, i + 16_384));
    else if (payload) req.write(payload);
    req.end();
  });
}

/**
 * A request written byte for byte on a socket, for what no client library would send (an
 * HTTP/1.0 request without Host, a path with backslashes). Answers status and whole text.
 */
export async function rawRequest(
  api: ApiServer,
  head: string,
): Promise<{ status: number; text: string }> {
  const url = new URL(api.url);
  const socket = connect(Number(url.port), url.hostname);
  socket.end(head);
  let text = '';
  for await (const chunk of socket) text += (chunk as Buffer).toString('latin1');
  return { status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(text)?.[1]), text };
}

export interface ServerEvent {
  event: string;
  data: any; // each test knows its shape
}

/** An open `GET /api/events` stream, parsed into events (comments kept as event ':'). */
export class EventReader {
  private buffer = '';
  private readonly seen: ServerEvent[] = [];
  private waiters: { test: (e: ServerEvent) => boolean; resolve: (e: ServerEvent) => void }[] = [];

  private constructor(
    private readonly stop: () => void,
    readonly status: number,
    readonly headers: IncomingHttpHeaders,
    /** Resolves when the server ends the stream. */
    readonly ended: Promise<void>,
  ) {}

  static open(api: ApiServer, path = `/api/events?token=${api.token}`): Promise<EventReader> {
    const url = new URL(api.url);
    return new Promise((resolve, reject) => {
      const req = request(
        { host: url.hostname, port: url.port, path, headers: { Host: url.host }, agent: false },
        (res) => {
          const ended = new Promise<void>((done) => res.once('close', done));
          const reader = new EventReader(() => req.destroy(), res.statusCode!, res.headers, ended);
          res.setEncoding('utf8');
          res.on('data', (text: string) => reader.push(text));
          resolve(reader);
        },
      );
      req.on('error', reject);
      req.end();
    });
  }

  /** The first event (seen already or still to come) named `event` that passes `test`. */
  next(event: string, test: (data: any) => boolean = () => true): Promise<ServerEvent> {
    const match = (e: ServerEvent) => e.event === event && test(e.data);
    const found = this.seen.find(match);
    if (found) return Promise.resolve(found);
    return new Promise((resolve) => this.waiters.push({ test: match, resolve }));
  }

  /** Every event so far, in order; only those named `event` if given. */
  all(event?: string): ServerEvent[] {
    return this.seen.filter((e) => event === undefined || e.event === event);
  }

  close(): void {
    this.stop();
  }

  private push(text: string): void {
    this.buffer += text;
    let end: number;
    while ((end = this.buffer.indexOf('\n\n')) >= 0) {
      const frame = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      const e: ServerEvent = frame.startsWith(':')
        ? { event: ':', data: frame.slice(1).trim() }
        : {
            event: /^event: (.*)$/m.exec(frame)?.[1] ?? 'message',
            data: JSON.parse(/^data: (.*)$/m.exec(frame)?.[1] ?? 'null'),
          };
      this.seen.push(e);
      this.waiters = this.waiters.filter((w) => {
        if (!w.test(e)) return true;
        w.resolve(e);
        return false;
      });
    }
  }
}
