/**
 * What Electron's preload script adds to the page as `window.floe`. In a plain browser
 * (a `floe daemon` opened by hand, or the tests) it is absent and the page falls back:
 * the token comes from the URL and folders are typed in, since a web page cannot open a
 * native folder picker.
 */
declare global {
  interface Window {
    floe?: {
      token?: string;
      pickFolder?: () => Promise<string | null>;
    };
  }
}

/** The native folder picker, when running inside the desktop app. */
export function folderPicker(): (() => Promise<string | null>) | null {
  const pick = window.floe?.pickFolder;
  return pick ? () => pick.call(window.floe) : null;
}

export function desktopToken(): string | null {
  return window.floe?.token ?? null;
}
