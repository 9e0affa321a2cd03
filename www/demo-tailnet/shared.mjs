// What the demo tailnet's parts share: errors that carry an HTTP status, request reading, and
// the small value helpers every resource uses.

import { randomBytes } from "node:crypto";

/** Headers for every page the demo serves, its own and the consent screen: a CSP with no
 *  inline script and no remote origin. */
export const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
export const SECURITY_HEADERS = { "content-security-policy": CSP, "x-content-type-options": "nosniff", "referrer-policy": "no-referrer", "cache-control": "no-store" };

/** An answer other than success: `{"message"}` unless `body` says otherwise (an OAuth token
 *  endpoint answers `{"error", "error_description"}`). */
export class HttpError extends Error {
  constructor(status, message, body) {
    super(message);
    this.status = status;
    this.body = body;
  }
}
export const bad = (message) => new HttpError(400, message);

export const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);

/** `tag:` then a letter, then letters, digits or `-`. */
export const isTag = (t) => typeof t === "string" && /^tag:[A-Za-z][A-Za-z0-9-]*$/.test(t);

/** An IPv4 address as a number, or null. */
export function ipv4(s) {
  const m = /^([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})$/.exec(s);
  if (!m) return null;
  const parts = m.slice(1).map(Number);
  return parts.some((p) => p > 255) ? null : parts.reduce((n, p) => n * 256 + p, 0);
}
/** An IPv4 prefix (`address/bits`) as `{ base, bits }`, or null. */
export function cidr(s) {
  const m = /^([0-9.]+)\/([0-9]{1,2})$/.exec(s);
  const base = m ? ipv4(m[1]) : null;
  return base === null || Number(m[2]) > 32 ? null : { base, bits: Number(m[2]) };
}
/** An IPv6 address or prefix, loosely: what a demo needs to tell it from the rest. */
export const isIPv6 = (s) => s.includes(":") && /^[0-9A-Fa-f:.]+(\/[0-9]{1,3})?$/.test(s);

/** `custom:` then letters, digits, `_` or `:`, at most 128 characters: attribute keys, and the
 *  node attributes an OAuth app may allowlist. */
export const isCustomKey = (k) => typeof k === "string" && /^custom:[A-Za-z0-9_:]+$/.test(k) && k.length <= 128;

/** Refuses fields the API does not define, at one object level. */
export function onlyFields(obj, allowed, where) {
  if (!isObject(obj)) throw bad(`${where} must be a JSON object`);
  for (const k of Object.keys(obj)) {
    if (!allowed.includes(k)) throw bad(`json: unknown field "${k}"`);
  }
}

/** Request bodies larger than this are refused (413): read to the end, but not kept. */
export const MAX_REQUEST_BODY = 1024 * 1024;

/** The request body as text, or null when it is larger than MAX_REQUEST_BODY. */
export async function readBody(req) {
  const chunks = [];
  let size = 0;
  for await (const c of req) {
    size += c.length;
    if (size <= MAX_REQUEST_BODY) chunks.push(c);
  }
  return size > MAX_REQUEST_BODY ? null : Buffer.concat(chunks).toString("utf8");
}

/** A path's segments, percent-decoded; a malformed escape is the client's error (400). */
export function decodePath(path) {
  try {
    return path.split("/").map(decodeURIComponent);
  } catch {
    throw new HttpError(400, "the path has a malformed percent-escape");
  }
}

export const newId = (prefix) => prefix + randomBytes(6).toString("hex").toUpperCase() + "CNTRL";
export const secret = () => randomBytes(16).toString("hex");
export const iso = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

