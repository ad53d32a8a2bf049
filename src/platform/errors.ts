import { PLATFORM_ERROR_STATUS, type PlatformError, type PlatformErrorCode } from '../shared/platform-api'

/** A refusal with a stable code; the app turns it into `{ error: { code, message, details? } }`. */
export class PlatformHttpError extends Error {
  readonly status: number
  constructor(
    readonly code: PlatformErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message)
    this.status = PLATFORM_ERROR_STATUS[code]
  }

  toBody(): PlatformError {
    return { error: { code: this.code, message: this.message, ...(this.details === undefined ? {} : { details: this.details }) } }
  }
}

export function fail(code: PlatformErrorCode, message: string, details?: unknown): never {
  throw new PlatformHttpError(code, message, details)
}
