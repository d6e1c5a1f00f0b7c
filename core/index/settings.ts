/**
 * The settings a user (or a script) may change, and nothing else: each has a schema, a
 * default, and its own row in the index's settings table under its own name. Internal
 * rows such as the account address or the live index blobs share that table, which is
 * why writes go through this whitelist and never take a key from the request.
 */
import type { Index } from './index.js';
import { applyRetention, EmptyRetentionPolicyError } from '../repo/retention.js';
import { BUILTIN_EXCLUDES, OPTIONAL_EXCLUDES } from '../sync/ignore.js';
import { DEFAULT_RENEWAL } from '../sync/renewals.js';
import { ValidationError, type Infer, type Schema } from './validate.js';

const count = { type: 'integer', minimum: 0, maximum: 10_000 } as const;
const DAY_MS = 86_400_000;
/** Walrus sells storage at most 53 epochs ahead (two weeks each on mainnet: about two years). */
const MAX_EPOCHS_AHEAD = 53;

export const SETTINGS_SCHEMA = {
  type: 'object',
  properties: {
    /** Which snapshots `forget` keeps (restic semantics, see core/repo/retention.ts). */
    retention: {
      type: 'object',
      properties: {
        last: count,
        hourly: count,
        daily: count,
        weekly: count,
        monthly: count,
        yearly: count,
        withinMs: { type: 'integer', minimum: 0, maximum: 100 * 365 * DAY_MS },
      },
    },
    /** Extend live blobs ending within `windowEpochs` by `termEpochs`. */
    renewal: {
      type: 'object',
      properties: {
        windowEpochs: { type: 'integer', minimum: 1, maximum: MAX_EPOCHS_AHEAD },
        termEpochs: { type: 'integer', minimum: 1, maximum: MAX_EPOCHS_AHEAD },
      },
      required: ['windowEpochs', 'termEpochs'],
    },
    /**
     * Latency against batching: the longest a change waits before it is packed and
     * stored. Shorter backs up sooner; longer gathers more changes into fewer, fuller
     * packs, and every blob pays fixed metadata on every node.
     */
    packMaxWaitMs: { type: 'integer', minimum: 1_000, maximum: 3_600_000 },
    excludes: {
      type: 'object',
      properties: {
        /** Named groups of optional excludes (see OPTIONAL_EXCLUDES). */
        presets: {
          type: 'array',
          items: {
            type: 'string',
            enum: Object.keys(OPTIONAL_EXCLUDES) as (keyof typeof OPTIONAL_EXCLUDES)[],
          },
          uniqueItems: true,
        },
        /** Extra patterns in .floeignore (gitignore) syntax, one per item. */
        patterns: {
          type: 'array',
          items: { type: 'string', minLength: 1, maxLength: 1024, format: 'line' },
          maxItems: 1000,
        },
      },
      required: ['presets', 'patterns'],
    },
    /** Upload bandwidth limit in KiB/s; 0 for none (a store sends ~5× the data). */
    uploadLimitKiBps: { type: 'integer', minimum: 0, maximum: 10_000_000 },
    /**
     * The safety valve against mass deletion: a scan that finds more than this share (%)
     * of a folder's files gone — or the folder empty — holds the folder until the user
     * confirms (100: only an emptied folder is held).
     */
    holdDeletionsPercent: { type: 'integer', minimum: 1, maximum: 100 },
    /**
     * A Walrus upload relay to store through (empty: send slivers to the storage nodes
     * directly). The blob goes up once instead of ~5×; the relay may charge a tip in SUI.
     */
    uploadRelayUrl: { type: 'string', maxLength: 2048, format: 'httpUrlOrEmpty' },
    /** The most SUI (MIST) a relay may be tipped for one blob; a store asking more fails. */
    uploadRelayMaxTipMist: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
    /**
     * The automatic spot-check (core/sync/spot-check-schedule.ts): every `intervalHours`
     * (0: never) a `samplePercent` % sample of every node's slivers is fetched and
     * verified; the tray warns when fewer than `warnMarginNodes` more node failures would
     * make some snapshot's data unrecoverable.
     */
    spotCheck: {
      type: 'object',
      properties: {
        intervalHours: { type: 'integer', minimum: 0, maximum: 24 * 366 },
        samplePercent: { type: 'integer', minimum: 1, maximum: 100 },
        warnMarginNodes: { type: 'integer', minimum: 0, maximum: 1000 },
      },
      required: ['intervalHours', 'samplePercent', 'warnMarginNodes'],
    },
    startAtLogin: { type: 'boolean' },
    network: { type: 'string', enum: ['localnet', 'testnet', 'mainnet'] },
    /**
     * A localnet that runs elsewhere — a home server's `floe localnet start --listen` — to
     * use instead of the user's own on this machine (empty: the user's own).
     */
    localnetUrl: { type: 'string', maxLength: 2048, format: 'httpUrlOrEmpty' },
  },
} as const satisfies Schema;

