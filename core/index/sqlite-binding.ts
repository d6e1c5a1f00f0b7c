/**
 * Which compiled better-sqlite3 this process loads. better-sqlite3's binary is tied to
 * one runtime's ABI: on Node (the CLI, `floe daemon`, the tests) it is the package's own
 * build; the desktop app runs the engine on Electron and names a build made for
 * Electron's ABI (main/setup/electron-sqlite.ts) in FLOE_SQLITE_BINDING, which the
 * processes it starts (a background localnet) inherit.
 */
import type Database from 'better-sqlite3';

export function sqliteOptions(): Database.Options {
  const binding = process.env.FLOE_SQLITE_BINDING;
  return binding ? { nativeBinding: binding } : {};
}
