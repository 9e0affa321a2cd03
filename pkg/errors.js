// The error classes every call rejects with. Plain JS so that they extend Error and
// `instanceof` works; the wasm core builds them through `__fromCore`.
//
// One set per realm and package version, kept under a global symbol: Node's entries bundle a
// copy of this file (a module fewer to load at a cold start, BENCHMARKS.md), the policy entry
// and the CommonJS entry have their own, and `instanceof` must hold across all of them. Where the
// global object takes no new property (frozen, sealed, non-extensible), each copy keeps its own
// classes (README.md, "Errors").
const KEY = Symbol.for("tailscale-wasm@0.1.0 errors");
const shared = globalThis[KEY] ?? define();
// Reflect's defineProperty returns false on such a global rather than throwing.
Reflect.defineProperty(globalThis, KEY, { value: shared });

function define() {
  /** Base class of every error this package throws or rejects with. Subclasses take their
   *  fields as the second argument and the standard `{ cause }` options as the third. */
  class TailscaleError extends Error {
    constructor(message, fields, options) {
      super(message, options);
    }
  }

  /** Bad input, found before any request was sent. `issues` lists every problem. */
  class TailscaleValidationError extends TailscaleError {
    constructor(message, fields = {}, options) {
      super(message, fields, options);
      this.issues = fields.issues ?? [];
    }
  }

  /** The API answered with a status >= 400, or with a redirect, which is never followed. The
   *  message names the method, the path and the status, then the API's own message. */
  class TailscaleApiError extends TailscaleError {
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
  class TailscaleResponseError extends TailscaleError {
    constructor(message, fields = {}, options) {
      super(message, fields, options);
      this.status = fields.status;
      this.method = fields.method;
      this.path = fields.path;
    }
  }

  /** The request could not be completed (after retries); `cause` holds the runtime's error. */
  class TailscaleNetworkError extends TailscaleError {
    constructor(message, fields = {}, options) {
      super(message, fields, options);
      this.method = fields.method;
      this.path = fields.path;
      this.retryable = fields.retryable ?? false;
    }
  }

  /** An attempt took longer than `timeoutMs` (after retries). */
  class TailscaleTimeoutError extends TailscaleError {
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
  class TailscaleAuthorizationError extends TailscaleError {
    constructor(message, fields = {}, options) {
      super(message, fields, options);
      this.error = fields.error;
      if (fields.description !== undefined) this.description = fields.description;
    }
  }

  // Keyed by name, which a minifier leaves as written while it renames the classes. `name` on
  // the prototype: correct in stacks and `String(err)`, and not an own property that clutters
  // `util.inspect`.
  const classes = { TailscaleError, TailscaleValidationError, TailscaleApiError, TailscaleResponseError, TailscaleNetworkError, TailscaleTimeoutError, TailscaleAuthorizationError };
  for (const [name, cls] of Object.entries(classes)) {
    Object.defineProperty(cls.prototype, "name", { value: name, enumerable: false, configurable: true, writable: true });
  }
  return classes;
}

export const { TailscaleError, TailscaleValidationError, TailscaleApiError, TailscaleResponseError, TailscaleNetworkError, TailscaleTimeoutError, TailscaleAuthorizationError } = shared;

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
