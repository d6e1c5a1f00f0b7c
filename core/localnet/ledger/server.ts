/**
 * The ledger's HTTP face on loopback: what Sui's RPC is to the real network. Reads are
 * GETs, every change is a POSTed signed transaction, and epochs advance on a timer.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LedgerError } from './errors.js';
import type { Genesis } from './genesis.js';
import { Ledger } from './ledger.js';
import { blobIdText, queryChecks, queryNumber, suiAddress } from './validate.js';
import type { SignedTransaction } from './wire.js';
import { LOOPBACK, serverUrl } from '../address.js';

const MAX_BODY_BYTES = 1024 * 1024;

export interface LedgerServerOptions {
  dbPath: string;
  genesis?: Genesis;
  port?: number;
  /** The address to listen on (default loopback). */
  host?: string;
  /** Epochs advance on a timer unless false (tests that step epochs by hand). */
  autoAdvance?: boolean;
}

export class LedgerServer {
  private timer: NodeJS.Timeout | null = null;
  /** Whether epochs follow the clock (false: tests step them). */
  private clock = false;

  private constructor(
    readonly ledger: Ledger,
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(options: LedgerServerOptions): Promise<LedgerServer> {
    const ledger = Ledger.open(options.dbPath, options.genesis);
    const host = options.host ?? LOOPBACK;
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, host, resolve);
    });
    const { port } = server.address() as AddressInfo;
    const self = new LedgerServer(ledger, server, serverUrl(host, port));
    server.on('request', (req, res) => void self.handle(req, res));
    if (options.autoAdvance !== false) {
      self.clock = true;
      self.scheduleEpoch();
      ledger.subscribe((type) => {
        if (type === 'EpochChangeDone' && self.clock) queueMicrotask(() => self.scheduleEpoch());
      });
    }
    return self;
  }

  /** Ends the current epoch now (tests, and the timer). */
  advanceEpoch(): number {
    const epoch = this.ledger.advanceEpoch();
    if (this.clock) this.scheduleEpoch();
    return epoch;
  }

  async close(): Promise<void> {
    this.clock = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.ledger.close();
  }

  /**
   * Runs the epoch change on the contract's clock: voting ends half an epoch after the last
   * change was done, the next change comes a whole epoch after it, and while shards move
   * the clock waits for the nodes to report them received (`EpochChangeDone`).
   */
  private scheduleEpoch(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const next = this.ledger.nextEpochStep();
    if (!next) return;
    this.timer = setTimeout(
      () => {
        this.timer = null;
        if (next.step === 'end-voting') this.ledger.endVoting();
        else this.ledger.changeEpoch();
        this.scheduleEpoch();
      },
      Math.max(0, next.at - Date.now()),
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
      return l.events(queryNumber(q, 'cursor', queryChecks.cursor, 0), pageLimit(q));
    }
    if (method === 'GET' && a === 'v1' && b === 'objects' && c && parts[3] === 'transactions') {
      if (parts.length !== 4)
        throw new LedgerError('NotFound', `no route GET /${parts.join('/')}`, 404);
      return { transactions: l.objectTransactions(objectIdOrNull(c)) };
    }
    if (method === 'GET' && a === 'v1' && b === 'committees' && c && parts.length === 3) {
      const epoch = queryNumber(new URLSearchParams({ epoch: c }), 'epoch', queryChecks.epoch);
      const committee = l.committeeOfEpoch(epoch);
      if (!committee)
        throw new LedgerError('NotFound', `the ledger kept no committee for epoch ${epoch}`, 404);
      return committee;
    }
    if (method === 'GET' && a === 'v1' && b === 'challenges' && !c)
      return l.challenges(queryNumber(q, 'since', queryChecks.epoch, 0));
    if (method === 'GET' && a === 'v1' && b === 'objects' && c) {
      const blob = l.blob(objectIdOrNull(c));
      if (!blob) throw new LedgerError('NotFound', `object ${c} does not exist`, 404);
      return blob;
    }
    if (method === 'GET' && a === 'v1' && b === 'blobs' && c)
      return l.blobsById(blobIdText(c, 'blob id'));
    if (method === 'GET' && a === 'v1' && b === 'accounts' && c) {
      const address = suiAddress(c, 'address');
      if (parts.length === 3) return l.account(address);
      if (parts[3] === 'blobs' && parts.length === 4)
        return l.ownedBlobs(address, q.get('cursor'), pageLimit(q));
      if (parts[3] === 'storage' && parts.length === 4) return l.storageResources(address);
    }
    if (method === 'GET' && a === 'v1' && b === 'nodes' && c && parts[3] === 'rewards')
      return l.nodeRewards(c);
    if (method === 'GET' && a === 'v1' && b === 'cost' && !c) {
      const size = queryNumber(q, 'size', queryChecks.size);
      const epochs = queryNumber(q, 'epochs', queryChecks.epochs);
      return { cost: l.storageCost(size, epochs).toString() };
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

/** Pages hold 1 to 500 items; 50 when the caller does not say. */
function pageLimit(q: URLSearchParams): number {
  const limit = queryNumber(q, 'limit', queryChecks.cursor, 50);
  if (limit < 1) throw new LedgerError('InvalidArgument', 'limit must be at least 1');
  return Math.min(limit, 500);
}

/** An id that is not an object id names no object (Sui answers "not found" too). */
function objectIdOrNull(text: string): string {
  return /^0x[0-9a-f]{64}$/.test(text) ? text : '';
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
