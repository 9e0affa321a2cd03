// The demo tailnet's users, written from the OpenAPI spec's listUsers, getUser and User, in plain
// JS:
//
// - GET /tailnet/{t}/users with `type` (member, the default; shared; all) and `role` (owner,
//   member, admin, it-admin, network-admin, billing-admin, auditor; all, the default); any other
//   value is 400. GET /users/{userId}: 404 for an unknown id. Scope `users:read` (or `users`,
//   `all`, `all:read`). Read-only, as the package's users API is in this round.
// - Each user has the spec's fields: `id`, `loginName`, `displayName`, `profilePicUrl`,
//   `tailnetId`, `created`, `type`, `role`, `status`, `deviceCount`, `lastSeen`,
//   `currentlyConnected`.
// - The seed: demo@example.com is the tailnet's `owner` (it created the tailnet its login is
//   named after, holds the demo's API key and consents to OAuth apps; every tailnet has exactly
//   one owner, and autogroup:owner then names real devices); amelie@example.com a `member` (she
//   owns amelie-laptop); noor@example.com an `it-admin` with no device (a user can exist before
//   any device, and a role autogroup may name nobody's devices); sasha@partner.example a
//   `shared` user, owner of the shared-in device sasha-nas (`isExternal: true`).
// - A device registered later by a login the tailnet does not know makes that login a user
//   (type member, role member).
//
// Where the spec is silent, the demo chooses:
// - `deviceCount` counts the user's untagged devices: a tagged device belongs to its tags, not
//   to the user who tagged it (Tailscale's tags docs).
// - `lastSeen` is now for a user with a device connected, else the latest `lastSeen` of their
//   devices, else when they last signed in; `status` is `active` when that is within 28 days
//   (the spec's words), else `idle`.
// - A shared user's `tailnetId` is their own tailnet's name (the domain of their login).

import { HttpError, bad, newId, iso } from "./shared.mjs";

export const USER_TYPES = ["member", "shared", "all"];
export const USER_ROLES = ["owner", "member", "admin", "it-admin", "network-admin", "billing-admin", "auditor"];
const DAY = 86400000;

/** Users live in `state.users` (id -> record). `devices()` lists the tailnet's devices. */
export function createUsers({ state, now, tailnetName, requireScope, devices }) {
  const users = (state.users = new Map());

  /** A user joins: `{ id?, loginName, displayName?, role?, type?, created?, signedIn? }`. */
  function add({ id = newId("u"), loginName, displayName, role = "member", type = "member", created = now(), signedIn = created }) {
    const domain = loginName.slice(loginName.indexOf("@") + 1);
    const record = { id, loginName, displayName: displayName ?? loginName.slice(0, loginName.indexOf("@")), profilePicUrl: "", tailnetId: type === "shared" ? domain : tailnetName, created: iso(created), type, role, signedIn };
    users.set(id, record);
    return record;
  }

  const byLogin = (login) => [...users.values()].find((u) => u.loginName === login);

  /** The user with this login, made a member if the tailnet does not know it yet. */
  function ensure(login) {
    if (typeof login !== "string" || !login.includes("@")) return undefined;
    return byLogin(login) ?? add({ loginName: login });
  }

  function seed(demo) {
    add({ id: demo.id, loginName: demo.login, displayName: "Demo Admin", role: "owner", created: now() - 400 * DAY });
    add({ loginName: "amelie@example.com", displayName: "Amelie Martin", created: now() - 200 * DAY });
    add({ loginName: "noor@example.com", displayName: "Noor Haddad", role: "it-admin", created: now() - 90 * DAY, signedIn: now() - 40 * DAY });
    add({ loginName: "sasha@partner.example", displayName: "Sasha Petrov", type: "shared", created: now() - 30 * DAY });
  }

  /** The spec's User, with what depends on the user's devices worked out now. */
  function view(u) {
    const own = devices().filter((d) => d.user === u.loginName && !d.tags?.length);
    const connected = own.some((d) => d.connectedToControl);
    const seen = connected ? now() : Math.max(u.signedIn, ...own.map((d) => (d.lastSeen ? Date.parse(d.lastSeen) : 0)));
    const { signedIn, ...fields } = u;
    return { ...fields, status: now() - seen <= 28 * DAY ? "active" : "idle", deviceCount: own.length, lastSeen: iso(seen), currentlyConnected: connected };
  }

  function list(query) {
    const type = query.get("type") ?? "member";
    const role = query.get("role") ?? "all";
    if (!USER_TYPES.includes(type)) throw bad(`type must be one of ${USER_TYPES.join(", ")}`);
    if (role !== "all" && !USER_ROLES.includes(role)) throw bad(`role must be one of ${USER_ROLES.join(", ")} or all`);
    const chosen = [...users.values()].filter((u) => (type === "all" || u.type === type) && (role === "all" || u.role === role));
    return { users: chosen.map(view) };
  }

  /** Routes /tailnet/{t}/users and /users/{id}; null for any other path. */
  function route(method, segments, query, authenticate) {
    const listing = segments[0] === "tailnet" && segments.length === 3 && segments[2] === "users";
    const one = segments[0] === "users" && segments.length === 2;
    if (!listing && !one) return null;
    const caller = authenticate();
    if (listing && segments[1] !== "-" && segments[1] !== tailnetName) throw new HttpError(404, "tailnet not found");
    if (method !== "GET") throw new HttpError(405, "method not allowed");
    requireScope(caller, "users", false);
    if (listing) return [200, list(query)];
    const u = users.get(segments[1]);
    if (!u) throw new HttpError(404, "user not found");
    return [200, view(u)];
  }

  /** Every user as the users API shows them (for the access evaluator). */
  const all = () => [...users.values()].map(view);

  return { add, ensure, byLogin, seed, route, all };
}
