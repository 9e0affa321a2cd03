// The demo tailnet's devices and their posture attributes, written from the OpenAPI spec's
// Device and DevicePostureAttributes and the posture-attribute docs, in plain JS:
//
// - GET /tailnet/{t}/devices with `fields=default|all` and `<field>=<value>` filters: exact
//   matches on top-level properties, a list property matching when it holds every value given,
//   several filters ANDed; a complex property (clientConnectivity...) cannot be filtered on.
// - GET /device/{id} (`nodeId` or the legacy numeric `id`), GET /device/{id}/attributes, POST
//   and DELETE /device/{id}/attributes/{key}, PATCH /tailnet/{t}/device-attributes (JSON Merge
//   Patch, `null` deletes, all or nothing).
// - Endpoints the package does not wrap, for `client.request`: DELETE /device/{id} (a second
//   delete is a 404), GET and POST /device/{id}/routes (`{advertisedRoutes, enabledRoutes}`;
//   a POST replaces the enabled routes with `routes`, CIDR prefixes, which need not be
//   advertised yet), POST /device/{id}/tags (`{tags}` replaces the tags; a tagged device has no
//   key expiry; 200 with no body).
// - Writes only in the `custom:` namespace; keys of letters, digits, `_` and `:`, at most 128;
//   values a string (1-50 of letters, digits, `_`, `.`), a safe integer or a boolean; an
//   RFC 3339 expiry; a comment of at most 200. Keys are unique case-insensitively across the
//   tailnet, and all values of a key share one type. The demo reads "fixed by the first value
//   written" as: fixed while any device carries the key.
// - Expired attributes disappear (the real API takes a few minutes; the demo, none).
// - `node:` attributes are Tailscale's own, derived here from the device.
// - Scopes: `devices:core` to read devices (and to write them: delete, tags),
//   `devices:posture_attributes` for attributes, `devices:routes` for routes.
// - `extraDevices: n` (createDemoTailnet's option) adds n generated devices, for large lists.
// - The seed includes one shared-in device (`isExternal: true`), sasha-nas, owned by the shared
//   user sasha@partner.example: it keeps the addresses and MagicDNS name of its own tailnet
//   (partner.example) and takes no address from this one's sequence.

import { HttpError, bad, onlyFields, isObject, newId, iso, isCustomKey, isTag, cidr, isIPv6 } from "./shared.mjs";

// The spec's `fields` parameter: what `default` returns; `all` returns every property.
const DEFAULT_FIELDS = ["addresses", "id", "nodeId", "user", "name", "hostname", "clientVersion", "updateAvailable", "os", "created", "connectedToControl", "lastSeen", "keyExpiryDisabled", "expires", "authorized", "isExternal", "machineKey", "nodeKey", "blocksIncomingConnections", "tailnetLockKey", "tailnetLockError", "tags", "isEphemeral"];
const COMPLEX_FIELDS = ["clientConnectivity", "postureIdentity", "distro"];
const ALL_FIELDS = [...DEFAULT_FIELDS, "multipleConnections", "enabledRoutes", "advertisedRoutes", "sshEnabled", ...COMPLEX_FIELDS];
const CLIENT_VERSION = "1.90.2";
const MAX_SAFE = Number.MAX_SAFE_INTEGER;

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
function isDateTime(s) {
  const m = typeof s === "string" && RFC3339.exec(s);
  if (!m) return false;
  const [, y, mo, d, h, mi, sec] = m.map(Number);
  const days = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  return mo >= 1 && mo <= 12 && d >= 1 && d <= days && h < 24 && mi < 60 && sec < 60 && !Number.isNaN(Date.parse(s));
}

function checkValue(value) {
  if (typeof value === "boolean") return;
  if (typeof value === "number") {
    if (!Number.isInteger(value) || Math.abs(value) > MAX_SAFE) throw bad("a number value must be an integer within the JSON safe range");
    return;
  }
  if (typeof value === "string") {
    if (!/^[A-Za-z0-9_.]{1,50}$/.test(value)) throw bad("a string value must be 1 to 50 letters, numbers, underscores or periods");
    return;
  }
  throw bad("value must be a string, a number or a boolean");
}

function checkComment(comment) {
  if (comment !== undefined && (typeof comment !== "string" || comment.length > 200)) throw bad("comment must be a string of at most 200 characters");
}

function checkKey(key) {
  if (!key.startsWith("custom:")) throw bad(`only attributes in the custom namespace can be written: "${key}"`);
  if (!isCustomKey(key)) throw bad(`invalid attribute key "${key}": letters, numbers, underscores and colons, at most 128 characters`);
}

const typeOf = (value) => (typeof value === "number" ? "number" : typeof value);

