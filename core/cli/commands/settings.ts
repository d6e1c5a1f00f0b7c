/**
 * `floe settings`: what the desktop app's Settings screen shows and changes, from the
 * command line. `floe settings` prints them; `floe settings set NAME VALUE` changes one,
 * checked against the same schema the local API uses (VALUE is JSON where it parses as
 * JSON — numbers, booleans, objects — and a plain string otherwise).
 */
import { readSettings, SETTINGS_SCHEMA, updateSettings } from '../../index/settings.js';
import { validate, ValidationError } from '../../index/validate.js';
import { UsageError } from '../errors.js';
import type { CommandContext } from '../main.js';
import { openDataDir } from '../../session/session.js';

const USAGE = 'usage: floe settings [set NAME VALUE]';

export async function settingsCommand(args: string[], ctx: CommandContext): Promise<number> {
  const [sub, name, value, ...extra] = args;
  if (
    sub !== undefined &&
    (sub !== 'set' || name === undefined || value === undefined || extra.length)
  )
    throw new UsageError(USAGE);
  const session = await openDataDir(ctx);
  const { index } = session;
  try {
    if (sub === 'set') {
      if (!Object.hasOwn(SETTINGS_SCHEMA.properties, name!))
        throw new UsageError(
          `"${name}" is not a setting; they are: ${Object.keys(SETTINGS_SCHEMA.properties).join(', ')}`,
        );
      try {
        updateSettings(index, validate(SETTINGS_SCHEMA, { [name!]: parse(value!) }));
      } catch (error) {
        if (error instanceof ValidationError) throw new UsageError(error.message);
        throw error;
      }
    }
    const settings = readSettings(index);
    if (ctx.json) ctx.out(JSON.stringify(settings));
    else
      for (const [key, v] of Object.entries(settings))
        ctx.out(`${key.padEnd(22)} ${JSON.stringify(v)}`);
    return 0;
  } finally {
    await session.close();
  }
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
