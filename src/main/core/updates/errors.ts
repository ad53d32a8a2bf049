import { DaybookError, type ErrorCode } from '../../../shared/errors'

/** What went wrong with an update, for tests and logs to key on (the code is the contract's). */
export type UpdateFailure =
  | 'feed_unreachable'
  | 'insecure_url'
  | 'feed_malformed'
  | 'no_file_for_platform'
  | 'download_failed'
  | 'size_mismatch'
  | 'checksum_mismatch'
  | 'backup_failed'
  | 'backup_corrupt'

const CODE: Record<UpdateFailure, ErrorCode> = {
  feed_unreachable: 'platform_unreachable',
  insecure_url: 'invalid_input',
  feed_malformed: 'invalid_input',
  no_file_for_platform: 'not_found',
  download_failed: 'platform_unreachable',
  size_mismatch: 'conflict',
  checksum_mismatch: 'conflict',
  backup_failed: 'internal',
  backup_corrupt: 'conflict',
}

/**
 * A typed update failure: a DaybookError (so it crosses the boundary as data) that also names
 * exactly what failed in `reason`. Nothing is installed, replaced or kept after one.
 */
export class UpdateError extends DaybookError {
  readonly reason: UpdateFailure
  constructor(reason: UpdateFailure, message: string, details: Record<string, unknown> = {}) {
    super(CODE[reason], message, { reason, ...details })
    this.name = 'UpdateError'
    this.reason = reason
  }
}
