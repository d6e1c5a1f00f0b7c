/**
 * Start at login. Electron's `setLoginItemSettings` covers macOS and Windows and does
 * nothing on Linux, where desktops start what `$XDG_CONFIG_HOME/autostart/*.desktop`
 * (the XDG Autostart specification) lists: Floe writes its own entry there when the
 * setting is on, and removes it when it is off. Pure file work, tested in a temp HOME.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

export const AUTOSTART_FILE = 'floe.desktop';

export function autostartPath(env: NodeJS.ProcessEnv = process.env): string {
  const config = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config');
  return join(config, 'autostart', AUTOSTART_FILE);
}

/** The entry: `exec` is the command that starts the app (its executable, quoted as needed). */
export function autostartEntry(exec: string): string {
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Name=Floe',
    'Comment=Back up your folders to Walrus',
    `Exec=${exec}`,
    'Icon=floe',
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}

/** Quotes one argument of an Exec line as the Desktop Entry specification asks. */
export function execArgument(arg: string): string {
  if (!/[\s"'\\$`]/.test(arg)) return arg;
  return `"${arg.replace(/(["`$\\])/g, '\\$1')}"`;
}

/** Writes or removes the entry; returns whether it is there now. Idempotent. */
export async function setLinuxAutostart(
  on: boolean,
  command: string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<boolean> {
  const path = autostartPath(env);
  if (!on) {
    await rm(path, { force: true });
    return false;
  }
  const entry = autostartEntry(command.map(execArgument).join(' '));
  const current = await readFile(path, 'utf8').catch(() => null);
  if (current !== entry) {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, entry, { mode: 0o644 });
  }
  return true;
}

export async function linuxAutostartEnabled(
  env: NodeJS.ProcessEnv = process.env,
): Promise<boolean> {
  return (await readFile(autostartPath(env), 'utf8').catch(() => null)) !== null;
}
