/**
 * A localnet in a child process of its own, so a test can measure what its nodes cost
 * (memory, CPU) apart from the test's own work. Prints one JSON line —
 * `{ ledger, nodes: [url…], pid }` — once the network answers, and stops on SIGTERM.
 *
 * Usage: node --import tsx test/support/localnet-child.ts DIR [NODES] [SHARDS]
 */
import { Localnet } from '../../core/localnet/network.js';

const [dir, nodes = '4', shards = '10'] = process.argv.slice(2);
if (!dir) throw new Error('usage: localnet-child.ts DIR [NODES] [SHARDS]');
const net = await Localnet.start({
  dir,
  nodes: Number(nodes),
  nShards: Number(shards),
  autoAdvance: false,
  nodePollIntervalMs: 100,
});
process.stdout.write(
  JSON.stringify({ ledger: net.url, nodes: net.nodes.map((n) => n.url), pid: process.pid }) + '\n',
);
process.once('SIGTERM', () => void net.stop().then(() => process.exit(0)));
