/**
 * Hard links within a folder, so a restore can link them again instead of writing the
 * same content to separate files. A group is named by its first member's path (in the
 * scanner's sorted walk, so the same files give the same name every run) and counts only
 * when two or more of its links are in the folder: a link whose partner lives elsewhere
 * is an ordinary file here.
 */
import { pathKey, type ScannedEntry } from './scanner.js';

/** Each linked file's path key → its group's name (the first member's path). */
export function hardLinkGroups(entries: readonly ScannedEntry[]): Map<string, Uint8Array> {
  const members = new Map<string, ScannedEntry[]>();
  for (const e of entries)
    if (e.hardLinkKey) members.set(e.hardLinkKey, [...(members.get(e.hardLinkKey) ?? []), e]);
  const groups = new Map<string, Uint8Array>();
  for (const group of members.values()) {
    if (group.length < 2) continue;
    for (const e of group) groups.set(pathKey(e.relPath), group[0]!.relPath);
  }
  return groups;
}
