/**
 * The error envelope every API failure uses: {"error":{"code","message","field"?,"reason"?}}.
 * `reason` is the single sign-on refusal code (e.g. sso_disabled) where the server gives one.
 */
export interface ApiErrorBody {
  code: string;
  message: string;
  field?: string | undefined;
  reason?: string | undefined;
}

/** The closed set of codes the backend maps to HTTP statuses (see STYLE.md habit 3). */
export type ApiErrorCode =
  | 'invalid'
  | 'unprocessable'
  | 'not_found'
  | 'conflict'
  | 'unauthorized'
  | 'forbidden'
  | 'unavailable'
  | 'internal'
  | (string & {});

/**
 * A failed API call, staff or client area. `message` is the server's own, human-readable
 * message; `reason` the single sign-on refusal code, when the server gives one.
 */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly status: number;
  readonly code: ApiErrorCode;
  readonly field: string | undefined;
  readonly reason: string | undefined;

  constructor(status: number, body: ApiErrorBody) {
    super(body.message);
    this.status = status;
    this.code = body.code;
    this.field = body.field;
    this.reason = body.reason;
  }
}

/** Narrows an unknown value to the error envelope. */
export function parseErrorBody(value: unknown, status: number): ApiErrorBody {
  if (typeof value === 'object' && value !== null && 'error' in value) {
    const e = value.error;
    if (typeof e === 'object' && e !== null) {
      const o = e as Record<string, unknown>;
      if (typeof o.message === 'string' && o.message !== '') {
        return {
          code: typeof o.code === 'string' ? o.code : fallbackCode(status),
          message: o.message,
          field: typeof o.field === 'string' && o.field !== '' ? o.field : undefined,
          reason: typeof o.reason === 'string' && o.reason !== '' ? o.reason : undefined,
        };
      }
    }
  }
  return { code: fallbackCode(status), message: fallbackMessage(status) };
}

function fallbackCode(status: number): ApiErrorCode {
  if (status === 400) return 'invalid';
  if (status === 422) return 'unprocessable';
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not_found';
  if (status === 409) return 'conflict';
  if (status === 503 || status === 502 || status === 504) return 'unavailable';
  return 'internal';
}

function fallbackMessage(status: number): string {
  if (status === 401) return 'You are not signed in.';
  if (status === 403) return 'You do not have permission to do that.';
  if (status === 404) return 'Not found.';
  if (status >= 500) return 'The service is unavailable right now. Please try again.';
  return `The request failed (HTTP ${status}).`;
}

/** A readable message for any thrown value (ApiError, network failure, bug). */
export function errorMessage(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  if (err instanceof TypeError)
    return 'Cannot reach the service. Check your connection and try again.';
  if (err instanceof Error && err.message) return err.message;
  return 'Something went wrong.';
}
