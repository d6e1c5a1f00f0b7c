/**
 * Run inside `dbus-run-session`: starts an unlocked gnome-keyring (the Secret Service a
 * Linux desktop provides), exercises Floe's keychain store against it, prints the outcome
 * as JSON, and stops the keyring it started by its pid.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { openKeychain } from '../../core/repo/secret-store.js';

const daemon = spawn('gnome-keyring-daemon', ['--foreground', '--unlock', '--components=secrets'], {
  stdio: ['pipe', 'pipe', 'ignore'],
});
daemon.stdin.end('test-password');
await new Promise((resolve) => setTimeout(resolve, 700));
try {
  const store = await openKeychain();
  await store.set('0xabc', 'word '.repeat(24).trim());
  const got = await store.get('0xabc');
  await store.delete('0xabc');
  const afterDelete = await store.get('0xabc');
  console.log(JSON.stringify({ kind: store.kind, got, afterDelete }));
} finally {
  daemon.kill('SIGTERM');
  if (daemon.exitCode === null) await once(daemon, 'exit');
}
