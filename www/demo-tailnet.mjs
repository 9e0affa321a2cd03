// An in-memory Tailscale API for the demo page and the tests, on Node's `http`, with no
// dependencies.
//
// Why it exists: nobody can reach api.tailscale.com from here, and a test where client and
// server share one implementation of the rules proves nothing. So this file re-implements the
// documented rules on its own, from the OpenAPI spec and Tailscale's docs, in plain JS. It
// never imports the package under test.
//
// What it models (devices and their posture attributes in demo-tailnet/devices.mjs, users in
// demo-tailnet/users.mjs, the OAuth app consent screen and code exchange in
// demo-tailnet/provisioning.mjs, the policy file in demo-tailnet/policy.mjs, its posture
// conditions in demo-tailnet/posture.mjs, and who can reach what under it in
// demo-tailnet/access.mjs, whose `tests` runner /acl/validate uses):
// - /api/v2/tailnet/{tailnet}/keys[/{id}] and /oauth-apps[/{id}], with the spec's shapes:
//   `{"keys": [...]}`, `{"oauthApps": [...]}`, secrets (`key`, `clientSecret`) only in create
//   responses, 200 with an empty body on delete, errors as `{"message": ...}`.
// - POST /api/v2/oauth/token (client credentials, and the authorization code of an OAuth app's
//   consent screen, GET /a/oauth_authorize) and /api/v2/oauth/token-exchange (federated
//   identities; the JWT's claims are checked, its signature is not: there is no real issuer).
// - Bearer or Basic credentials (401 otherwise), scopes on minted tokens (403 when missing),
//   the documented input rules (400), and unknown JSON fields refused as the real API does.
// - The demo's own access token and OAuth client cannot be revoked (403), so that no click in
//   the demo page, and no generated request, locks everyone out.
// - Listing without `all=true` shows the caller's active keys; with it, every key, revoked ones
//   included (with `revoked` and `invalid: true`), which is what an admin view wants.
// - A demo-only control, POST /demo/register {authKey | login, hostname, os?}, where a device joins the
//   way `tailscale up --auth-key=...` would: the key's tags become the device's tags (an untagged
//   device belongs to the key's owner), it is ephemeral and pre-approved as the key says, a
//   single-use key works once, and an expired or revoked key is refused (401). With `login`
//   instead of `authKey`, a person signs in (plain `tailscale up`): the device is theirs, and a
//   login the tailnet does not know becomes a user (a member).
// - `access()` on the returned object: an access evaluator (demo-tailnet/access.mjs) over the
//   tailnet as it is now (its policy file, devices, users and posture attributes).
//
// Tests can make it misbehave for the next N matching requests (`fault`) and read every request
// it saw (`requests`), and the most it ever had in flight at once (`maxInFlight`).

import http from "node:http";
import { HttpError, bad, onlyFields, readBody, decodePath, newId, secret, iso, isCustomKey, isTag } from "./demo-tailnet/shared.mjs";
import { createDevices } from "./demo-tailnet/devices.mjs";
import { createProvisioning } from "./demo-tailnet/provisioning.mjs";
import { createPolicy } from "./demo-tailnet/policy.mjs";
import { createUsers } from "./demo-tailnet/users.mjs";
import { createAccessEvaluator } from "./demo-tailnet/access.mjs";

export { SEED_POLICY } from "./demo-tailnet/policy.mjs";

const MAX_EXPIRY = 7776000;
const SCOPES_NEEDING_TAGS = new Set(["devices:core", "auth_keys", "devices", "all"]);
const DEFAULT_TOKEN_TTL = 3600;

const isScope = (s) => typeof s === "string" && /^[a-z_]+(:[a-z_]+){0,2}$/.test(s);
const isKeyDescription = (d) => typeof d === "string" && d.length <= 50 && /^[A-Za-z0-9 -]*$/.test(d);

function hostOf(uri) {
  let url;
  try {
    url = new URL(uri);
  } catch {
    return null;
  }
  return { scheme: url.protocol.slice(0, -1), host: url.hostname };
}

function checkRedirectUri(uri) {
  const u = typeof uri === "string" ? hostOf(uri) : null;
  if (!u || !u.host) return `redirect URI ${JSON.stringify(uri)} is not an absolute URL`;
  if (["localhost", "127.0.0.1", "[::1]"].includes(u.host)) return null;
  if (/^\d+\.\d+\.\d+\.\d+$/.test(u.host) || u.host.startsWith("[")) return "raw IP address hosts are not permitted in redirect URIs";
  if (u.scheme !== "https") return "redirect URIs must use https, except for localhost";
  return null;
}

