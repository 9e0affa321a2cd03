// The error classes every call rejects with. Plain JS so that they extend Error and
// `instanceof` works; the wasm core builds them through `__fromCore`.

/** Base class of every error this package throws or rejects with. Subclasses take their
 *  fields as the second argument and the standard `{ cause }` options as the third. */
export class TailscaleError extends Error {
  constructor(message, fields, options) {
    super(message, options);
  }
}

/** Bad input, found before any request was sent. `issues` lists every problem. */
export class TailscaleValidationError extends TailscaleError {
  constructor(message, fields = {}, options) {
    super(message, fields, options);
    this.issues = fields.issues ?? [];
  }
}

/** The API answered with a status >= 400, or with a redirect, which is never followed. The
 *  message names the method, the path and the status, then the API's own message. */
export class TailscaleApiError extends TailscaleError {
  constructor(message, fields = {}, options) {
    super(message, fields, options);
    this.status = fields.status;
    this.method = fields.method;
    this.path = fields.path;
    this.retryable = fields.retryable ?? false;
    if (fields.data !== undefined) this.data = fields.data;
    if (fields.retryAfterMs !== undefined) this.retryAfterMs = fields.retryAfterMs;
    if (fields.location !== undefined) this.location = fields.location;
  }
}

/** A successful status with a body that is not what the call returns: not JSON, truncated,
 *  wrongly shaped, or over `maxResponseBytes`. */
export class TailscaleResponseError extends TailscaleError {
  constructor(message, fields = {}, options) {
    super(message, fields, options);
    this.status = fields.status;
    this.method = fields.method;
    this.path = fields.path;
  }
}

/** The request could not be completed (after retries); `cause` holds the runtime's error. */
export class TailscaleNetworkError extends TailscaleError {
  constructor(message, fields = {}, options) {
    super(message, fields, options);
    this.method = fields.method;
    this.path = fields.path;
    this.retryable = fields.retryable ?? false;
  }
}

/** An attempt took longer than `timeoutMs` (after retries). */
export class TailscaleTimeoutError extends TailscaleError {
  constructor(message, fields = {}, options) {
    super(message, fields, options);
    this.method = fields.method;
    this.path = fields.path;
    this.retryable = fields.retryable ?? false;
    this.timeoutMs = fields.timeoutMs;
  }
}

/** An OAuth authorization callback carried `error`: the person declined (`access_denied`), or
 *  the authorization server refused the request. */
export class TailscaleAuthorizationError extends TailscaleError {
  constructor(message, fields = {}, options) {
    super(message, fields, options);
    this.error = fields.error;
    if (fields.description !== undefined) this.description = fields.description;
  }
}

// `name` on the prototype: correct in stacks and `String(err)`, and not an own property that
// clutters `util.inspect`.
for (const cls of [TailscaleError, TailscaleValidationError, TailscaleApiError, TailscaleResponseError, TailscaleNetworkError, TailscaleTimeoutError, TailscaleAuthorizationError]) {
  Object.defineProperty(cls.prototype, "name", { value: cls.name, enumerable: false, configurable: true, writable: true });
}

const byKind = {
  validation: TailscaleValidationError,
  api: TailscaleApiError,
  response: TailscaleResponseError,
  network: TailscaleNetworkError,
  timeout: TailscaleTimeoutError,
  authorization: TailscaleAuthorizationError,
};

/** @internal Called by the wasm core. */
export function __fromCore(kind, message, fields, cause) {
  const Cls = byKind[kind] ?? TailscaleError;
  return new Cls(message, fields, cause === undefined ? undefined : { cause });
}
