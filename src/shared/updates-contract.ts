import { z } from 'zod'

/**
 * The renderer↔core contract for installers and automatic updates: where the till looks for
 * updates, when it may install one, and what the updater last saw. Spread into `channels`
 * (contract.ts). The shell's updater (src/main/updater.ts) asks the core the same way a window
 * does: 'update-config' for the address, 'update-prepare-install' before any install.
 */

/**
 * Whether a URL's host is this computer: `localhost`, 127.0.0.0/8 or `[::1]` (as `URL` normalises
 * them: `127.1` and `0x7f.0.0.1` are `127.0.0.1` by then). Only these may be reached over plain
 * http: anywhere else the feed and the installer come from the same server, so over http their
 * SHA-512 proves nothing — whoever is on the network path could serve both.
 */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase()
  return h === 'localhost' || h === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h)
}

/** Whether a URL may carry an update: https, or http to this computer only. */
export function isSecureUpdateUrl(url: URL): boolean {
  return url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname))
}

export const UPDATE_URL_NOT_HTTPS =
  'The update server must be an https:// address (plain http:// only for this computer: localhost, 127.0.0.1, [::1], for testing)'

/**
 * An update server: https (http only to a loopback host), no credentials, no query or fragment
 * (electron-updater appends `/latest.yml`).
 */
export const UpdateServerUrlSchema = z
  .string()
  .trim()
  .max(300)
  .superRefine((u, ctx) => {
    let url: URL | null = null
    try {
      url = new URL(u)
    } catch {
      url = null
    }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.username || url.password || url.search || url.hash) {
      ctx.addIssue({ code: 'custom', message: 'an update server address like https://updates.example.com/daybook/stable' })
    } else if (!isSecureUpdateUrl(url)) {
      ctx.addIssue({ code: 'custom', message: `${UPDATE_URL_NOT_HTTPS}, like https://updates.example.com/daybook/stable` })
    }
  })

/** The owner's install window: from 30 minutes to 6 hours (Settings → Updates offers 30 min, 1, 2, 3 and 6 h). */
export const INSTALL_WINDOW_MINUTES = { min: 30, max: 360 } as const

/** A clock time in the store's time zone, 24-hour `HH:MM`. */
export const ClockTimeSchema = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time like 03:30')

/**
 * Part of the store settings (`settings.updates`). No server: the till never looks for updates.
 * `installAt` null: an update installs only when Daybook quits; otherwise also from that time for
 * `windowMinutes`, when nothing is in progress.
 */
export const UpdateSettingsSchema = z.strictObject({
  serverUrl: UpdateServerUrlSchema.nullable(),
  installAt: ClockTimeSchema.nullable(),
  windowMinutes: z.number().int().min(INSTALL_WINDOW_MINUTES.min).max(INSTALL_WINDOW_MINUTES.max),
})
export type UpdateSettings = z.infer<typeof UpdateSettingsSchema>
export const DEFAULT_UPDATE_SETTINGS: UpdateSettings = { serverUrl: null, installAt: null, windowMinutes: 60 }

/** Why an install must wait; each is a thing a person can see on the till. */
export const UNSAFE_REASONS = ['open_checkout', 'attempt_in_flight', 'refund_pending', 'void_pending', 'outbox_sending', 'outside_window', 'no_window'] as const
export type UnsafeReason = (typeof UNSAFE_REASONS)[number]

export const INSTALL_TRIGGERS = ['quit', 'scheduled'] as const
export type InstallTrigger = (typeof INSTALL_TRIGGERS)[number]

export const UPDATER_STATES = ['idle', 'checking', 'up_to_date', 'downloading', 'downloaded', 'installing', 'error', 'disabled'] as const

/** What the shell's updater last told the core (kept in memory; shown in Settings). */
export const UpdaterReportSchema = z.strictObject({
  state: z.enum(UPDATER_STATES),
  currentVersion: z.string().max(64),
  availableVersion: z.string().max(64).nullable(),
  message: z.string().max(500).nullable(),
  at: z.string().max(40),
})
export type UpdaterReport = z.infer<typeof UpdaterReportSchema>

export const BackupInfoSchema = z.object({
  file: z.string(),
  bytes: z.number(),
  userVersion: z.number(),
  events: z.number(),
  checkedAt: z.string(),
})
export type BackupInfo = z.infer<typeof BackupInfoSchema>

export const SafeMomentSchema = z.object({ safe: z.boolean(), reasons: z.array(z.enum(UNSAFE_REASONS)) })

export const UpdateStatusSchema = z.object({
  settings: UpdateSettingsSchema,
  report: UpdaterReportSchema.nullable(),
  /** Whether an install at quit would go ahead now, and if not, why. */
  atQuit: SafeMomentSchema,
  dataFolder: z.string(),
  backupFolder: z.string(),
})
export type UpdateStatus = z.infer<typeof UpdateStatusSchema>

/**
 * Channels only the shell's updater may call. The core refuses them on every transport
 * (Core.invoke / Core.handle answer 'forbidden', with or without a session); only
 * Core.invokeFromShell runs them, which the Electron main process alone reaches (its callCore →
 * the core host's 'shell-invoke' message). The main process also refuses them from a window.
 */
export const SHELL_ONLY_UPDATE_CHANNELS: readonly string[] = ['update-prepare-install', 'update-report', 'update-after-start']

export const updatesChannels = {
  'update-status': { input: z.strictObject({}).optional(), output: UpdateStatusSchema, auth: 'staff' },
  /** Only the owner sets the update server and the install time (anyone signed in may read them: 'update-status'). */
  'update-settings-save': { input: UpdateSettingsSchema, output: UpdateSettingsSchema, auth: 'owner' },
  /** For the shell's updater: the server address and install window (nothing secret). */
  'update-config': {
    input: z.strictObject({}).optional(),
    output: z.object({ settings: UpdateSettingsSchema, timeZone: z.string() }),
    auth: 'none',
  },
  /** The shell's updater says what it is doing. */
  'update-report': { input: UpdaterReportSchema, output: z.null(), auth: 'none' },
  /**
   * Before an install: is it a safe moment (nothing in progress, and quit time or the owner's
   * window)? If so, a backup of the ledger is taken and checked; only then is `safe` true.
   */
  'update-prepare-install': {
    input: z.strictObject({
      trigger: z.enum(INSTALL_TRIGGERS),
      /** The running app's version: the backup is named after it (a backup taken on this version that did not lead to an install is replaced by the next). */
      version: z.string().regex(/^[0-9A-Za-z.+-]{1,64}$/, 'a version like 0.2.0'),
    }),
    output: z.object({ safe: z.boolean(), reasons: z.array(z.enum(UNSAFE_REASONS)), backup: BackupInfoSchema.nullable() }),
    auth: 'none',
  },
  /** After a start on a new version: the verifier's verdict on the migrated ledger. */
  'update-after-start': {
    input: z.strictObject({ version: z.string().max(64), previousVersion: z.string().max(64).nullable() }),
    output: z.object({ ok: z.boolean(), message: z.string(), backupFolder: z.string() }),
    auth: 'none',
  },
} as const
