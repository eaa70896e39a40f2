// Owns the project's error types: each has a stable `code` the API and logs can rely on.
export class AppError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 500,
    readonly details?: unknown,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'AppError';
  }
}

export class NotFoundError extends AppError {
  constructor(what: string, id: string | number) {
    super('NOT_FOUND', `${what} ${id} was not found`, 404);
  }
}

export class ValidationError extends AppError {
  constructor(message: string, details?: unknown) {
    super('INVALID_REQUEST', message, 400, details);
  }
}

/** Turns anything thrown into an Error, once, at a boundary. */
export function coerceError(err: unknown): Error {
  if (err instanceof Error) return err;
  return new Error(typeof err === 'string' ? err : JSON.stringify(err));
}
