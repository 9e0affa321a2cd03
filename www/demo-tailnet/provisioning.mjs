// Device provisioning through an OAuth app, as the demo tailnet models it: the consent screen,
// the authorization-code exchange, and what a device registered with the minted key carries.
// Written from RFC 6749 §4.1 and what Tailscale's pages and independent implementations say
// (README, "Device provisioning"), in plain JS:
//
// - GET /a/oauth_authorize?client_id&redirect_uri&response_type&scope&state shows who is
//   consenting (the demo user), the app's name and the scopes asked for, with Allow and Deny
//   links (the page has no script; its CSP allows no form submission). An unknown client_id, or
//   a redirect_uri that is not exactly one of the app's, shows an error page and never
//   redirects (RFC 6749 §4.1.2.1). A wrong response_type or a scope the app lacks redirects
//   back with `error`. Allow redirects back with `code` and the same `state`; Deny with
//   `error=access_denied`. A scope is the app's when the app has it, a broader scope of the
//   same family (`auth_keys` covers `auth_keys:create:once`), or `all`.
// - POST /api/v2/oauth/token with grant_type=authorization_code: the code works once, for ten
//   minutes, for the client and redirect URI it was issued to; the app's secret must match.
//   Failures answer RFC 6749 §5.2's `{"error", "error_description"}`. The answer is
//   `access_token` (a single-use auth key owned by the consenting user, usable for an hour),
//   `token_type`, `expires_in: 3600` and `scope`.
// - A device registered with that key belongs to the consenting user (it is not tagged) and
//   carries each of the app's `allowedNodeAttributes` as a `custom:` posture attribute with the
//   value `true`: the demo's own assumption, since no page says which value they get.

import { randomBytes } from "node:crypto";
import { HttpError, onlyFields, SECURITY_HEADERS } from "./shared.mjs";

const CODE_LIFETIME_MS = 10 * 60 * 1000;
const KEY_LIFETIME_S = 3600;

const escapeHtml = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const token = () => randomBytes(24).toString("base64url");

/** `scope` is granted by the app's scopes: itself, a broader one of its family, or `all`. */
const granted = (appScopes, scope) => appScopes.some((s) => s === "all" || s === scope || scope.startsWith(`${s}:`));

export function createProvisioning({ state, now, consentingUser, mintAuthKey }) {
  const tickets = new Map(); // consent ticket -> the request being consented to
  const codes = new Map(); // code -> { appId, redirectUri, scopes, userId, expiresAt, used }
  const provisioned = new Map(); // auth key id -> app id that minted it

  function page(status, title, body) {
    const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)}</title><link rel="stylesheet" href="/style.css"></head><body class="consent"><main><section class="card">${body}</section></main></body></html>`;
    return { status, headers: { ...SECURITY_HEADERS, "content-type": "text/html; charset=utf-8" }, body: html };
  }

  function redirect(uri, params) {
    const target = new URL(uri);
    for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null) target.searchParams.set(k, v);
    return { status: 302, headers: { ...SECURITY_HEADERS, location: target.href }, body: "" };
  }

  const refuse = (message) => page(400, "Authorization error", `<h2>This authorization request cannot be shown</h2><p>${escapeHtml(message)}</p><p class="hint">Nothing was sent back to the application.</p>`);

  /** The consent screen and its Allow and Deny links. */
  function consent(method, url) {
    if (method !== "GET") return page(405, "Method not allowed", "<p>Method not allowed.</p>");
    const q = url.searchParams;
    if (url.pathname === "/a/oauth_authorize") {
      const app = state.apps.get(q.get("client_id") ?? "");
      // RFC 6749 §4.1.2.1: without a trustworthy redirect URI, say so here and never redirect.
      if (!app) return refuse("The client_id does not name an OAuth app of this tailnet.");
      const redirectUri = q.get("redirect_uri") ?? "";
      if (!app.redirectURIs.includes(redirectUri)) return refuse("The redirect_uri is not one of the app's redirect URIs.");
      const back = (error, description) => redirect(redirectUri, { error, error_description: description, state: q.get("state") });
      if (q.get("response_type") !== "code") return back("unsupported_response_type", "response_type must be code");
      const scopes = (q.get("scope") ?? "").split(" ").filter(Boolean);
      if (!scopes.length) return back("invalid_scope", "no scope was asked for");
      const missing = scopes.find((s) => !granted(app.scopes, s));
      if (missing) return back("invalid_scope", `the app does not have the scope ${missing}`);
      const ticket = token();
      tickets.set(ticket, { appId: app.id, redirectUri, scopes, state: q.get("state"), expiresAt: now() + CODE_LIFETIME_MS });
      const scopeList = scopes.map((s) => `<li><code>${escapeHtml(s)}</code></li>`).join("");
      const attributes = app.allowedNodeAttributes?.length ? `<p>Devices it provisions will carry ${app.allowedNodeAttributes.map((a) => `<code>${escapeHtml(a)}</code>`).join(", ")}.</p>` : "";
      return page(200, `Authorize ${app.name}`, `<h2>Authorize ${escapeHtml(app.name)}</h2>