export type Settings = Required<Infer<typeof SETTINGS_SCHEMA>>;
type SettingName = keyof Settings;

export const DEFAULT_SETTINGS: Settings = {
  retention: { last: 10, daily: 7, weekly: 4, monthly: 12, yearly: 3 },
  renewal: { ...DEFAULT_RENEWAL },
  packMaxWaitMs: 30_000,
  excludes: { presets: [], patterns: [] },
  uploadLimitKiBps: 0,
  holdDeletionsPercent: 50,
  uploadRelayUrl: '',
  uploadRelayMaxTipMist: 10_000_000,
  // Daily, 1 %: for 1 GiB of backups about 50 MiB of slivers a day.
  spotCheck: { intervalHours: 24, samplePercent: 1, warnMarginNodes: 2 },
  startAtLogin: false,
  network: 'localnet',
  localnetUrl: '',
};

const NAMES = Object.keys(SETTINGS_SCHEMA.properties) as SettingName[];

export function readSettings(index: Index): Settings {
  return Object.fromEntries(
    NAMES.map((name) => [name, index.getSetting(name, DEFAULT_SETTINGS[name])]),
  ) as Settings;
}

/**
 * Applies the changes (a validated subset of the settings; the others stay as they are)
 * and returns all settings. Everything is checked before anything is written, and
 * written in one transaction: a request with one bad field changes nothing.
 */
export function updateSettings(index: Index, changes: Infer<typeof SETTINGS_SCHEMA>): Settings {
  if (changes.retention) {
    try {
      applyRetention([], changes.retention);
    } catch (error) {
      if (error instanceof EmptyRetentionPolicyError)
        throw new ValidationError('retention', `is not usable: ${error.message}`);
      throw error;
    }
  }
  index.transaction(() => {
    for (const name of NAMES)
      if (changes[name] !== undefined) index.setSetting(name, changes[name]);
  });
  return readSettings(index);
}

/** The exclusion patterns a backup and the watcher apply: built-in, chosen presets, the user's own. */
export function excludePatterns(settings: Settings): string[] {
  return [
    ...BUILTIN_EXCLUDES,
    ...settings.excludes.presets.flatMap((p) => OPTIONAL_EXCLUDES[p]),
    ...settings.excludes.patterns,
  ];
}

/** How the Walrus client uploads, from the settings: bandwidth limit and upload relay. */
export function uploadOptions(settings: Settings): {
  uploadBytesPerSecond?: number;
  uploadRelay?: { url: string; maxTipMist: bigint };
} {
  return {
    ...(settings.uploadLimitKiBps > 0
      ? { uploadBytesPerSecond: settings.uploadLimitKiBps * 1024 }
      : {}),
    ...(settings.uploadRelayUrl
      ? {
          uploadRelay: {
            url: settings.uploadRelayUrl,
            maxTipMist: BigInt(settings.uploadRelayMaxTipMist),
          },
        }
      : {}),
  };
}
