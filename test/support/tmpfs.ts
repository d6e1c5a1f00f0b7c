/**
 * A small file system for one child process: an unprivileged user and mount namespace of
 * its own with a tmpfs over a directory, so the child meets a really full disk (ENOSPC)
 * without root and without touching the machine. Where user namespaces are not allowed,
 * `tmpfsAvailable` says so and tests skip.
 */
import { spawn } from 'node:child_process';

/** The command prefix that runs a command with a tmpfs of these mount options over `dir`. */
export function inTmpfs(dir: string, options: string): string[] {
  return [
    'unshare',
    '--user',
    '--map-root-user',
    '--mount',
    'sh',
    '-c',
    `mount -t tmpfs -o ${options} tmpfs "$0" && exec "$@"`,
    dir,
  ];
}

export function tmpfsAvailable(dir: string): Promise<boolean> {
  const [command, ...args] = inTmpfs(dir, 'size=64k');
  const child = spawn(command!, [...args, 'true'], { stdio: 'ignore' });
  return new Promise((resolve) => {
    child.once('error', () => resolve(false));
    child.once('exit', (code) => resolve(code === 0));
  });
}