function checkIssuer(issuer) {
  const u = typeof issuer === "string" ? hostOf(issuer) : null;
  return u && u.scheme === "https" && u.host ? null : "issuer must be a valid https:// URL";
}

// Absent is fine; `null` is not an array (the spec types these fields, and so does the check).
const stringArray = (v, name) => {
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || v.some((s) => typeof s !== "string")) throw bad(`${name} must be an array of strings`);
  return v;
};

function globMatch(pattern, value) {
  const re = new RegExp("^" + pattern.split("*").map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*") + "$");
  return re.test(value);
}

export function createDemoTailnet(opts = {}) {
  const tailnetName = opts.tailnet ?? "example.com";
  const userId = "uDEMO11CNTRL";
  // Who a user id is, for the devices they own; keys of trust credentials have no user.
  const logins = new Map([[userId, "demo@example.com"], ["", "tagged-devices"]]);
  const state = {
    keys: new Map(), // id -> key record (with secret)
    apps: new Map(),
    tokens: new Map(), // access token -> { expiresAt, scopes, owner }
    apiKeys: new Map(), // api key secret -> key id
    usedKeys: new Set(), // ids of single-use auth keys that registered a device
  };
  const devices = createDevices({ state, now: () => now(), tailnetName, requireScope });
  const allDevices = () => [...state.devices.values()];
  const users = createUsers({ state, now: () => now(), tailnetName, requireScope, devices: allDevices });
  // The logins the policy file may name without a warning: the tailnet's users and device owners.
  const knownLogins = () => new Set([...users.all().map((u) => u.loginName), ...allDevices().filter((d) => !d.tags?.length).map((d) => d.user)]);
  const policy = createPolicy({ state, tailnetName, requireScope, devices: allDevices, users: () => users.all(), logins: knownLogins });
  const provisioning = createProvisioning({ state, now: () => now(), consentingUser: { id: userId, login: logins.get(userId) }, mintAuthKey });
  const faults = [];
  const requests = [];
  let inFlight = 0;
  let maxInFlight = 0;
  let tokenTtl = opts.tokenTtl ?? DEFAULT_TOKEN_TTL;
  // What token responses claim in `expires_in`: the real lifetime unless a test says otherwise
  // (`null` leaves the field out).
  let advertisedTtl;
  const now = () => Date.now();

  // ---- seed -------------------------------------------------------------------------------
  function addKey(fields) {
    const id = newId("k");
    const created = now();
    const rec = { id, created: iso(created), updated: iso(created), userId, ...fields };
    state.keys.set(id, rec);
    return rec;
  }
  const demoApiKey = opts.apiKey ?? "tskey-api-demo-" + secret();
  const apiKeyRec = addKey({ keyType: "api", description: "demo access token", scopes: ["all"], expirySeconds: MAX_EXPIRY, expires: iso(now() + MAX_EXPIRY * 1000) });
  state.apiKeys.set(demoApiKey, apiKeyRec.id);
  const authKey = (desc, create, days) =>
    addKey({ keyType: "auth", description: desc, capabilities: { devices: { create } }, expirySeconds: days * 86400, expires: iso(now() + days * 86400000), key: "tskey-auth-" + secret() });
  /** A single-use, pre-approved, untagged auth key for `userId`: what an OAuth app's code buys. */
  function mintAuthKey({ userId: owner, expirySeconds, description }) {
    const create = { reusable: false, ephemeral: false, preauthorized: true, tags: [] };
    return addKey({ keyType: "auth", description, capabilities: { devices: { create } }, expirySeconds, expires: iso(now() + expirySeconds * 1000), key: "tskey-auth-" + secret(), userId: owner });
  }
  if (opts.seed !== false) {
    authKey("ci runners", { reusable: true, ephemeral: true, preauthorized: true, tags: ["tag:ci"] }, 30);
    authKey("office laptop", { reusable: false, ephemeral: false, preauthorized: false, tags: [] }, 12);
    authKey("edge routers", { reusable: true, ephemeral: false, preauthorized: true, tags: ["tag:router", "tag:edge"] }, 3);
  }
  const demoClient = addKey({ keyType: "client", description: "demo oauth client", scopes: ["all"], tags: ["tag:ci"], key: "tskey-client-demo-" + secret(), userId: "" });
  if (opts.seed !== false) {
    addKey({ keyType: "federated", description: "github actions", scopes: ["auth_keys"], tags: ["tag:ci"], issuer: "https://token.actions.githubusercontent.com", subject: "repo:example/infra:*", audience: "api.tailscale.com/demo", customClaimRules: { repository_owner: "example" }, userId: "" });
    const appId = newId("a");
    state.apps.set(appId, { id: appId, name: "device-provisioner", description: "Provisions lab devices", redirectURIs: ["https://provisioner.example.com/callback"], scopes: ["devices:core"], allowedNodeAttributes: ["custom:lab"], clientSecret: secret(), created: iso(now()), updated: iso(now()) });
  }

  // The demo user (the tailnet's owner) always exists; the other users come with the seed.
  if (opts.seed !== false) users.seed({ id: userId, login: logins.get(userId) });
  else users.add({ id: userId, loginName: logins.get(userId), displayName: "Demo Admin", role: "owner" });
  if (opts.seed !== false) devices.seed(logins.get(userId));
  if (opts.extraDevices) devices.addMany(opts.extraDevices, logins.get(userId));

  // ---- views ------------------------------------------------------------------------------
  function keyView(rec) {
    const out = { ...rec };
    delete out.key;
    const expired = rec.expires && Date.parse(rec.expires) <= now();
    if (rec.revoked || expired) out.invalid = true;
    return out;
  }
  function appView(rec) {
    const out = { ...rec };
    delete out.clientSecret;
    return out;
  }

  // ---- auth -------------------------------------------------------------------------------
  function authenticate(req) {
    const h = req.headers.authorization ?? "";
    let token = null;
    if (h.startsWith("Bearer ")) token = h.slice(7);
    else if (h.startsWith("Basic ")) token = Buffer.from(h.slice(6), "base64").toString().split(":")[0];
    if (!token) throw new HttpError(401, "API token required");
    if (state.apiKeys.has(token)) {
      const rec = state.keys.get(state.apiKeys.get(token));
      if (rec && !rec.revoked) return { scopes: rec.scopes ?? ["all"], owner: rec.userId, kind: "api" };
    }
    const t = state.tokens.get(token);
    if (t && t.expiresAt > now()) {
      const cred = state.keys.get(t.credential);
      if (cred && !cred.revoked) return t;
    }
    throw new HttpError(401, "invalid or expired API token");
  }

  function requireScope(caller, resource, write) {
    const ok = caller.scopes.some((s) => s === "all" || (!write && s === "all:read") || s === resource || (!write && s === `${resource}:read`));
    if (!ok) throw new HttpError(403, `calling this endpoint requires the ${resource}${write ? "" : ":read"} scope`);
  }

  function mintToken(credentialId, scopes, tags) {
    const token = "tskey-api-" + newId("t") + "-" + secret();
    state.tokens.set(token, { expiresAt: now() + tokenTtl * 1000, scopes, tags, owner: "", credential: credentialId, kind: "token" });
    const answer = { access_token: token, token_type: "Bearer", expires_in: advertisedTtl === undefined ? tokenTtl : advertisedTtl, scope: scopes.join(" ") };
    if (answer.expires_in === null) delete answer.expires_in;
    return answer;
  }

  function oauthToken(form) {
    if (form.grant_type === "authorization_code") return provisioning.exchange(form);
    for (const k of Object.keys(form)) {
      if (!["client_id", "client_secret", "grant_type", "scope", "tags"].includes(k)) throw bad(`unknown form field "${k}"`);
    }
    if (form.grant_type !== "client_credentials") throw bad("grant_type must be client_credentials or authorization_code");
    const rec = state.keys.get(form.client_id ?? "");
    if (!rec || rec.keyType !== "client" || rec.revoked || rec.key !== form.client_secret) throw new HttpError(401, "invalid client credentials");
    const scopes = form.scope ? form.scope.split(" ").filter(Boolean) : rec.scopes;
    for (const s of scopes) {
      const base = s.replace(/:read$/, "");
      const granted = rec.scopes.some((g) => g === "all" || g === s || g === base || (s.endsWith(":read") && g === "all:read"));
      if (!granted) throw bad(`scope "${s}" is not granted to this client`);
    }
    const tags = form.tags ? form.tags.split(" ").filter(Boolean) : rec.tags ?? [];
    for (const t of tags) {
      if (!isTag(t)) throw bad(`invalid tag "${t}"`);
      if (!(rec.tags ?? []).includes(t)) throw bad(`tag "${t}" is not owned by this client`);
    }
    return mintToken(rec.id, scopes, tags);
  }

  function tokenExchange(form) {
    for (const k of Object.keys(form)) {
      if (!["client_id", "jwt"].includes(k)) throw bad(`unknown form field "${k}"`);
    }
    const rec = state.keys.get(form.client_id ?? "");
    const fail = (why) => new HttpError(401, `token exchange failed: ${why}`);
    if (!rec || rec.keyType !== "federated" || rec.revoked) throw fail("unknown federated identity");
    const parts = (form.jwt ?? "").split(".");
    if (parts.length !== 3) throw fail("jwt is malformed");
    let claims;
    try {
      claims = JSON.parse(Buffer.from(parts[1], "base64url").toString());
    } catch {
      throw fail("jwt is malformed");
    }
    if (typeof claims.exp === "number" && claims.exp * 1000 <= now()) throw fail("jwt has expired");
    if (claims.iss !== rec.issuer) throw fail("issuer does not match");
    if (typeof claims.sub !== "string" || !globMatch(rec.subject, claims.sub)) throw fail("subject does not match");
    const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    if (!aud.includes(rec.audience)) throw fail("audience does not match");
    for (const [claim, pattern] of Object.entries(rec.customClaimRules ?? {})) {
      if (typeof claims[claim] !== "string" || !globMatch(pattern, claims[claim])) throw fail(`claim ${claim} does not match`);
    }
    return mintToken(rec.id, rec.scopes, rec.tags ?? []);
  }

  // ---- keys -------------------------------------------------------------------------------
  function trustFields(body, keyType) {
    const allowed = ["keyType", "description", "scopes", "tags"];
    if (keyType === "federated") allowed.push("issuer", "subject", "audience", "customClaimRules");
    onlyFields(body, allowed, "request body");
    const scopes = stringArray(body.scopes, "scopes");
    if (!scopes || scopes.length === 0) throw bad("at least one scope is required");
    const badScope = scopes.find((s) => !isScope(s));
    if (badScope !== undefined) throw bad(`invalid scope "${badScope}"`);
    const tags = stringArray(body.tags, "tags") ?? [];
    const badTag = tags.find((t) => !isTag(t));
    if (badTag !== undefined) throw bad(`invalid tag "${badTag}"`);
    if (tags.length === 0 && scopes.some((s) => SCOPES_NEEDING_TAGS.has(s))) throw bad("tags are required when scopes include devices:core or auth_keys");
    if (body.description !== undefined && !isKeyDescription(body.description)) throw bad("description must be at most 50 alphanumeric characters, hyphens and spaces");
    const out = { scopes, tags, description: body.description ?? "" };
    if (keyType === "federated") {
      const err = checkIssuer(body.issuer);
      if (err) throw bad(err);
      if (typeof body.subject !== "string" || body.subject === "") throw bad("subject is required");
      if (body.audience !== undefined && (typeof body.audience !== "string" || body.audience === "")) throw bad("audience must be a non-empty string");
      const rules = body.customClaimRules === undefined ? {} : body.customClaimRules;
      if (rules === null || typeof rules !== "object" || Array.isArray(rules)) throw bad("customClaimRules must be an object");
      for (const [k, v] of Object.entries(rules)) {
        if (k === "" || ["sub", "iss", "aud"].includes(k)) throw bad(`custom claim rule name "${k}" is not allowed`);
        if (typeof v !== "string") throw bad("custom claim rule values must be strings");
      }
      Object.assign(out, { issuer: body.issuer, subject: body.subject, audience: body.audience, customClaimRules: rules });
    }
    return out;
  }

  function createKey(body, caller) {
    onlyFields(body, ["keyType", "description", "capabilities", "expirySeconds", "scopes", "tags", "issuer", "subject", "audience", "customClaimRules"], "request body");
    const keyType = body.keyType ?? "auth";
    if (!["auth", "client", "federated"].includes(keyType)) throw bad(`invalid keyType "${keyType}"`);
    requireScope(caller, { auth: "auth_keys", client: "oauth_keys", federated: "federated_keys" }[keyType], true);
    if (keyType === "auth") {
      onlyFields(body, ["keyType", "description", "capabilities", "expirySeconds"], "request body");
      onlyFields(body.capabilities, ["devices"], "capabilities");
      onlyFields(body.capabilities.devices, ["create"], "capabilities.devices");
      const create = body.capabilities.devices.create === undefined ? {} : body.capabilities.devices.create;
      onlyFields(create, ["reusable", "ephemeral", "preauthorized", "tags"], "capabilities.devices.create");
      for (const f of ["reusable", "ephemeral", "preauthorized"]) {
        if (create[f] !== undefined && typeof create[f] !== "boolean") throw bad(`${f} must be a boolean`);
      }
      const tags = stringArray(create.tags, "tags") ?? [];
      const badTag = tags.find((t) => !isTag(t));
      if (badTag !== undefined) throw bad(`invalid tag "${badTag}"`);
      if (caller.kind === "token" && tags.length === 0) throw bad("auth keys created by trust credentials must have tags");
      const expiry = body.expirySeconds === undefined ? MAX_EXPIRY : body.expirySeconds;
      if (!Number.isInteger(expiry) || expiry < 1 || expiry > MAX_EXPIRY) throw bad("expirySeconds must be an integer from 1 to 7776000");
      if (body.description !== undefined && !isKeyDescription(body.description)) throw bad("description must be at most 50 alphanumeric characters, hyphens and spaces");
      const rec = addKey({
        keyType,
        description: body.description ?? "",
        capabilities: { devices: { create: { reusable: !!create.reusable, ephemeral: !!create.ephemeral, preauthorized: !!create.preauthorized, tags } } },
        expirySeconds: expiry,
        expires: iso(now() + expiry * 1000),
        key: "tskey-auth-" + secret(),
        userId: caller.owner ?? "",
      });
      return { ...keyView(rec), key: rec.key };
    }
    const fields = trustFields(body, keyType);
    const id = newId("k");
    if (keyType === "federated" && !fields.audience) fields.audience = `api.tailscale.com/${id}`;
    const rec = addKey({ keyType, ...fields, userId: caller.owner ?? "" });
    state.keys.delete(rec.id);
    rec.id = id;
    state.keys.set(id, rec);
    if (keyType === "client") {
      rec.key = `tskey-client-${id}-${secret()}`;
      return { ...keyView(rec), key: rec.key };
    }
    return keyView(rec);
  }

  function setKey(rec, body, caller) {
    if (rec.keyType !== "client" && rec.keyType !== "federated") throw bad("only OAuth clients and federated identities can be updated");
    requireScope(caller, rec.keyType === "client" ? "oauth_keys" : "federated_keys", true);
    if (body.keyType !== undefined && body.keyType !== rec.keyType) throw bad(`keyType does not match the key (${rec.keyType})`);
    const fields = trustFields(body, rec.keyType);
    if (rec.keyType === "federated" && !fields.audience) fields.audience = rec.audience;
    Object.assign(rec, fields, { updated: iso(now()) });
    return keyView(rec);
  }

  // ---- oauth apps -------------------------------------------------------------------------
  function appFields(body) {
    onlyFields(body, ["name", "description", "redirectURIs", "scopes", "allowedNodeAttributes"], "request body");
    if (typeof body.name !== "string" || !/^[a-zA-Z0-9._-]{3,50}$/.test(body.name)) throw bad("name must be 3 to 50 characters: letters, digits, dashes, periods and underscores");
    if (body.description !== undefined && (typeof body.description !== "string" || body.description.length > 300)) throw bad("description must be at most 300 characters");
    const uris = stringArray(body.redirectURIs, "redirectURIs");
    if (!uris || uris.length === 0) throw bad("at least one redirect URI is required");
    for (const u of uris) {
      const err = checkRedirectUri(u);
      if (err) throw bad(err);
    }
    const scopes = stringArray(body.scopes, "scopes");
    if (!scopes || scopes.length === 0) throw bad("scopes must be non-empty");
    const badScope = scopes.find((s) => !isScope(s));
    if (badScope !== undefined) throw bad(`invalid scope "${badScope}"`);
    const attrs = stringArray(body.allowedNodeAttributes, "allowedNodeAttributes") ?? [];
    const badAttr = attrs.find((a) => !isCustomKey(a));
    if (badAttr !== undefined) throw bad(`only custom node attributes can be allowlisted: "${badAttr}"`);
    return { name: body.name, description: body.description ?? "", redirectURIs: uris, scopes, allowedNodeAttributes: attrs };
  }

  // ---- device registration (demo only) ----------------------------------------------------
  /** A device joins with an auth key, as `tailscale up --auth-key=...` would; or, given `login`
   *  instead of `authKey`, as a person signing in interactively would (plain `tailscale up`):
   *  the device is theirs, untagged, and a login the tailnet does not know becomes a member. */
  function registerDevice(input) {
    onlyFields(input, ["authKey", "login", "hostname", "os"], "request body");
    if (typeof input.hostname !== "string" || !/^[A-Za-z0-9][A-Za-z0-9-]{0,62}$/.test(input.hostname)) throw bad("hostname must be 1 to 63 letters, digits and hyphens");
    if (input.os !== undefined && (typeof input.os !== "string" || !/^[A-Za-z0-9]{1,20}$/.test(input.os))) throw bad("os must be a short name such as linux");
    if (input.login !== undefined) {
      if (input.authKey !== undefined) throw bad("send authKey or login, not both");
      if (typeof input.login !== "string" || !/^[^@\s]+@[^@\s]+$/.test(input.login)) throw bad("login must be a login name such as alice@example.com");
      users.ensure(input.login);
      return devices.view(devices.add({ hostname: input.hostname, os: input.os, user: input.login }), "all");
    }
    const rec = [...state.keys.values()].find((k) => k.keyType === "auth" && typeof input.authKey === "string" && k.key === input.authKey);
    if (!rec) throw new HttpError(401, "invalid auth key");
    if (rec.revoked) throw new HttpError(401, "this auth key has been revoked");
    if (Date.parse(rec.expires) <= now()) throw new HttpError(401, "this auth key has expired");
    const create = rec.capabilities.devices.create;
    if (!create.reusable && state.usedKeys.has(rec.id)) throw new HttpError(401, "this single-use auth key has already been used");
    const tags = create.tags ?? [];
    // A key an OAuth app minted brings the app's allowlisted attributes (provisioning.mjs).
    const custom = provisioning.attributesFor(rec.id);
    const device = devices.add({ hostname: input.hostname, os: input.os, user: logins.get(rec.userId) ?? rec.userId, tags, ephemeral: create.ephemeral, authorized: create.preauthorized, custom });
    users.ensure(device.user);
    state.usedKeys.add(rec.id);
    return devices.view(device, "all");
  }

  // ---- routing ----------------------------------------------------------------------------
  /** An answer is `[status, json]` (`undefined`: no body), or `{ status, headers, body }` with a
   *  text body and its own headers (the policy file's HuJSON and ETag). */
  function route(method, segments, query, body, form, req, raw) {
    if (segments[0] === "oauth" && segments.length === 2 && method === "POST") {
      if (segments[1] === "token") return [200, oauthToken(form)];
      if (segments[1] === "token-exchange") return [200, tokenExchange(form)];
    }
    const json = () => {
      if (body === undefined) throw bad("request body must be JSON");
      return body;
    };
    const answer = devices.route(method, segments, query, json, () => authenticate(req)) ?? policy.route(method, segments, query, req, raw, () => authenticate(req)) ?? users.route(method, segments, query, () => authenticate(req));
    if (answer) return answer;
    if (segments[0] !== "tailnet" || segments.length < 3 || segments.length > 4) throw new HttpError(404, "not found");
    const caller = authenticate(req);
    const [, tailnet, collection, id] = segments;
    if (tailnet !== "-" && tailnet !== tailnetName) throw new HttpError(404, "tailnet not found");
    if (collection === "keys") {
      if (id === undefined) {
        if (method === "GET") {
          requireScope(caller, "auth_keys", false);
          const all = query.get("all");
          if (all !== null && all !== "true" && all !== "false") throw bad("all must be true or false");
          const keys = [...state.keys.values()].filter((k) => (all === "true" ? true : !k.revoked && (caller.kind !== "api" || k.userId === caller.owner)));
          return [200, { keys: keys.map(keyView) }];
        }
        if (method === "POST") return [200, createKey(json(), caller)];
        throw new HttpError(405, "method not allowed");
      }
      const rec = state.keys.get(id);
      if (method === "GET") {
        requireScope(caller, "auth_keys", false);
        if (!rec) throw new HttpError(404, "key not found");
        return [200, keyView(rec)];
      }
      if (!rec || rec.revoked) throw new HttpError(404, "key not found");
      if (method === "PUT") return [200, setKey(rec, json(), caller)];
      if (method === "DELETE") {
        requireScope(caller, "auth_keys", true);
        // Revoking the demo's own credentials would lock the demo page (and every test) out.
        if (rec.id === apiKeyRec.id || rec.id === demoClient.id) throw new HttpError(403, "the demo tailnet keeps its demo credentials; revoke another key");
        rec.revoked = iso(now());
        return [200, undefined];
      }
      throw new HttpError(405, "method not allowed");
    }
    if (collection === "oauth-apps") {
      if (id === undefined) {
        if (method === "GET") {
          requireScope(caller, "oauth_apps", false);
          return [200, { oauthApps: [...state.apps.values()].map(appView) }];
        }
        if (method === "POST") {
          requireScope(caller, "oauth_apps", true);
          const fields = appFields(json());
          const appId = newId("a");
          const rec = { id: appId, ...fields, clientSecret: secret(), created: iso(now()), updated: iso(now()) };
          state.apps.set(appId, rec);
          return [200, { ...rec }];
        }
        throw new HttpError(405, "method not allowed");
      }
      const rec = state.apps.get(id);
      if (!rec) throw new HttpError(404, "OAuth app not found");
      if (method === "GET") {
        requireScope(caller, "oauth_apps", false);
        return [200, appView(rec)];
      }
      requireScope(caller, "oauth_apps", true);
      if (method === "PUT") {
        Object.assign(rec, appFields(json()), { updated: iso(now()) });
        return [200, appView(rec)];
      }
      if (method === "DELETE") {
        state.apps.delete(id);
        return [200, undefined];
      }
      throw new HttpError(405, "method not allowed");
    }
    throw new HttpError(404, "not found");
  }

  // ---- faults -----------------------------------------------------------------------------
  /**
   * Misbehave on the next `times` requests that match. Options: `method`, `path` (substring),
   * `status` with optional `retryAfter` (header value) and `body` (raw text), `delayMs` before
   * the headers, `drop: "before-response" | "mid-body"`, `stallBodyMs` (send half the body,
   * then wait), `bodyBytes` (a 200 JSON body of that size), `pass: true` (after `delayMs`,
   * answer normally), `drop: "after-handling"` (after `delayMs`, handle the request as usual,
   * writes included, then close the connection without an answer: a POST or DELETE that took
   * effect but whose answer was lost; its `requests` entry has `fault: true` and the status the
   * answer would have had). `delayMs: Infinity` and `stallBodyMs: Infinity` hold until the client
   * closes the connection (a timeout or an abort), and `until` (a promise) holds a `pass` until
   * the test settles it: stalls that end when the test says, not after a guess at the machine's
   * speed.
   */
  function fault(spec) {
    faults.push({ times: 1, ...spec });
  }
  function takeFault(method, path) {
    const i = faults.findIndex((f) => (!f.method || f.method === method) && (!f.path || path.includes(f.path)));
    if (i < 0) return null;
    const f = faults[i];
    if (--f.times <= 0) faults.splice(i, 1);
    return f;
  }

  /** Waits `ms`; `Infinity` waits until the client closes the connection. */
  function wait(ms, res) {
    if (ms !== Infinity) return new Promise((r) => setTimeout(r, ms));
    return new Promise((r) => (res.destroyed ? r() : res.once("close", r)));
  }

  async function applyFault(f, res) {
    if (f.delayMs) await wait(f.delayMs, res);
    if (res.destroyed) return;
    if (f.drop === "before-response") {
      res.socket?.destroy();
      return;
    }
    const headers = { "content-type": f.contentType ?? "application/json" };
    if (f.retryAfter !== undefined) headers["retry-after"] = String(f.retryAfter);
    let body = f.body ?? (f.status && f.status >= 400 ? JSON.stringify({ message: `injected ${f.status}` }) : "{}");
    if (f.bodyBytes) body = `{"keys":[],"pad":"${"x".repeat(f.bodyBytes)}"}`;
    const status = f.status ?? 200;
    if (f.drop === "mid-body" || f.stallBodyMs) {
      headers["content-length"] = String(Buffer.byteLength(body));
      res.writeHead(status, headers);
      res.write(body.slice(0, Math.floor(body.length / 2)));
      if (f.drop === "mid-body") {
        setTimeout(() => res.socket?.destroy(), 10);
        return;
      }
      await wait(f.stallBodyMs, res);
      if (!res.destroyed) res.end(body.slice(Math.floor(body.length / 2)));
      return;
    }
    res.writeHead(status, headers);
    res.end(body);
  }

  // ---- server -----------------------------------------------------------------------------
  async function handle(req, res) {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    res.on("close", () => inFlight--);
    const url = new URL(req.url, "http://demo.invalid");
    const raw = await readBody(req);
    const entry = { method: req.method, path: url.pathname, query: url.search, headers: { ...req.headers }, body: raw ?? "", status: 0, at: now() };
    requests.push(entry);
    const f = takeFault(req.method, url.pathname);
    const dropAfter = f?.drop === "after-handling";
    if (f?.pass || dropAfter) await Promise.all([wait(f.delayMs ?? 0, res), f.until]);
    else if (f) {
      entry.fault = true;
      entry.status = f.status ?? 200;
      return applyFault(f, res);
    }
    if (url.pathname === "/a/oauth_authorize" || url.pathname.startsWith("/a/oauth_authorize/")) {
      const answer = provisioning.consent(req.method, url);
      entry.status = answer.status;
      if (dropAfter) return drop(entry, res);
      res.writeHead(answer.status, answer.headers);
      return res.end(answer.body);
    }
    let status = 200;
    let payload;
    let textAnswer; // { headers, body } when the route answers text with its own headers
    try {
      if (raw === null) throw new HttpError(413, "request body is larger than 1 MiB");
      const type = (req.headers["content-type"] ?? "").split(";")[0].trim();
      let body;
      let form = {};
      // The policy routes read the body themselves: the policy file is HuJSON, not JSON.
      const ownBody = policy.owns(url.pathname);
      if (type === "application/x-www-form-urlencoded" && !ownBody) form = Object.fromEntries(new URLSearchParams(raw));
      else if (raw.length > 0 && !ownBody) {
        try {
          body = JSON.parse(raw);
        } catch {
          throw bad("request body is not valid JSON");
        }
      }
      if (url.pathname === "/demo/register" && req.method === "POST") [status, payload] = [200, registerDevice(body)];
      else if (!url.pathname.startsWith("/api/v2/")) throw new HttpError(404, "not found");
      else {
        const answer = route(req.method, decodePath(url.pathname.slice("/api/v2/".length)), url.searchParams, body, form, req, raw);
        if (Array.isArray(answer)) [status, payload] = answer;
        else [status, textAnswer] = [answer.status, answer];
      }
    } catch (e) {
      if (!(e instanceof HttpError)) console.error("demo tailnet bug:", e);
      status = e instanceof HttpError ? e.status : 500;
      payload = e instanceof HttpError ? (e.body ?? { message: e.message }) : { message: "internal error" };
    }
    entry.status = status;
    entry.response = textAnswer ? textAnswer.body : payload;
    if (dropAfter) return drop(entry, res);
    if (textAnswer) {
      res.writeHead(status, { ...textAnswer.headers, "content-length": Buffer.byteLength(textAnswer.body) });
      return res.end(textAnswer.body);
    }
    // `undefined`: no body (a delete); anything else, JSON (`null` included: the batch update).
    const text = payload === undefined ? "" : JSON.stringify(payload);
    res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
    res.end(text);
  }

  /** The `after-handling` fault: the request took effect; its answer is never sent. */
  function drop(entry, res) {
    entry.fault = true;
    res.socket?.destroy();
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });

  return {
    server,
    handle,
    tailnet: tailnetName,
    /** Registers a device with an auth key, as POST /demo/register does; returns the device. */
    registerDevice,
    /** An access evaluator (demo-tailnet/access.mjs) over the tailnet as it is now: the stored
     *  policy file, every device (all fields), every user and each device's posture attributes. */
    access() {
      const list = allDevices().map((d) => devices.view(d, "all"));
      const attributes = Object.fromEntries(list.map((d) => [d.nodeId, devices.attributesOf(d.nodeId)]));
      return createAccessEvaluator({ policy: state.policy.text, devices: list, users: users.all(), attributes });
    },
    /** Ages every pending authorization code past its ten minutes. */
    expireCodes: () => provisioning.expireCodes(),
    /** Credentials that work against this tailnet. */
    credentials: { apiKey: demoApiKey, oauth: { clientId: demoClient.id, clientSecret: demoClient.key } },
    state,
    requests,
    fault,
    get inFlight() {
      return inFlight;
    },
    get maxInFlight() {
      return maxInFlight;
    },
    resetStats() {
      requests.length = 0;
      maxInFlight = inFlight;
      faults.length = 0;
    },
    setTokenTtl(seconds) {
      tokenTtl = seconds;
      advertisedTtl = undefined;
    },
    /** Makes token responses claim `expires_in: value` (null: no field), whatever the real lifetime. */
    advertiseTokenTtl(value) {
      advertisedTtl = value;
    },
    /** Revokes every minted access token, as if they had expired early. */
    revokeTokens() {
      state.tokens.clear();
    },
    listen(port = 0, host = "127.0.0.1") {
      return new Promise((resolve) => server.listen(port, host, () => resolve(`http://${host}:${server.address().port}`)));
    },
    close() {
      server.closeAllConnections?.();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
