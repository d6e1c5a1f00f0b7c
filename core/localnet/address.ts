/**
 * Where a localnet's servers listen and the URL others reach them at: loopback, unless
 * `floe localnet start --listen ADDRESS` names the address other machines reach this one
 * at (a home server). The URL is what the committee lists, so it must be that address,
 * never a wildcard.
 */
export const LOOPBACK = '127.0.0.1';

export function serverUrl(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** The host part of a server URL, as `listen` takes it (IPv6 without its brackets). */
export function urlHost(url: string): string {
  return new URL(url).hostname.replace(/^\[(.*)\]$/, '$1');
}
