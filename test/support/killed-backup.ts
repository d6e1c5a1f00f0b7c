/**
 * A backup run in its own process (backup-child.ts) and killed with SIGKILL at an exact
 * stage: when one of its progress lines matches, or — for the instants between two chain
 * transactions — synchronously from the ledger's event stream, before the child hears the
 * reply. Resolves once the child is dead; rejects if it finished first.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Localnet } from '../../core/localnet/network.js';

export type KillTrigger =
  | { line: (o: Record<string, unknown>) => boolean }
  | { event: (type: string, data: Record<string, unknown>) => boolean };

export async function killBackup(
  net: Localnet,
  phrase: string,
  indexPath: string,
  trigger: KillTrigger,
  what = 'the kill',
): Promise<void> {
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', 'test/support/backup-child.ts', net.url, indexPath],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  let unsubscribe = () => {};
  try {
    const killed = new Promise<void>((resolve, reject) => {
      child.once('exit', (code, signal) =>
        signal === 'SIGKILL'
          ? resolve()
          : reject(new Error(`the backup finished (${code}) before ${what}`)),
      );
    });
    const kill = () => child.kill('SIGKILL');
    if ('event' in trigger)
      unsubscribe = net.ledger.ledger.subscribe((type, data) => {
        if (trigger.event(type, data)) kill();
      });
    else
      createInterface({ input: child.stdout! }).on('line', (l) => {
        if (trigger.line(JSON.parse(l) as Record<string, unknown>)) kill();
      });
    child.stdin!.end(phrase + '\n');
    await killed;
  } finally {
    unsubscribe();
    child.kill('SIGKILL');
  }
}
