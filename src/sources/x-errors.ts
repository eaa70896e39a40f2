// Owns the errors of the X API client: what happened, and whether waiting or retrying can cure it.

export type XErrorCode =
  | 'X_RATE_LIMITED'
  | 'X_USAGE_CAPPED'
  | 'X_UNAUTHORIZED'
  | 'X_FORBIDDEN'
  | 'X_NOT_FOUND'
  | 'X_BAD_REQUEST'
  | 'X_UNAVAILABLE';

export class XApiError extends Error {
  constructor(
    readonly code: XErrorCode,
    message: string,
    readonly opts: { status?: number; resetAt?: Date; body?: unknown; endpoint?: string; cause?: unknown } = {},
  ) {
    super(message, { cause: opts.cause });
    this.name = 'XApiError';
  }

  get status(): number | undefined {
    return this.opts.status;
  }

  /** When a rate limit frees up again (429 or exhausted `x-rate-limit-remaining`). */
  get resetAt(): Date | undefined {
    return this.opts.resetAt;
  }

  /** 5xx, timeouts, dropped connections and cut-off bodies: a retry may succeed. */
  get retryable(): boolean {
    return this.code === 'X_UNAVAILABLE';
  }
}

/** True for an X problem `type` that waiting for the rate-limit reset does not cure. */
export function isUsageCapped(body: unknown): boolean {
  const type = (body as { type?: unknown } | undefined)?.type;
  const title = (body as { title?: unknown } | undefined)?.title;
  return (typeof type === 'string' && type.includes('usage-capped')) || (typeof title === 'string' && /usagecap/i.test(title));
}
