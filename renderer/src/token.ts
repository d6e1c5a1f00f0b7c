/**
 * The API token for this run. Inside the desktop app the preload hands it over. In a
 * browser it arrives in the URL fragment (`http://127.0.0.1:PORT/#token=…`, as the daemon
 * prints it): browsers never send a fragment to a server, so it stays out of logs. It is
 * then kept in sessionStorage, which survives reloads but not the tab, and taken out of
 * the address bar so it is not bookmarked, shared or left in a screenshot.
 */
import { desktopToken } from './desktop.js';

const STORAGE_KEY = 'floe.token';

export function apiToken(): string | null {
  const fromDesktop = desktopToken();
  if (fromDesktop) return fromDesktop;
  const fragment = new URLSearchParams(location.hash.slice(1));
  const fromUrl = fragment.get('token');
  if (fromUrl) {
    sessionStorage.setItem(STORAGE_KEY, fromUrl);
    fragment.delete('token');
    const rest = fragment.toString();
    history.replaceState(
      history.state,
      '',
      location.pathname + location.search + (rest ? `#${rest}` : ''),
    );
    return fromUrl;
  }
  return sessionStorage.getItem(STORAGE_KEY);
}

/** A token the server refused (Floe restarted with a new one): forget it. */
export function forgetToken(): void {
  sessionStorage.removeItem(STORAGE_KEY);
}
