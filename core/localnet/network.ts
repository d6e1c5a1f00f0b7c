/**
 * A whole localnet in this process: one ledger and `nodes` storage nodes on loopback,
 * each node with its own data directory and BLS key, all kept under one directory so
 * the network survives a restart — and, when asked, an upload relay in front of them.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Ed25519Keypair } from '@mysten/sui/keypairs/ed25519';
import { LocalChain, LocalReadChain } from '../walrus/chain/local-chain.js';
import { CodecPool } from '../walrus/encoding/index.js';
import { generateBlsKeyPair } from '../walrus/protocol/bls.js';
import type { TipConfig } from '../walrus/relay/tip.js';
import { LOCALNET_DEFAULTS, type Genesis } from './ledger/genesis.js';
import { LedgerServer } from './ledger/server.js';
import { StorageNode } from './node/server.js';
import { UploadRelay } from './relay/server.js';
import { LOOPBACK, urlHost } from './address.js';

export interface LocalnetOptions {
  dir: string;
  nodes?: number;
  nShards?: number;
  epochDurationMs?: number;
  maxEpochsAhead?: number;
  /** Encoded bytes each node offers (its capacity vote at genesis). */
  nodeCapacity?: string;
  /** Epochs advance by themselves unless false (tests step them). */
  autoAdvance?: boolean;
  ledgerPort?: number;
  /**
   * The address every server listens on and the committee lists (default loopback). It is
   * chosen when the network is created and kept in network.json; a restart asking for
   * another is refused, since the chain lists the nodes where they first listened.
   */
  host?: string;
  nodePollIntervalMs?: number;
  /** Run an upload relay too, charging `tip` (null: free). */
  relay?: { tip: TipConfig; port?: number };
}

export class LocalnetAddressError extends Error {
  constructor(dir: string, created: string, asked: string) {
    super(
      `the localnet in ${dir} was created to listen on ${created}, not ${asked}: its committee lists its nodes there (a network for another address needs another directory)`,
    );
    this.name = 'LocalnetAddressError';
  }
}

export class Localnet {
  private constructor(
    readonly dir: string,
    readonly ledger: LedgerServer,
    readonly nodes: StorageNode[],
    private readonly options: LocalnetOptions,
    readonly relay: UploadRelay | null,
    private readonly relayPool: CodecPool | null,
  ) {}

  get url(): string {
    return this.ledger.url;
  }

  static async start(o: LocalnetOptions): Promise<Localnet> {
    const count = o.nodes ?? 4;
    const ledgerPath = join(o.dir, 'ledger.db');
    await mkdir(o.dir, { recursive: true });
    const existing = await readFile(join(o.dir, 'network.json'), 'utf8').then(
      (t) => JSON.parse(t) as { nodeIds: string[]; host?: string },
      () => null,
    );
    const host = existing?.host ?? o.host ?? LOOPBACK;
    if (o.host !== undefined && o.host !== host)
      throw new LocalnetAddressError(o.dir, host, o.host);
    const nodeIds = existing?.nodeIds ?? Array.from({ length: count }, (_, i) => `node-${i}`);
    const nodes: StorageNode[] = [];
    const operators: Ed25519Keypair[] = [];
    for (const nodeId of nodeIds) {
      nodes.push(await Localnet.makeNode(o, nodeId));
      operators.push(await Localnet.operatorKey(o, nodeId));
    }

    let genesis: Genesis | undefined;
    if (!existing) {
      for (const node of nodes) await node.listen(0, host);
      genesis = {
        ...LOCALNET_DEFAULTS,
        nShards: o.nShards ?? 100,
        ...(o.epochDurationMs !== undefined ? { epochDurationMs: o.epochDurationMs } : {}),
        ...(o.maxEpochsAhead !== undefined ? { maxEpochsAhead: o.maxEpochsAhead } : {}),
        ...(o.nodeCapacity !== undefined ? { nodeCapacity: o.nodeCapacity } : {}),
        nodes: nodes.map((n, i) => ({
          nodeId: nodeIds[i]!,
          name: nodeIds[i]!,
          url: n.url,
          blsPublicKey: Buffer.from(n.publicKey).toString('hex'),
          operator: operators[i]!.toSuiAddress(),
          stake: '1000000000000',
        })),
      };
    }
    const ledger = await LedgerServer.start({
      dbPath: ledgerPath,
      ...(genesis ? { genesis } : {}),
      ...(o.ledgerPort !== undefined ? { port: o.ledgerPort } : {}),
      host,
      autoAdvance: o.autoAdvance ?? true,
    });
    const chain = new LocalReadChain(ledger.url);
    if (existing) {
      // A restarted network listens where the chain's committee says its nodes are.
      const { committee } = await chain.systemState();
      for (const [i, node] of nodes.entries()) {
        const url = committee[i]!.url;
        await node.listen(Number(new URL(url).port), urlHost(url));
      }
    } else {
      await writeFile(join(o.dir, 'network.json'), JSON.stringify({ nodeIds, host }));
    }
    for (const [i, node] of nodes.entries())
      await node.start(chain, new LocalChain(ledger.url, operators[i]!));
    if (!o.relay) return new Localnet(o.dir, ledger, nodes, o, null, null);
    // One encoding worker: the relay encodes each blob its clients send.
    const relayPool = new CodecPool({ size: 1 });
    const relay = new UploadRelay({
      chainUrl: ledger.url,
      pool: relayPool,
      tip: o.relay.tip,
      ...(o.relay.port !== undefined ? { port: o.relay.port } : {}),
      host,
    });
    await relay.listen();
    return new Localnet(o.dir, ledger, nodes, o, relay, relayPool);
  }

