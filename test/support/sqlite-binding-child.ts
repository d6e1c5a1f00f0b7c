/**
 * Opens an index (as the engine does) and prints which better_sqlite3.node files this
 * process mapped, from /proc/self/maps: the binary the engine really loaded.
 */
import { readFileSync } from 'node:fs';
import { Index } from '../../core/index/index.js';

const index = Index.open(process.argv[2]!);
index.close();
const loaded = new Set(
  readFileSync('/proc/self/maps', 'utf8')
    .split('\n')
    .map((line) => line.slice(line.indexOf('/')))
    .filter((path) => path.endsWith('better_sqlite3.node')),
);
console.log(JSON.stringify([...loaded]));
