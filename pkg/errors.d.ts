import type { ValidationIssue } from "./dist/models.js";

/** Base class of every error this package throws or rejects with. */
export declare class TailscaleError extends Error {
  constructor(message?: string, fields?: object, options?: ErrorOptions);
}

/** Bad input, found before any request was sent. */
export declare class TailscaleValidationError extends TailscaleError {
  constructor(message: string, fields?: { issues?: ValidationIssue[] }, options?: ErrorOptions);
  /** Every problem found, each with the field it concerns. */
  readonly issues: ValidationIssue[];
}

/** The API answered with a status >= 400. */
export declare class TailscaleApiError extends TailscaleError {
  constructor(message: string, fields?: Partial<Pick<TailscaleApiError, "status" | "method" | "path" | "data" | "retryAfterMs">>, options?: ErrorOptions);
  /** The HTTP status, such as 400, 403, 404 or 429. */
  readonly status: number;
  /** The HTTP method of the failed request. */
  readonly method: "GET" | "POST" | "PUT" | "DELETE";
  /** The request path, from `/api/v2`, without the query. */
  readonly path: string;
  /** The API's `data` field, when it sent one. */
  readonly data?: unknown;
  /** From the `Retry-After` header (seconds or HTTP date), when the API sent one. */
  readonly retryAfterMs?: number;
}

/** A successful status with a body that is not what the call returns: not JSON, truncated,
 *  wrongly shaped, or over 10 MiB. */
export declare class TailscaleResponseError extends TailscaleError {
  constructor(message: string, fields?: Partial<Pick<TailscaleResponseError, "status" | "method" | "path">>, options?: ErrorOptions);
  readonly status: number;
  readonly method: "GET" | "POST" | "PUT" | "DELETE";
  readonly path: string;
}

/** The request could not be completed (after retries). */
export declare class TailscaleNetworkError extends TailscaleError {
  constructor(message?: string, fields?: object, options?: ErrorOptions);
  /** The runtime's own error (for example `TypeError: fetch failed`). */
  readonly cause?: unknown;
}

/** An attempt took longer than `timeoutMs` (after retries). */
export declare class TailscaleTimeoutError extends TailscaleError {
  constructor(message: string, fields?: { timeoutMs?: number }, options?: ErrorOptions);
  /** The per-attempt limit that was exceeded. */
  readonly timeoutMs: number;
}