  /** The Sui-style account that operates a node: it signs the node's challenge answers. */
  private static async operatorKey(o: LocalnetOptions, nodeId: string): Promise<Ed25519Keypair> {
    const file = join(o.dir, 'nodes', nodeId, 'operator.key');
    const existing = await readFile(file, 'utf8').catch(() => null);
    if (existing) return Ed25519Keypair.fromSecretKey(existing.trim());
    const key = new Ed25519Keypair();
    await mkdir(join(o.dir, 'nodes', nodeId), { recursive: true });
    await writeFile(file, key.getSecretKey(), { mode: 0o600 });
    return key;
  }

  private static async makeNode(o: LocalnetOptions, nodeId: string): Promise<StorageNode> {
    const dataDir = join(o.dir, 'nodes', nodeId);
    await mkdir(dataDir, { recursive: true });
    const keyFile = join(dataDir, 'bls.key');
    let secret = await readFile(keyFile, 'utf8').catch(() => null);
    if (!secret) {
      secret = Buffer.from(generateBlsKeyPair().secretKey).toString('hex');
      await writeFile(keyFile, secret, { mode: 0o600 });
    }
    return new StorageNode({
      nodeId,
      dataDir,
      blsSecretKey: new Uint8Array(Buffer.from(secret.trim(), 'hex')),
      ...(o.nodePollIntervalMs !== undefined ? { pollIntervalMs: o.nodePollIntervalMs } : {}),
    });
  }

  /** Stops node `i` (as if its machine went down); its data stays on disk. */
  async stopNode(i: number): Promise<void> {
    await this.nodes[i]!.stop();
  }

  /** Starts node `i` again on the port the committee lists for it. */
  async restartNode(i: number): Promise<StorageNode> {
    const old = this.nodes[i]!;
    await old.stop();
    const port = Number(new URL(old.url).port);
    const host = urlHost(old.url);
    const nodeId = (await new LocalReadChain(this.url).systemState()).committee[i]!.nodeId;
    const node = await Localnet.makeNode(this.options, nodeId);
    await node.listen(port, host);
    const operator = new LocalChain(this.url, await Localnet.operatorKey(this.options, nodeId));
    await node.start(new LocalReadChain(this.url), operator);
    this.nodes[i] = node;
    return node;
  }

  async stop(): Promise<void> {
    await this.relay?.close();
    await this.relayPool?.close();
    await Promise.all(this.nodes.map((n) => n.stop()));
    await this.ledger.close();
  }
}
