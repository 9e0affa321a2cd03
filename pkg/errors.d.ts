import type { ValidationIssue } from "./dist/models.js";

/** Base class of every error this package throws or rejects with. */
export declare class TailscaleError extends Error {
  /**
   * Creates the error. The client makes these itself; wrappers and tests may too.
   * @param message what went wrong
   * @param fields the subclass's fields
   * @param options `{ cause }`
   */
  constructor(message?: string, fields?: object, options?: ErrorOptions);
}

/** Bad input, found before any request was sent (or a bad constructor call, thrown). */
export declare class TailscaleValidationError extends TailscaleError {
  /**
   * Creates the error. The client makes these itself; wrappers and tests may too.
   * @param message a summary
   * @param fields `{ issues }`
   * @param options `{ cause }`
   */
  constructor(message: string, fields?: { issues?: ValidationIssue[] }, options?: ErrorOptions);
  /** Every problem found, each with the field it concerns. */
  readonly issues: ValidationIssue[];
}

/** The API answered with a status >= 400, or with a redirect (3xx), which is never followed:
 *  a credential or a request body must not reach an origin the caller did not name. The
 *  message names the method, the path (never the query) and the status, then the API's own
 *  message: `GET /api/v2/device/n123 failed with 404: device not found`. */
export declare class TailscaleApiError extends TailscaleError {
  /**
   * Creates the error. The client makes these itself; wrappers and tests may too.
   * @param message what failed, and the API's message
   * @param fields status, method, path, data, retryAfterMs, location, retryable
   * @param options `{ cause }`
   */
  constructor(message: string, fields?: Partial<Pick<TailscaleApiError, "status" | "method" | "path" | "data" | "retryAfterMs" | "location" | "retryable">>, options?: ErrorOptions);
  /** The HTTP status, such as 400, 403, 404, 429 or 307; 0 for a redirect in a browser, which
   *  hides a redirect's status (an opaque response). */
  readonly status: number;
  /** The HTTP method of the failed request. */
  readonly method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** The request path, from `/api/v2`, without the query. */
  readonly path: string;
  /** The API's `data` field, when it sent one. */
  readonly data?: unknown;
  /** From the `Retry-After` header (seconds or HTTP date), when the API sent one. A wait longer
   *  than 20 s is not waited out: the call fails at once, and this says when to try again. */
  readonly retryAfterMs?: number;
  /** Where a redirect pointed, when the runtime exposes it (Node, Deno, Bun, workerd; not
   *  browsers). */
  readonly location?: string;
  /** Whether trying the call again is safe and may help: what the retry policy says for this
   *  operation and failure, whatever attempts were left (a 429, or a 502, 503, 504, a dropped
   *  connection or a timeout on an idempotent call). A call that may have been processed, such
   *  as a create, is never retryable: trying it again could do its work twice. */
  readonly retryable: boolean;
}

/** A successful status with a body that is not what the call returns: not JSON, truncated,
 *  wrongly shaped (a member of the wrong type, or a field the types promise, such as `Key.id`,
 *  missing), or over `maxResponseBytes`. Never retried. */
export declare class TailscaleResponseError extends TailscaleError {
  /**
   * Creates the error. The client makes these itself; wrappers and tests may too.
   * @param message what is wrong with the body
   * @param fields status, method, path
   * @param options `{ cause }`
   */
  constructor(message: string, fields?: Partial<Pick<TailscaleResponseError, "status" | "method" | "path">>, options?: ErrorOptions);
  /** The HTTP status the body came with. */
  readonly status: number;
  /** The HTTP method of the request. */
  readonly method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** The request path, from `/api/v2`, without the query. */
  readonly path: string;
}

/** The request could not be completed (after retries): the connection failed or dropped. The
 *  message names the method and the path, then the runtime's reason. */
export declare class TailscaleNetworkError extends TailscaleError {
  /**
   * Creates the error. The client makes these itself; wrappers and tests may too.
   * @param message what could not be completed
   * @param fields method, path, retryable
   * @param options `{ cause }`
   */
  constructor(message?: string, fields?: Partial<Pick<TailscaleNetworkError, "method" | "path" | "retryable">>, options?: ErrorOptions);
  /** The runtime's own error (for example `TypeError: fetch failed`). */
  readonly cause?: unknown;
  /** The HTTP method of the failed request. */
  readonly method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** The request path, from `/api/v2`, without the query. */
  readonly path: string;
  /** Whether trying the call again is safe and may help: what the retry policy says for this
   *  operation and failure, whatever attempts were left (a 429, or a 502, 503, 504, a dropped
   *  connection or a timeout on an idempotent call). A call that may have been processed, such
   *  as a create, is never retryable: trying it again could do its work twice. */
  readonly retryable: boolean;
}

/** An attempt took longer than `timeoutMs` (after retries). The message names the method and
 *  the path. */
export declare class TailscaleTimeoutError extends TailscaleError {
  /**
   * Creates the error. The client makes these itself; wrappers and tests may too.
   * @param message a summary
   * @param fields timeoutMs, method, path, retryable
   * @param options `{ cause }`
   */
  constructor(message: string, fields?: Partial<Pick<TailscaleTimeoutError, "timeoutMs" | "method" | "path" | "retryable">>, options?: ErrorOptions);
  /** The per-attempt limit that was exceeded. */
  readonly timeoutMs: number;
  /** The HTTP method of the failed request. */
  readonly method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** The request path, from `/api/v2`, without the query. */
  readonly path: string;
  /** Whether trying the call again is safe and may help: what the retry policy says for this
   *  operation and failure, whatever attempts were left (a 429, or a 502, 503, 504, a dropped
   *  connection or a timeout on an idempotent call). A call that may have been processed, such
   *  as a create, is never retryable: trying it again could do its work twice. */
  readonly retryable: boolean;
}

/** An OAuth authorization callback carried `error` (`DeviceProvisioning.parseCallback`): the
 *  person declined, or the authorization server refused the request. */
export declare class TailscaleAuthorizationError extends TailscaleError {
  /**
   * Creates the error. The client makes these itself; wrappers and tests may too.
   * @param message a summary
   * @param fields `{ error, description }`
   * @param options `{ cause }`
   */
  constructor(message: string, fields?: { error?: string; description?: string }, options?: ErrorOptions);
  /** The OAuth error code (RFC 6749 §4.1.2.1), such as `access_denied` or `invalid_scope`. */
  readonly error: string;
  /** The `error_description` the callback carried, if any. */
  readonly description?: string;
}