/** An IPv4 or IPv6 prefix (`address/length`); the canonical form is not required. */
const isPrefix = (route) => typeof route === "string" && (cidr(route) !== null || (isIPv6(route) && route.includes("/") && Number(route.split("/")[1]) <= 128));

/** Devices live in `state.devices` (nodeId -> record) and their custom attributes in
 *  `state.attributes` (nodeId -> Map(key -> { value, expiry: ms | null })). */
export function createDevices({ state, now, tailnetName, requireScope }) {
  const devices = (state.devices = new Map());
  const attributes = (state.attributes = new Map());
  let nextLegacyId = 90000000001;
  // Only ever counts up: a device joining after a delete never takes a live device's address.
  let joined = 0;

  /** A device joins the tailnet. `custom` holds its first attributes. */
  function add({ hostname, os = "linux", user, tags = [], ephemeral = false, authorized = true, custom = {}, shared = null }) {
    const nodeId = newId("n");
    // A shared-in device keeps the addresses and name its own tailnet gave it.
    const n = shared ? 0 : ++joined;
    const created = now();
    const record = {
      addresses: shared ? shared.addresses : [`100.64.${Math.floor(n / 250)}.${(n % 250) + 1}`, `fd7a:115c:a1e0::${n.toString(16)}`],
      id: String(nextLegacyId++),
      nodeId,
      user,
      name: `${hostname}.${(shared?.tailnet ?? tailnetName).replace(/\W/g, "-")}.ts.net`,
      hostname,
      clientVersion: CLIENT_VERSION,
      updateAvailable: false,
      os,
      created: iso(created),
      connectedToControl: true,
      keyExpiryDisabled: tags.length > 0,
      expires: iso(created + 180 * 86400000),
      authorized,
      isExternal: shared !== null,
      machineKey: "mkey:" + nodeId.toLowerCase(),
      nodeKey: "nodekey:" + nodeId.toLowerCase(),
      blocksIncomingConnections: false,
      enabledRoutes: [],
      advertisedRoutes: [],
      clientConnectivity: { endpoints: ["192.0.2.10:41641"], mappingVariesByDestIP: false, latency: { "Demo DERP": { preferred: true, latencyMs: 12.5 } }, clientSupports: { hairPinning: null, ipv6: true, pcp: false, pmp: false, udp: true, upnp: false } },
      tailnetLockKey: "tlpub:" + nodeId.toLowerCase(),
      tailnetLockError: "",
      sshEnabled: false,
      postureIdentity: { disabled: true },
      isEphemeral: ephemeral,
      distro: os === "linux" ? { name: "debian", version: "13", codeName: "trixie" } : undefined,
    };
    if (tags.length) record.tags = [...tags];
    devices.set(nodeId, record);
    attributes.set(nodeId, new Map());
    for (const [key, value] of Object.entries(custom)) setAttributes([[nodeId, key, { value }]]);
    return record;
  }

  /** `n` generated devices (`host-1`...), each with what a real one carries, for large lists. */
  function addMany(n, user) {
    for (let i = 1; i <= n; i++) add({ hostname: `host-${i}`, os: ["linux", "windows", "macOS"][i % 3], user, tags: i % 2 ? ["tag:fleet"] : [] });
  }

  function seed(demoUser) {
    const router = add({ hostname: "lab-router", os: "linux", user: demoUser, tags: ["tag:router"] });
    router.advertisedRoutes = ["10.0.0.0/24"];
    router.enabledRoutes = ["10.0.0.0/24"];
    setAttributes([[router.nodeId, "custom:rack", { value: "a1" }], [router.nodeId, "custom:tier", { value: 2 }]]);
    const laptop = add({ hostname: "amelie-laptop", os: "macOS", user: "amelie@example.com" });
    setAttributes([[laptop.nodeId, "custom:diskEncryption", { value: true, expiry: now() + 30 * 86400000 }]]);
    laptop.connectedToControl = false;
    laptop.lastSeen = iso(now() - 3 * 3600000);
    // The seeded policy file's postures (policy.mjs) see a mixed tailnet: an old client here
    // (fails posture:latest), custom:provisioned true on lab-workstation (passes
    // posture:provisioned), false on build-box, and absent elsewhere.
    laptop.clientVersion = "1.58.2";
    laptop.updateAvailable = true;
    add({ hostname: "ci-runner-1", os: "linux", user: demoUser, tags: ["tag:ci"], ephemeral: true });
    const box = add({ hostname: "build-box", os: "windows", user: demoUser });
    setAttributes([[box.nodeId, "custom:provisioned", { value: false }]]);
    add({ hostname: "lab-workstation", os: "linux", user: demoUser, custom: { "custom:provisioned": true } });
    add({ hostname: "prod-api", os: "linux", user: demoUser, tags: ["tag:prod"] });
    // Shared into this tailnet by sasha@partner.example (a shared user, users.mjs), on an older
    // client: it passes neither seeded posture, and postures do not apply to it anyway.
    const nas = add({ hostname: "sasha-nas", os: "linux", user: "sasha@partner.example", shared: { tailnet: "partner.example", addresses: ["100.101.102.103", "fd7a:115c:a1e0::6566:6667"] } });
    nas.clientVersion = "1.56.1";
    nas.updateAvailable = true;
  }

  /** The device's live attributes: expired ones are dropped first. */
  function live(nodeId) {
    const map = attributes.get(nodeId);
    for (const [key, a] of map) if (a.expiry !== null && a.expiry <= now()) map.delete(key);
    return map;
  }

  /** A device by `nodeId` or legacy `id`, or undefined. */
  const lookup = (id) => devices.get(id) ?? [...devices.values()].find((d) => d.id === id);

  function find(id) {
    const device = lookup(id);
    if (!device) throw new HttpError(404, "device not found");
    return device;
  }

  function view(device, fields) {
    const names = fields === "all" ? ALL_FIELDS : DEFAULT_FIELDS;
    const out = {};
    for (const f of names) if (device[f] !== undefined) out[f] = device[f];
    // Omitted while connected (the spec).
    if (device.connectedToControl) delete out.lastSeen;
    return out;
  }

  function attributesView(device) {
    const out = { attributes: {}, expiries: {} };
    const osVersion = { linux: "6.12.0", macOS: "15.1", windows: "10.0.26100" }[device.os] ?? "1.0";
    Object.assign(out.attributes, { "node:os": device.os, "node:osVersion": osVersion, "node:tsReleaseTrack": "stable", "node:tsVersion": device.clientVersion, "node:tsAutoUpdate": false, "node:tsStateEncrypted": false });
    for (const [key, a] of live(device.nodeId)) {
      out.attributes[key] = a.value;
      if (a.expiry !== null) out.expiries[key] = iso(a.expiry);
    }
    return out;
  }

  function fieldsParam(query) {
    const fields = query.get("fields");
    if (fields !== null && fields !== "all" && fields !== "default") throw bad('fields must be "all" or "default"');
    return fields;
  }

  function matches(device, filters) {
    for (const [field, values] of filters) {
      const have = device[field];
      if (have === undefined || have === null) return false;
      if (Array.isArray(have)) {
        if (!values.every((v) => have.includes(v))) return false;
      } else if (!values.every((v) => String(have) === v)) return false;
    }
    return true;
  }

  function list(query) {
    const fields = fieldsParam(query);
    const filters = new Map();
    for (const [field, value] of query) {
      if (field === "fields") continue;
      if (COMPLEX_FIELDS.includes(field)) throw bad(`cannot filter on ${field}: it is not a simple property`);
      if (!ALL_FIELDS.includes(field)) throw bad(`cannot filter on ${field}: not a device property`);
      filters.set(field, [...(filters.get(field) ?? []), value]);
    }
    const chosen = [...devices.values()].filter((d) => matches(d, filters));
    return { devices: chosen.map((d) => view(d, fields)) };
  }

  /**
   * Checks then applies `changes` ([nodeId, key, { value, expiry } | null]) all at once: keys
   * unique case-insensitively across the tailnet, and one value type per key.
   */
  function setAttributes(changes) {
    const planned = new Map(); // lower-case key -> { key, type }, from what stays and what comes
    for (const [nodeId, map] of attributes) {
      for (const [key, a] of live(nodeId)) {
        if (changes.some(([n, k, c]) => n === nodeId && k === key && c === null)) continue;
        planned.set(key.toLowerCase(), { key, type: typeOf(a.value) });
      }
    }
    for (const [nodeId, key, change] of changes) {
      if (change === null) continue;
      const seen = planned.get(key.toLowerCase());
      const type = typeOf(change.value);
      if (seen && seen.key !== key) throw bad(`attribute key "${key}" clashes with "${seen.key}": keys are unique regardless of case`);
      if (seen && seen.type !== type) throw bad(`attribute "${key}" holds ${seen.type} values in this tailnet; it cannot hold a ${type}`);
      planned.set(key.toLowerCase(), { key, type });
    }
    for (const [nodeId, key, change] of changes) {
      const map = attributes.get(nodeId);
      if (change === null) map.delete(key);
      else map.set(key, { value: change.value, expiry: change.expiry ?? null });
    }
  }

  /** `{ value, expiry? }` from a request, checked; `allowed` lists the fields it may carry. */
  function change(body, allowed, where) {
    onlyFields(body, allowed, where);
    if (!("value" in body)) throw bad("value is required");
    checkValue(body.value);
    if (body.expiry !== undefined && !isDateTime(body.expiry)) throw bad("expiry must be an RFC 3339 date-time");
    checkComment(body.comment);
    return { value: body.value, expiry: body.expiry === undefined ? null : Date.parse(body.expiry) };
  }

  function batch(body) {
    onlyFields(body, ["nodes", "comment"], "request body");
    checkComment(body.comment);
    if (!isObject(body.nodes)) throw bad("nodes must map device ids to attribute patches");
    const changes = [];
    for (const [id, patch] of Object.entries(body.nodes)) {
      const device = lookup(id);
      if (!device) throw bad(`device ${id} not found`);
      if (!isObject(patch)) throw bad(`nodes.${id} must map attribute keys to { value, expiry } or null`);
      for (const [key, entry] of Object.entries(patch)) {
        checkKey(key);
        changes.push([device.nodeId, key, entry === null ? null : change(entry, ["value", "expiry"], `nodes.${id}.${key}`)]);
      }
    }
    setAttributes(changes);
    return null;
  }

  /** Routes /tailnet/{t}/devices, /tailnet/{t}/device-attributes and /device/...; null if the
   *  path is none of these. `authenticate()` gives the caller, once the path is known. */
  function route(method, segments, query, json, authenticate) {
    const deviceRoute = segments[0] === "device" && segments.length >= 2 && segments.length <= 4;
    const tailnetRoute = segments[0] === "tailnet" && segments.length === 3 && ["devices", "device-attributes"].includes(segments[2]);
    if (!deviceRoute && !tailnetRoute) return null;
    const caller = authenticate();
    if (tailnetRoute) {
      if (segments[1] !== "-" && segments[1] !== tailnetName) throw new HttpError(404, "tailnet not found");
      if (segments[2] === "devices" && method === "GET") {
        requireScope(caller, "devices:core", false);
        return [200, list(query)];
      }
      if (segments[2] === "device-attributes" && method === "PATCH") {
        requireScope(caller, "devices:posture_attributes", true);
        return [200, batch(json())];
      }
      throw new HttpError(405, "method not allowed");
    }
    const [, id, sub, key] = segments;
    if (sub === undefined) {
      if (method === "DELETE") {
        requireScope(caller, "devices:core", true);
        const device = find(id);
        devices.delete(device.nodeId);
        attributes.delete(device.nodeId);
        return [200, undefined];
      }
      if (method !== "GET") throw new HttpError(405, "method not allowed");
      requireScope(caller, "devices:core", false);
      return [200, view(find(id), fieldsParam(query))];
    }
    if (sub === "routes" && key === undefined) {
      if (method !== "GET" && method !== "POST") throw new HttpError(405, "method not allowed");
      requireScope(caller, "devices:routes", method === "POST");
      const device = find(id);
      if (method === "POST") {
        const body = json();
        onlyFields(body, ["routes"], "request body");
        if (!Array.isArray(body.routes) || !body.routes.every(isPrefix)) throw bad("routes must be a list of CIDR prefixes such as 10.0.0.0/24");
        device.enabledRoutes = [...new Set(body.routes)];
      }
      return [200, { advertisedRoutes: device.advertisedRoutes, enabledRoutes: device.enabledRoutes }];
    }
    if (sub === "tags" && key === undefined) {
      if (method !== "POST") throw new HttpError(405, "method not allowed");
      requireScope(caller, "devices:core", true);
      const device = find(id);
      const body = json();
      onlyFields(body, ["tags"], "request body");
      if (!Array.isArray(body.tags) || !body.tags.every(isTag)) throw bad("tags must be a list of tags such as tag:server");
      if (body.tags.length) device.tags = [...new Set(body.tags)];
      else delete device.tags;
      device.keyExpiryDisabled = body.tags.length > 0;
      return [200, undefined];
    }
    if (sub !== "attributes") throw new HttpError(404, "not found");
    if (key === undefined) {
      if (method !== "GET") throw new HttpError(405, "method not allowed");
      requireScope(caller, "devices:posture_attributes", false);
      return [200, attributesView(find(id))];
    }
    if (method !== "POST" && method !== "DELETE") throw new HttpError(405, "method not allowed");
    requireScope(caller, "devices:posture_attributes", true);
    const device = find(id);
    checkKey(key);
    if (method === "DELETE") {
      // Deleting what is not there succeeds: a retried delete must not fail.
      setAttributes([[device.nodeId, key, null]]);
      return [200, undefined];
    }
    setAttributes([[device.nodeId, key, change(json(), ["value", "expiry", "comment"], "request body")]]);
    return [200, attributesView(device)];
  }

  /** The posture attributes the API shows for a device (node: and custom:), by nodeId. */
  const attributesOf = (nodeId) => attributesView(find(nodeId)).attributes;

  return { add, addMany, seed, route, view, attributesOf };
}
