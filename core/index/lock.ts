/**
 * One writer per data directory. Two Floe processes backing up into the same index would
 * pack the same chunks twice and race on its rows, so the engine takes this lock: a file
 * holding the owner's pid, created exclusively. A lock whose process is gone (killed, the
 * machine rebooted) is taken over — a crash must never leave Floe unable to start.
 */
import { open, readFile, unlink } from 'node:fs/promises';

export class IndexBusyError extends Error {
  constructor(readonly pid: number) {
    super(
      `another Floe process (pid ${pid}) is working on this data directory; wait for it or stop it (floe watch / the desktop app)`,
    );
    this.name = 'IndexBusyError';
  }
}

export interface IndexLock {
  release(): Promise<void>;
}

export async function lockIndex(path: string): Promise<IndexLock> {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(path, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      return { release: () => unlink(path).catch(() => undefined) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = await lockHolder(path);
      if (holder !== null && holder !== process.pid) throw new IndexBusyError(holder);
      await unlink(path).catch(() => undefined);
    }
  }
  throw new Error(`could not take the lock ${path}`);
}

/**
 * The live process holding the lock, or null when none does (no lock file, or one left
 * by a process that is gone). `floe status` asks it whether anything will renew storage.
 */
export async function lockHolder(path: string): Promise<number | null> {
  const pid = Number((await readFile(path, 'utf8').catch(() => '')).trim());
  return Number.isInteger(pid) && pid > 0 && isAlive(pid) ? pid : null;
}

/** Whether a process runs (EPERM: it does, as another user). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
