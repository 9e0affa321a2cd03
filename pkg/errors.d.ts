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
 *  a credential or a request body must not reach an origin the caller did not name. */
export declare class TailscaleApiError extends TailscaleError {
  /**
   * Creates the error. The client makes these itself; wrappers and tests may too.
   * @param message the API's message
   * @param fields status, method, path, data, retryAfterMs, location
   * @param options `{ cause }`
   */
  constructor(message: string, fields?: Partial<Pick<TailscaleApiError, "status" | "method" | "path" | "data" | "retryAfterMs" | "location">>, options?: ErrorOptions);
  /** The HTTP status, such as 400, 403, 404, 429 or 307; 0 for a redirect in a browser, which
   *  hides a redirect's status (an opaque response). */
  readonly status: number;
  /** The HTTP method of the failed request. */
  readonly method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** The request path, from `/api/v2`, without the query. */
  readonly path: string;
  /** The API's `data` field, when it sent one. */
  readonly data?: unknown;
  /** From the `Retry-After` header (seconds or HTTP date), when the API sent one. */
  readonly retryAfterMs?: number;
  /** Where a redirect pointed, when the runtime exposes it (Node, Deno, Bun, workerd; not
   *  browsers). */
  readonly location?: string;
}

/** A successful status with a body that is not what the call returns: not JSON, truncated,
 *  wrongly shaped (a member of the wrong type, or a field the types promise, such as `Key.id`,
 *  missing), or over 10 MiB. Never retried. */
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

/** The request could not be completed (after retries): the connection failed or dropped. */
export declare class TailscaleNetworkError extends TailscaleError {
  /**
   * Creates the error. The client makes these itself; wrappers and tests may too.
   * @param message what could not be completed
   * @param fields unused
   * @param options `{ cause }`
   */
  constructor(message?: string, fields?: object, options?: ErrorOptions);
  /** The runtime's own error (for example `TypeError: fetch failed`). */
  readonly cause?: unknown;
}

/** An attempt took longer than `timeoutMs` (after retries). */
export declare class TailscaleTimeoutError extends TailscaleError {
  /**
   * Creates the error. The client makes these itself; wrappers and tests may too.
   * @param message a summary
   * @param fields `{ timeoutMs }`
   * @param options `{ cause }`
   */
  constructor(message: string, fields?: { timeoutMs?: number }, options?: ErrorOptions);
  /** The per-attempt limit that was exceeded. */
  readonly timeoutMs: number;
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
