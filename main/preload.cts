/**
 * The window's only bridge to the desktop (contextIsolation on, sandbox on, no Node in
 * the page): the API token for this run, asked of the main process rather than put on a
 * command line where other processes could read it, and the native folder picker.
 * CommonJS because sandboxed preloads cannot be ES modules.
 */
import electron = require('electron');

const { contextBridge, ipcRenderer } = electron;

contextBridge.exposeInMainWorld('floe', {
  token: ipcRenderer.sendSync('floe:token') as string,
  pickFolder: () => ipcRenderer.invoke('floe:pick-folder') as Promise<string | null>,
});
