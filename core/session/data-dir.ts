/** Where Floe keeps its state on this machine, per the platform's conventions. */
import { homedir } from 'node:os';
import { join } from 'node:path';

export function defaultDataDir(
  env: NodeJS.ProcessEnv = process.env,
  platform = process.platform,
): string {
  if (env.FLOE_HOME) return env.FLOE_HOME;
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'Floe');
  if (platform === 'win32')
    return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'Floe');
  return join(env.XDG_DATA_HOME ?? join(homedir(), '.local', 'share'), 'floe');
}
