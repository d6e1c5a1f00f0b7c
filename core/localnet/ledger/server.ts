/**
 * The ledger's HTTP face on loopback: what Sui's RPC is to the real network. Reads are
 * GETs, every change is a POSTed signed transaction, and epochs advance on a timer.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LedgerError } from './errors.js';
import type { Genesis } from './genesis.js';
import { Ledger } from './ledger.js';
import type { SignedTransaction } from './wire.js';

const MAX_BODY_BYTES = 1024 * 1024;

export interface LedgerServerOptions {
  dbPath: string;
  genesis?: Genesis;
  port?: number;
  /** Epochs advance on a timer unless false (tests that step epochs by hand). */
  autoAdvance?: boolean;
}

export class LedgerServer {
  private timer: NodeJS.Timeout | null = null;

  private constructor(
    readonly ledger: Ledger,
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(options: LedgerServerOptions): Promise<LedgerServer> {
    const ledger = Ledger.open(options.dbPath, options.genesis);
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, '127.0.0.1', resolve);
    });
    const { port } = server.address() as AddressInfo;
    const self = new LedgerServer(ledger, server, `http://127.0.0.1:${port}`);
    server.on('request', (req, res) => void self.handle(req, res));
    if (options.autoAdvance !== false) self.scheduleEpoch();
    return self;
  }

  /** Ends the current epoch now (tests, and the timer). */
  advanceEpoch(): number {
    const epoch = this.ledger.advanceEpoch();
    if (this.timer) this.scheduleEpoch();
    return epoch;
  }

  async close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.ledger.close();
  }

  private scheduleEpoch(): void {
    if (this.timer) clearTimeout(this.timer);
    const state = this.ledger.systemState();
    const due = state.epochStartedAt + state.epochDurationMs - Date.now();
    this.timer = setTimeout(
      () => {
        this.timer = null;
        this.ledger.advanceEpoch();
        this.scheduleEpoch();
      },
      Math.max(0, due),
    );
    this.timer.unref();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const parts = url.pathname.split('/').filter(Boolean);
      const q = url.searchParams;
      const body = req.method === 'POST' ? await readJson(req) : undefined;
      const result = await this.route(req.method ?? 'GET', parts, q, body);
      send(res, 200, result);
    } catch (error) {
      if (error instanceof LedgerError)
        send(res, error.status, { error: { code: error.code, message: error.message } });
      else send(res, 500, { error: { code: 'Internal', message: (error as Error).message } });
    }
  }

  private async route(
    method: string,
    parts: string[],
    q: URLSearchParams,
    body: unknown,
  ): Promise<unknown> {
    const l = this.ledger;
    const [a, b, c] = parts;
    if (method === 'GET' && a === 'v1' && b === 'state' && !c) return l.systemState();
    if (method === 'GET' && a === 'v1' && b === 'events' && !c) {
      return l.events(Number(q.get('cursor') ?? 0), clampLimit(q.get('limit')));
    }
    if (method === 'GET' && a === 'v1' && b === 'objects' && c) {
      const blob = l.blob(c);
      if (!blob) throw new LedgerError('NotFound', `object ${c} does not exist`, 404);
      return blob;
    }
    if (method === 'GET' && a === 'v1' && b === 'blobs' && c) return l.blobsById(c);
    if (method === 'GET' && a === 'v1' && b === 'accounts' && c && parts.length === 3)
      return l.account(c);
    if (method === 'GET' && a === 'v1' && b === 'accounts' && c && parts[3] === 'blobs') {
      return l.ownedBlobs(c, q.get('cursor'), clampLimit(q.get('limit')));
    }
    if (method === 'GET' && a === 'v1' && b === 'accounts' && c && parts[3] === 'storage')
      return l.storageResources(c);
    if (method === 'GET' && a === 'v1' && b === 'nodes' && c && parts[3] === 'rewards')
      return l.nodeRewards(c);
    if (method === 'GET' && a === 'v1' && b === 'cost' && !c) {
      return { cost: l.storageCost(Number(q.get('size')), Number(q.get('epochs'))).toString() };
    }
    if (method === 'GET' && a === 'v1' && b === 'transactions' && c) {
      const tx = l.transaction(c);
      if (!tx) throw new LedgerError('NotFound', `transaction ${c} does not exist`, 404);
      return tx;
    }
    if (method === 'POST' && a === 'v1' && b === 'transactions' && !c)
      return l.submit(body as SignedTransaction);
    if (method === 'POST' && a === 'v1' && b === 'faucet' && !c)
      return l.faucet((body as { address?: string })?.address ?? '');
    throw new LedgerError('NotFound', `no route ${method} /${parts.join('/')}`, 404);
  }
}

function clampLimit(value: string | null): number {
  const n = Number(value ?? 50);
  return Number.isInteger(n) && n > 0 ? Math.min(n, 500) : 50;
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES)
      throw new LedgerError(
        'TooLarge',
        `request bodies are limited to ${MAX_BODY_BYTES} bytes`,
        413,
      );
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new LedgerError('InvalidArgument', 'the request body is not JSON');
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}