<p>Signed in to the demo tailnet as <strong id="consenting-user">${escapeHtml(consentingUser.login)}</strong>.</p>
<p><strong>${escapeHtml(app.name)}</strong> asks to:</p><ul id="scopes">${scopeList}</ul>${attributes}
<p class="row"><a class="button primary" id="allow" href="/a/oauth_authorize/allow?ticket=${ticket}">Allow</a> <a class="button" id="deny" href="/a/oauth_authorize/deny?ticket=${ticket}">Deny</a></p>`);
    }
    const ticket = tickets.get(q.get("ticket") ?? "");
    tickets.delete(q.get("ticket") ?? "");
    if (!ticket || ticket.expiresAt <= now() || !state.apps.has(ticket.appId)) return refuse("This consent request has expired or was already answered. Start again from the application.");
    if (url.pathname === "/a/oauth_authorize/deny") return redirect(ticket.redirectUri, { error: "access_denied", error_description: "the user denied the request", state: ticket.state });
    if (url.pathname !== "/a/oauth_authorize/allow") return refuse("Unknown consent step.");
    const code = token();
    codes.set(code, { appId: ticket.appId, redirectUri: ticket.redirectUri, scopes: ticket.scopes, userId: consentingUser.id, expiresAt: now() + CODE_LIFETIME_MS, used: false });
    return redirect(ticket.redirectUri, { code, state: ticket.state });
  }

  /** POST /api/v2/oauth/token with grant_type=authorization_code. */
  function exchange(form) {
    onlyFields(form, ["grant_type", "code", "redirect_uri", "client_id", "client_secret"], "form");
    const fail = (status, error, description) => new HttpError(status, description, { error, error_description: description });
    const app = state.apps.get(form.client_id ?? "");
    if (!app || typeof form.client_secret !== "string" || app.clientSecret !== form.client_secret) throw fail(401, "invalid_client", "unknown client or wrong client secret");
    const grant = codes.get(form.code ?? "");
    if (!grant || grant.appId !== app.id) throw fail(400, "invalid_grant", "unknown authorization code");
    if (grant.used) throw fail(400, "invalid_grant", "this authorization code was already used");
    if (grant.expiresAt <= now()) throw fail(400, "invalid_grant", "this authorization code has expired");
    if (grant.redirectUri !== form.redirect_uri) throw fail(400, "invalid_grant", "redirect_uri does not match the authorization request");
    grant.used = true;
    const key = mintAuthKey({ userId: grant.userId, expirySeconds: KEY_LIFETIME_S, description: "provisioned through an OAuth app" });
    provisioned.set(key.id, app.id);
    return { access_token: key.key, token_type: "Bearer", expires_in: KEY_LIFETIME_S, scope: grant.scopes.join(" ") };
  }

  /** The custom attributes a device registered with `keyId` carries: its app's allowlist. */
  function attributesFor(keyId) {
    const app = state.apps.get(provisioned.get(keyId));
    return Object.fromEntries((app?.allowedNodeAttributes ?? []).map((a) => [a, true]));
  }

  /** Ages every pending code, for tests of expiry. */
  function expireCodes() {
    for (const grant of codes.values()) grant.expiresAt = 0;
  }

  return { consent, exchange, attributesFor, expireCodes };
}
