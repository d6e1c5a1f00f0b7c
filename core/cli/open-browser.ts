/**
 * Opens an address in the user's default browser, as Syncthing opens its GUI: `open` on
 * macOS, `start` on Windows, `xdg-open` elsewhere. A machine with none of them (a server,
 * a container) gets the reason, and the caller prints the address instead.
 */
import { spawn } from 'node:child_process';

/** How long an opener may run before it counts as having handed the address over. */
const HANDOVER_MS = 5_000;

/** Resolves with why the browser could not be opened, or null once it was. */
export function openInBrowser(url: string, platform = process.platform): Promise<string | null> {
  const [command, args] =
    platform === 'darwin'
      ? ['open', [url]]
      : platform === 'win32'
        ? // `start`'s first quoted argument is a window title; the address follows it.
          ['cmd', ['/c', 'start', '""', url]]
        : ['xdg-open', [url]];
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: 'ignore', detached: true });
    const timer = setTimeout(() => (child.unref(), resolve(null)), HANDOVER_MS);
    child.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve(error.code === 'ENOENT' ? `${command} is not installed` : error.message);
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve(code === 0 ? null : `${command} exited with ${code}`);
    });
  });
}
