/**
 * The engine's process inside the desktop app (an Electron utilityProcess): the same
 * daemon `floe daemon` runs — engine, local API, the UI's files — so encoding and hashing
 * never block the window. It tells the main process where the API listens and its token,
 * and stops cleanly (index flushed, network closed) when asked.
 */
import { startDaemon, type Daemon } from '../core/api/daemon.js';
import type { HostMessage, MainMessage } from './messages.js';

const [dataDir, staticDir] = process.argv.slice(2);
const port = process.parentPort;
const send = (m: HostMessage) => port.postMessage(m);

let daemon: Daemon | null = null;
port.on('message', (e) => {
  const message = e.data as MainMessage;
  if (message.type === 'stop') void stop();
});

async function stop(): Promise<void> {
  await daemon?.stop();
  send({ type: 'stopped' });
  process.exit(0);
}

try {
  daemon = await startDaemon({ dataDir: dataDir!, ...(staticDir ? { staticDir } : {}) });
  send({ type: 'ready', url: daemon.url, token: daemon.token });
} catch (error) {
  send({ type: 'failed', message: (error as Error).message });
  process.exit(1);
}
