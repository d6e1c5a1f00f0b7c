/**
 * Floe's desktop shell: one instance per user, the engine in a utility process, a tray
 * icon that always says how things stand, and a window onto the same local API and UI
 * that `floe daemon` serves. Logic worth testing lives in pure modules (tray-state,
 * tray-icon, engine-link's event parser); this file is wiring.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  Menu,
  nativeImage,
  Notification,
  shell,
  Tray,
  utilityProcess,
  type UtilityProcess,
} from 'electron';
import { defaultDataDir } from '../core/session/data-dir.js';
import { EngineLink, type EngineStatus } from './engine-link.js';
import { addonProblem, desktopAddons } from './setup/native-addons.js';
import type { HostMessage, MainMessage } from './messages.js';
import { trayIconPng } from './tray-icon.js';
import { trayView } from './tray-state.js';
import { setLinuxAutostart } from './autostart.js';
import { appMenu, openWindowAtStart, type MenuAction } from './desktop-shell.js';
import { newNotices, notices } from '../core/sync/notices.js';

const here = fileURLToPath(new URL('.', import.meta.url));
/** The status poll: cheap, and it catches what has no event (an epoch change, the network). */
const POLL_MS = 5_000;
/** How long quitting waits for the engine to flush the index and close the network. */
const STOP_TIMEOUT_MS = 15_000;

let host: UtilityProcess | null = null;
let link: EngineLink | null = null;
let tray: Tray | null = null;
let window: BrowserWindow | null = null;
let status: EngineStatus | null = null;
let quitting = false;

if (!app.requestSingleInstanceLock()) app.quit();
else {
  app.on('second-instance', () => showWindow());
  // Closing the window leaves Floe in the tray; quitting is the tray's (or the OS's) call.
  app.on('window-all-closed', () => undefined);
  app.on('before-quit', (event) => {
    if (quitting || !host) return;
    event.preventDefault();
    quitting = true;
    void stopEngine().finally(() => app.quit());
  });
  void app.whenReady().then(start);
}

async function start(): Promise<void> {
  tray = new Tray(icon('offline', null));
  tray.setToolTip('Floe is starting…');
  refreshTray();
  const ready = await startEngine();
  link = new EngineLink(ready.url, ready.token);
  ipcMain.on('floe:token', (e) => (e.returnValue = ready.token));
  ipcMain.handle('floe:pick-folder', async () => {
    const r = await dialog.showOpenDialog({ properties: ['openDirectory', 'createDirectory'] });
    return r.canceled ? null : (r.filePaths[0] ?? null);
  });
  void link.follow(refreshTray);
  // Left click (what Windows users do) opens the window; the menu stays on right click.
  tray.on('click', () => showWindow());
  setInterval(() => void poll(), POLL_MS).unref();
  await poll();
  const configured = (status?.folders.length ?? 0) > 0;
  if (
    openWindowAtStart({
      argv: process.argv,
      platform: process.platform,
      desktop: process.env.XDG_CURRENT_DESKTOP,
      configured,
    })
  )
    showWindow();
}

/**
 * Where the app's native addons are: the project in development, and beside app.asar when
 * packaged (native addons are unpacked from the archive to be loaded).
 */
function appRoot(): string {
  const path = app.getAppPath();
  return app.isPackaged ? path.replace(/app\.asar$/, 'app.asar.unpacked') : path;
}

/** Starts the engine's utility process and waits for its API address and token. */
function startEngine(): Promise<{ url: string; token: string }> {
  const staticDir = join(here, '..', 'renderer');
  const addons = desktopAddons(appRoot());
  // An addon built for Node's ABI would crash the engine at its first query: say so first.
  const problems = addons.map((a) => addonProblem(a, Number(process.versions.modules)));
  if (problems.some(Boolean))
    cannotStart(
      new Error(
        `${problems.filter(Boolean).join('\n')}\n\nStart Floe with "npm start": it builds them for Electron.`,
      ),
    );
  host = utilityProcess.fork(join(here, 'engine-host.js'), [defaultDataDir(), staticDir], {
    serviceName: 'Floe engine',
    // better-sqlite3's build for Electron, apart from the one the CLI loads on Node.
    env: {
      ...process.env,
      FLOE_SQLITE_BINDING: addons.find((a) => a.name === 'better-sqlite3')!.path,
    },
  });
  return new Promise((resolve, reject) => {
    host!.on('message', (m: HostMessage) => {
      if (m.type === 'ready') resolve(m);
      else if (m.type === 'failed') reject(new Error(m.message));
    });
    host!.once('exit', (code) => {
      host = null;
      if (!quitting) {
        dialog.showErrorBox('Floe stopped', `The engine exited (code ${code}). Restart Floe.`);
        app.quit();
      }
    });
  }).then((r) => r as { url: string; token: string }, cannotStart);
}

function cannotStart(error: Error): never {
  dialog.showErrorBox('Floe cannot start', error.message);
  app.exit(1);
  throw error;
}

async function stopEngine(): Promise<void> {
  link?.close();
  const proc = host;
  if (!proc) return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => (proc.kill(), resolve()), STOP_TIMEOUT_MS);
    proc.once('exit', () => (clearTimeout(timer), resolve()));
    proc.postMessage({ type: 'stop' } satisfies MainMessage);
  });
}

async function poll(): Promise<void> {
  if (!link) return;
  status = await link.status();
  notify();
  const settings = await link.settings();
  if (settings) await followStartAtLogin(settings.startAtLogin);
  refreshTray();
}

/**
 * Start at login, where each OS keeps it: the login items on macOS and Windows, an XDG
 * autostart entry on Linux (where `setLoginItemSettings` does nothing). Started at login,
 * Floe runs `--hidden`: the tray, no window.
 */
async function followStartAtLogin(on: boolean): Promise<void> {
  if (process.platform === 'linux') {
    // An AppImage runs from a temporary mount: the entry must start the AppImage itself.
    const exec = process.env.APPIMAGE ?? process.execPath;
    const args = app.isPackaged ? [exec, '--hidden'] : [exec, app.getAppPath(), '--hidden'];
    await setLinuxAutostart(on, args);
  } else if (app.getLoginItemSettings().openAtLogin !== on) {
    app.setLoginItemSettings({ openAtLogin: on, args: ['--hidden'] });
  }
}

/** Conditions shown so far (core/sync/notices.ts): each is shown once, and again when it changes. */
let noticed = new Set<string>();

function notify(): void {
  if (!status || !Notification.isSupported()) return;
  const { show, seen } = newNotices(notices(status), noticed);
  noticed = seen;
  for (const n of show) {
    const note = new Notification({ title: n.title, body: n.body });
    note.on('click', () => showWindow());
    note.show();
  }
}

function refreshTray(): void {
  if (!tray) return;
  const view = trayView({
    status,
    progress: link?.progress ?? null,
    engineUnreachable: !link || !status,
    paused: status?.paused ?? false,
    now: Date.now(),
  });
  tray.setImage(icon(view.icon, view.percent));
  tray.setToolTip(view.tooltip);
  tray.setContextMenu(
    Menu.buildFromTemplate(
      view.menu.map((item) => ({
        label: item.label,
        enabled: item.enabled,
        ...(item.action ? { click: () => void run(item.action!) } : {}),
      })),
    ),
  );
  Menu.setApplicationMenu(
    Menu.buildFromTemplate(
      appMenu({
        platform: process.platform,
        paused: status?.paused ?? false,
        reachable: !!link && !!status,
      }).map((menu) => ({
        label: menu.label,
        submenu: menu.submenu.map((item) =>
          item.separator
            ? { type: 'separator' as const }
            : {
                ...(item.label ? { label: item.label } : {}),
                ...(item.role ? { role: item.role } : {}),
                ...(item.accelerator ? { accelerator: item.accelerator } : {}),
                enabled: item.enabled ?? true,
                ...(item.action ? { click: () => void run(item.action!) } : {}),
              },
        ),
      })),
    ),
  );
}

async function run(action: MenuAction): Promise<void> {
  if (action === 'open') return showWindow();
  if (action === 'settings') return showWindow('/settings');
  if (action === 'quit') return app.quit();
  await link?.act(action === 'backup-now' ? 'backup' : action);
  await poll();
}

function icon(state: Parameters<typeof trayIconPng>[0], percent: number | null) {
  // 32 px at scale 2: a crisp 16-point icon on high-density screens, fine on others.
  return nativeImage.createFromBuffer(trayIconPng(state, percent, 32), { scaleFactor: 2 });
}

function showWindow(path = ''): void {
  if (!link) return;
  if (window) {
    if (path) void window.loadURL(`${link.url}${path}`);
    window.show();
    window.focus();
    return;
  }
  window = new BrowserWindow({
    width: 1100,
    height: 760,
    minWidth: 420,
    minHeight: 480,
    title: 'Floe',
    show: false,
    webPreferences: {
      preload: join(here, 'preload.cjs'),
      contextIsolation: true,
      nodeIntegration: false,
      sandbox: true,
    },
  });
  const origin = new URL(link.url).origin;
  // The page is the local API's; anything else opens in the user's browser, never here.
  window.webContents.setWindowOpenHandler(({ url }) => {
    if (url.startsWith('https://')) void shell.openExternal(url);
    return { action: 'deny' };
  });
  window.webContents.on('will-navigate', (e, url) => {
    if (new URL(url).origin !== origin) e.preventDefault();
  });
  window.once('ready-to-show', () => window?.show());
  window.on('closed', () => (window = null));
  void window.loadURL(`${link.url}${path || '/'}`);
}
