// The demo page: every key, OAuth-app and device operation through the tailscale-wasm package,
// loaded from /pkg/ exactly as users install it. Everything from the API is rendered with
// textContent (never innerHTML), and credentials live only in this module's memory.

import * as ts from "/pkg/index.js";
import { createPolicySection } from "./policy.js";

const $ = (selector, root = document) => root.querySelector(selector);
let client = null;
let demoConfig = null;
// Auth keys made on this page, id -> { secret, label }: the secret is shown once, and kept here
// (never in the DOM or storage) so that a demo device can register with it.
const heldKeys = new Map();
// OAuth app secrets made on this page, app id -> secret, for "Provision a device".
const heldAppSecrets = new Map();

// ---- request log: the page's own view of every call the client makes -----------------------
/** The `fetch` option of the page's client and provisioning flow: the real fetch, logged. */
async function loggedFetch(request) {
  const url = new URL(request.url);
  const started = performance.now();
  try {
    const response = await fetch(request);
    logCall(request.method, url.pathname + url.search, String(response.status), performance.now() - started, response.ok);
    return response;
  } catch (err) {
    logCall(request.method, url.pathname + url.search, err?.name === "AbortError" ? "aborted" : "failed", performance.now() - started, false);
    throw err;
  }
}

function logCall(method, path, status, ms, ok) {
  const list = $("#log-list");
  const item = el("li", { class: ok ? "ok" : "bad" }, el("span", { class: "method" }, method), el("span", { class: "path" }, path), el("span", { class: "status" }, status), el("span", { class: "ms" }, `${Math.round(ms)} ms`));
  list.prepend(item);
  while (list.children.length > 200) list.lastElementChild.remove();
}

// ---- small DOM helpers: text only ----------------------------------------------------------
function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (v === undefined || v === false) continue;
    if (k === "class") node.className = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? "" : v);
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined && child !== false) node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

const list = (text) => text.split(/[\s,]+/).filter(Boolean);
const rtf = new Intl.RelativeTimeFormat("en", { numeric: "auto" });
const UNITS = [["year", 31536e6], ["month", 2592e6], ["day", 864e5], ["hour", 36e5], ["minute", 6e4]];

function relative(iso) {
  if (!iso) return "never";
  const ms = Date.parse(iso) - Date.now();
  if (Number.isNaN(ms)) return String(iso);
  for (const [unit, size] of UNITS) if (Math.abs(ms) >= size) return rtf.format(Math.round(ms / size), unit);
  return rtf.format(Math.round(ms / 1000), "second");
}

function timeCell(iso) {
  return el("td", {}, iso ? el("time", { datetime: String(iso), title: String(iso) }, relative(iso)) : "never");
}

function chips(values, kind) {
  return el("span", { class: "chips" }, (values ?? []).map((v) => el("span", { class: `chip ${kind}` }, v)));
}

// ---- feedback ------------------------------------------------------------------------------
let toastTimer;
function toast(message, kind = "info") {
  const node = $("#toast");
  node.textContent = message;
  node.dataset.kind = kind;
  node.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => (node.hidden = true), kind === "error" ? 10000 : 5000);
}

// An API error's message names the call and the status already.
function describe(err) {
  if (err instanceof ts.TailscaleValidationError) return err.issues.map((i) => (i.field ? `${i.field}: ${i.message}` : i.message)).join("; ");
  return err?.message ?? String(err);
}

/** Shows issues next to their fields; returns true when there were none. */
function showIssues(form, issues) {
  for (const slot of form.querySelectorAll(".field-error")) slot.textContent = "";
  const loose = [];
  for (const issue of issues) {
    const base = issue.field.replace(/\[\d+\]$/, "").split(".")[0];
    const slot = form.querySelector(`.field-error[data-for="${CSS.escape(base)}"]`);
    const text = `${issue.field.match(/\[(\d+)\]$/) ? `entry ${Number(issue.field.match(/\[(\d+)\]$/)[1]) + 1}: ` : ""}${issue.message}`;
    if (slot) slot.textContent = slot.textContent ? `${slot.textContent}; ${text}` : text;
    else loose.push(issue);
  }
  if (loose.length) toast(describe(new ts.TailscaleValidationError("", { issues: loose })), "error");
  return issues.length === 0;
}

async function busy(button, work) {
  button.disabled = true;
  button.setAttribute("aria-busy", "true");
  try {
    return await work();
  } catch (err) {
    toast(describe(err), "error");
  } finally {
    button.disabled = !client;
    button.removeAttribute("aria-busy");
  }
}

// ---- secrets: shown once -------------------------------------------------------------------
/** How to use an auth key on a device without putting it on a command line, where shell history
 *  and every user's `ps` would see it: pasted into a file only its owner can read. */
const AUTH_KEY_FILE_ADVICE = [
  "# On the new device: paste the key, then press Ctrl-D (a fresh file: umask sets only a new one's mode)",
  "rm -f tailscale-auth-key; (umask 077; cat > tailscale-auth-key)",
  "tailscale up --auth-key=file:tailscale-auth-key",
].join("\n");

/** Shows a secret once; `command` is a line to run with it, `action` a follow-up button. */
function showSecret(secret, label, { command, action } = {}) {
  $("#secret-value").value = secret;
  $("#secret-label").textContent = label;
  $("#copy-status").textContent = "";
  $("#secret-command").textContent = command ?? "";
  $("#secret-command").hidden = !command;
  const button = $("#secret-action");
  button.hidden = !action;
  button.textContent = action?.label ?? "";
  button.onclick = action ? () => busy(button, action.run) : null;
  $("#secret-overlay").hidden = false;
  $("#secret-value").select();
}

$("#copy-secret").addEventListener("click", async () => {
  const value = $("#secret-value").value;
  try {
    await navigator.clipboard.writeText(value);
    $("#copy-status").textContent = "Copied to the clipboard.";
  } catch {
    $("#secret-value").select();
    $("#copy-status").textContent = "Select the text and copy it by hand.";
  }
});

$("#dismiss-secret").addEventListener("click", () => {
  $("#secret-value").value = "";
  $("#secret-label").textContent = "";
  $("#secret-command").textContent = "";
  $("#secret-action").onclick = null;
  $("#secret-overlay").hidden = true;
});

// ---- access policy (www/policy.js) ---------------------------------------------------------
const policy = createPolicySection({ $, el, busy, toast, describe, getClient: () => client });

// ---- connection ----------------------------------------------------------------------------
const connectForm = $("#connect-form");

function showMode() {
  const mode = connectForm.elements.mode.value;
  for (const part of connectForm.querySelectorAll(".mode-fields")) part.hidden = part.dataset.mode !== mode;
}
connectForm.addEventListener("change", showMode);

function connectionOptions() {
  const f = connectForm.elements;
  const options = { baseUrl: location.origin, tailnet: f.tailnet.value.trim() || "-", fetch: loggedFetch };
  switch (f.mode.value) {
    case "demo":
      options.apiKey = demoConfig?.apiKey ?? "";
      break;
    case "apiKey":
      options.apiKey = f.apiKey.value.trim();
      break;
    case "oauth":
      options.oauth = { clientId: f.clientId.value.trim(), clientSecret: f.clientSecret.value.trim() };
      break;
    default:
      options.federated = { clientId: f.federatedClientId.value.trim(), idToken: f.idToken.value.trim() };
  }
  return options;
}

connectForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  showIssues(connectForm, []);
  try {
    client = new ts.TailscaleClient(connectionOptions());
  } catch (err) {
    client = null;
    $(".field-error[data-for=connect]", connectForm).textContent = describe(err);
    return setConnected(false);
  }
  // The client holds the credential now; the form need not.
  for (const name of ["apiKey", "clientSecret", "idToken"]) connectForm.elements[name].value = "";
  setConnected(true);
  await Promise.all([loadKeys(), loadApps(), loadDevices(), policy.load().catch((err) => toast(describe(err), "error"))]);
});

function setConnected(on) {
  const status = $("#status");
  status.dataset.state = on ? "on" : "off";
  status.textContent = on ? `Connected (${client.authMode}, tailnet ${client.tailnet})` : "Not connected";
  for (const button of document.querySelectorAll("#keys button, #apps button, #devices button, #provision button")) button.disabled = !on;
  policy.setEnabled(on);
  if (!on) {
    for (const table of ["#keys-table", "#apps-table", "#devices-table"]) $(`${table} tbody`).replaceChildren();
  }
}

// ---- keys ----------------------------------------------------------------------------------
const KEY_TYPES = { auth: "Auth key", client: "OAuth client", federated: "Federated identity", api: "API token" };

/** Fills a table from `fetchRows`, with loading, empty and failed states in its placeholder. */
async function loadTable({ table, placeholder, noun, empty, fetchRows, row }) {
  const body = $(`${table} tbody`);
  const note = $(placeholder);
  if (!body.children.length) {
    note.textContent = `Loading ${noun}…`;
    note.hidden = false;
  }
  try {
    const rows = await fetchRows();
    body.replaceChildren(...rows.map(row));
    note.textContent = empty;
    note.hidden = rows.length > 0;
  } catch (err) {
    note.textContent = `Could not load ${noun}.`;
    toast(describe(err), "error");
  }
}

const byNewest = (a, b) => String(b.created ?? "").localeCompare(String(a.created ?? ""));

function loadKeys() {
  return loadTable({
    table: "#keys-table",
    placeholder: "#keys-placeholder",
    noun: "keys",
    empty: "No keys in this tailnet yet. Create one below.",
    fetchRows: async () => (await client.keys.list({ all: true })).sort(byNewest),
    row: keyRow,
  });
}

/** Replaces a row's actions with a question and a confirm button; `idle` puts them back. */
function confirmStep(actions, question, confirmLabel, action, idle) {
  actions.replaceChildren(
    el("span", { class: "confirm" }, question),
    el("button", { type: "button", class: "danger", onclick: (e) => busy(e.currentTarget, action) }, confirmLabel),
    el("button", { type: "button", onclick: idle }, "Cancel"),
  );
}

function keyRow(key) {
  const create = key.capabilities?.devices?.create;
  const flags = create ? [create.reusable && "reusable", create.ephemeral && "ephemeral", create.preauthorized && "pre-approved"].filter(Boolean) : [];
  const state = key.revoked ? "revoked" : key.invalid ? "invalid" : "active";
  const actions = el("td", { class: "actions" });
  const row = el(
    "tr",
    { "data-key-id": key.id ?? "", class: state === "active" ? "" : "inactive" },
    el("td", {}, el("span", { class: "type" }, KEY_TYPES[key.keyType] ?? key.keyType ?? "unknown"), flags.length ? el("small", {}, flags.join(", ")) : null),
    el("td", { class: "wrap" }, key.description || el("span", { class: "muted" }, "(none)")),
    timeCell(key.created),
    timeCell(key.expires),
    el("td", {}, chips(create?.tags ?? key.tags, "tag"), chips(key.scopes, "scope")),
    el("td", {}, el("span", { class: `state ${state}` }, state)),
    actions,
  );
  const idle = () => {
    actions.replaceChildren();
    if (state !== "active") return;
    if (key.keyType === "client" || key.keyType === "federated") {
      actions.append(el("button", { type: "button", onclick: () => editTrust(key) }, "Edit"));
    }
    if (heldKeys.has(key.id) && demoConfig?.mode === "demo") {
      actions.append(el("button", { type: "button", onclick: () => chooseRegisterKey(key.id) }, "Register device"));
    }
    actions.append(el("button", { type: "button", class: "danger", onclick: confirmRevoke }, "Revoke"));
  };
  const confirmRevoke = () => confirmStep(actions, "Revoke this key?", "Confirm revoke", revoke, idle);
  async function revoke() {
    await client.keys.delete(key.id);
    toast(`Revoked ${KEY_TYPES[key.keyType] ?? "key"} ${key.id}.`);
    await loadKeys();
  }
  idle();
  return row;
}

const authForm = $("#auth-key-form");

function authKeyRequest() {
  const f = authForm.elements;
  const req = { reusable: f.reusable.checked, ephemeral: f.ephemeral.checked, preauthorized: f.preauthorized.checked };
  const tags = list(f.tags.value);
  if (tags.length) req.tags = tags;
  if (f.expiry.value !== "") req.expirySeconds = Math.round(Number(f.expiry.value) * Number(f.unit.value));
  if (f.description.value) req.description = f.description.value;
  return req;
}

authForm.addEventListener("input", () => showIssues(authForm, ts.validateCreateAuthKey(authKeyRequest())));
authForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const req = authKeyRequest();
  if (!showIssues(authForm, ts.validateCreateAuthKey(req))) return;
  busy(event.submitter ?? $("button[type=submit]", authForm), async () => {
    const key = await client.keys.createAuthKey(req);
    holdKey(key.id, key.key, `${key.description || "auth key"} (${key.id})`);
    showSecret(key.key, `Auth key ${key.id}`);
    authForm.reset();
    await loadKeys();
  });
});

// ---- trust credentials: OAuth clients and federated identities -----------------------------
const trustForm = $("#trust-form");

function trustKind() {
  return trustForm.elements.kind.value;
}

function trustRequest() {
  const f = trustForm.elements;
  const req = { scopes: list(f.scopes.value) };
  const tags = list(f.tags.value);
  if (tags.length) req.tags = tags;
  if (f.description.value) req.description = f.description.value;
  if (trustKind() === "federated") {
    req.issuer = f.issuer.value.trim();
    req.subject = f.subject.value.trim();
    if (f.audience.value.trim()) req.audience = f.audience.value.trim();
    const rules = f.claims.value.split("\n").map((l) => l.trim()).filter(Boolean);
    if (rules.length) {
      req.customClaimRules = {};
      for (const line of rules) {
        const at = line.indexOf("=");
        req.customClaimRules[at < 0 ? line : line.slice(0, at).trim()] = at < 0 ? "" : line.slice(at + 1).trim();
      }
    }
  }
  return req;
}

const validateTrust = (req) => (trustKind() === "federated" ? ts.validateCreateFederatedIdentity(req) : ts.validateCreateOAuthClient(req));

function syncTrustKind() {
  $(".federated-only", trustForm).hidden = trustKind() !== "federated";
}

function resetTrust() {
  trustForm.reset();
  trustForm.elements.keyId.value = ""; // reset() keeps a hidden input's value
  trustForm.elements.kind.disabled = false;
  $("#trust-title").textContent = "New trust credential";
  $("button[type=submit]", trustForm).textContent = "Create";
  $(".cancel-edit", trustForm).hidden = true;
  syncTrustKind();
  showIssues(trustForm, []);
}

function editTrust(key) {
  const f = trustForm.elements;
  resetTrust();
  f.keyId.value = key.id;
  f.kind.value = key.keyType;
  f.kind.disabled = true;
  f.scopes.value = (key.scopes ?? []).join(", ");
  f.tags.value = (key.tags ?? []).join(", ");
  f.description.value = key.description ?? "";
  f.issuer.value = key.issuer ?? "";
  f.subject.value = key.subject ?? "";
  f.audience.value = key.audience ?? "";
  f.claims.value = Object.entries(key.customClaimRules ?? {}).map(([k, v]) => `${k}=${v}`).join("\n");
  $("#trust-title").textContent = `Edit ${KEY_TYPES[key.keyType]} ${key.id}`;
  $("button[type=submit]", trustForm).textContent = "Save changes";
  $(".cancel-edit", trustForm).hidden = false;
  syncTrustKind();
  trustForm.scrollIntoView({ block: "nearest" });
}

trustForm.addEventListener("change", (e) => e.target.name === "kind" && syncTrustKind());
trustForm.addEventListener("input", () => showIssues(trustForm, validateTrust(trustRequest())));
$(".cancel-edit", trustForm).addEventListener("click", resetTrust);
trustForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const req = trustRequest();
  if (!showIssues(trustForm, validateTrust(req))) return;
  const id = trustForm.elements.keyId.value;
  const federated = trustKind() === "federated";
  busy(event.submitter ?? $("button[type=submit]", trustForm), async () => {
    if (id) {
      await (federated ? client.keys.setFederatedIdentity(id, req) : client.keys.setOAuthClient(id, req));
      toast(`Saved ${id}.`);
    } else if (federated) {
      const key = await client.keys.createFederatedIdentity(req);
      toast(`Created federated identity ${key.id} (audience ${key.audience ?? "generated"}).`);
    } else {
      const key = await client.keys.createOAuthClient(req);
      showSecret(key.key, `OAuth client ${key.id}: the client ID is ${key.id}, this is its secret`);
    }
    resetTrust();
    await loadKeys();
  });
});

// ---- OAuth apps ----------------------------------------------------------------------------
function loadApps() {
  return loadTable({
    table: "#apps-table",
    placeholder: "#apps-placeholder",
    noun: "OAuth apps",
    empty: "No OAuth apps yet. Create one below.",
    fetchRows: async () => {
      const apps = await client.oauthApps.list();
      fillAppChoices(apps);
      return apps;
    },
    row: appRow,
  });
}

function appRow(app) {
  const actions = el("td", { class: "actions" });
  const idle = () =>
    actions.replaceChildren(
      el("button", { type: "button", onclick: () => editApp(app) }, "Edit"),
      el("button", { type: "button", class: "danger", onclick: confirmDelete }, "Delete"),
    );
  const confirmDelete = () => confirmStep(actions, "Delete this app?", "Confirm delete", remove, idle);
  async function remove() {
    await client.oauthApps.delete(app.id);
    toast(`Deleted OAuth app ${app.name ?? app.id}.`);
    await loadApps();
  }
  idle();
  return el(
    "tr",
    { "data-app-id": app.id ?? "" },
    el("td", { class: "strong" }, app.name ?? ""),
    el("td", { class: "wrap description" }, app.description || el("span", { class: "muted" }, "(none)")),
    el("td", { class: "wrap" }, (app.redirectURIs ?? []).map((u) => el("div", { class: "mono" }, u))),
    el("td", {}, chips(app.scopes, "scope")),
    el("td", {}, chips(app.allowedNodeAttributes, "attr")),
    timeCell(app.created),
    actions,
  );
}

const appForm = $("#app-form");

function appRequest() {
  const f = appForm.elements;
  const req = { name: f.name.value.trim(), redirectURIs: f.redirectURIs.value.split("\n").map((l) => l.trim()).filter(Boolean), scopes: list(f.scopes.value) };
  if (f.description.value) req.description = f.description.value;
  const attrs = list(f.allowedNodeAttributes.value);
  if (attrs.length) req.allowedNodeAttributes = attrs;
  return req;
}

function resetApp() {
  appForm.reset();
  appForm.elements.appId.value = ""; // reset() keeps a hidden input's value
  $("#app-title").textContent = "New OAuth app";
  $("button[type=submit]", appForm).textContent = "Create app";
  $(".cancel-edit", appForm).hidden = true;
  showIssues(appForm, []);
}

function editApp(app) {
  const f = appForm.elements;
  resetApp();
  f.appId.value = app.id;
  f.name.value = app.name ?? "";
  f.description.value = app.description ?? "";
  f.redirectURIs.value = (app.redirectURIs ?? []).join("\n");
  f.scopes.value = (app.scopes ?? []).join(", ");
  f.allowedNodeAttributes.value = (app.allowedNodeAttributes ?? []).join(", ");
  $("#app-title").textContent = `Edit OAuth app ${app.name ?? app.id}`;
  $("button[type=submit]", appForm).textContent = "Save changes";
  $(".cancel-edit", appForm).hidden = false;
  appForm.scrollIntoView({ block: "nearest" });
}

appForm.addEventListener("input", () => showIssues(appForm, ts.validateOAuthApp(appRequest())));
$(".cancel-edit", appForm).addEventListener("click", resetApp);
appForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const req = appRequest();
  if (!showIssues(appForm, ts.validateOAuthApp(req))) return;
  const id = appForm.elements.appId.value;
  busy(event.submitter ?? $("button[type=submit]", appForm), async () => {
    if (id) {
      await client.oauthApps.update(id, req);
      toast(`Saved OAuth app ${req.name}.`);
    } else {
      const app = await client.oauthApps.create(req);
      if (app.clientSecret) heldAppSecrets.set(app.id, app.clientSecret);
      showSecret(app.clientSecret ?? "", `OAuth app ${app.name} (client ID ${app.id}): its client secret`);
    }
    resetApp();
    await loadApps();
  });
});

// ---- devices -------------------------------------------------------------------------------
function loadDevices() {
  return loadTable({
    table: "#devices-table",
    placeholder: "#devices-placeholder",
    noun: "devices",
    empty: "No devices in this tailnet yet.",
    fetchRows: async () => {
      const devices = await client.devices.list();
      fillDeviceChoices(devices);
      // Attributes changed, or a device joined: the posture table follows without a reload.
      policy.refreshPostures();
      return Promise.all(devices.map(async (device) => ({ device, attributes: (await client.devices.getAttributes(device.nodeId)).attributes ?? {} })));
    },
    row: deviceRow,
  });
}

function deviceRow({ device, attributes }) {
  const actions = el("td", { class: "actions" });
  const custom = Object.entries(attributes).filter(([key]) => key.startsWith("custom:"));
  const idle = () => actions.replaceChildren();
  const confirmDelete = (key) =>
    confirmStep(actions, `Delete ${key}?`, "Confirm delete", async () => {
      await client.devices.deleteAttribute(device.nodeId, key);
      toast(`Deleted ${key} from ${device.hostname}.`);
      await loadDevices();
    }, idle);
  const attributeChips = el(
    "span",
    { class: "chips" },
    custom.map(([key, value]) => el("span", { class: "chip attr", "data-key": key }, `${key}=${value}`, el("button", { type: "button", "aria-label": `Delete ${key}`, title: `Delete ${key}`, onclick: () => confirmDelete(key) }, "×"))),
  );
  const lastSeen = device.connectedToControl ? el("td", {}, "connected") : timeCell(device.lastSeen);
  return el(
    "tr",
    { "data-node-id": device.nodeId ?? "" },
    el("td", { class: "strong" }, device.hostname ?? "", el("small", {}, device.name ?? "")),
    el("td", {}, device.tags?.length ? chips(device.tags, "tag") : device.user ?? ""),
    el("td", {}, device.os ?? ""),
    lastSeen,
    el("td", { class: "wrap" }, custom.length ? attributeChips : el("span", { class: "muted" }, "(none)")),
    actions,
  );
}

function fillDeviceChoices(devices) {
  const select = attributeForm.elements.deviceId;
  const chosen = select.value;
  select.replaceChildren(...devices.map((d) => el("option", { value: d.nodeId }, `${d.hostname} (${d.nodeId})`)));
  if (devices.some((d) => d.nodeId === chosen)) select.value = chosen;
}

const attributeForm = $("#attribute-form");

function attributeRequest() {
  const f = attributeForm.elements;
  const type = f.type.value;
  const text = f.value.value.trim();
  const value = type === "boolean" ? f.valueBool.checked : type === "number" && text !== "" && !Number.isNaN(Number(text)) ? Number(text) : text;
  const req = { deviceId: f.deviceId.value, key: f.key.value.trim(), value };
  if (f.expiry.value) req.expiry = new Date(f.expiry.value).toISOString();
  if (f.comment.value) req.comment = f.comment.value;
  return req;
}

function syncValueType() {
  const boolean = attributeForm.elements.type.value === "boolean";
  $(".value-text", attributeForm).hidden = boolean;
  $(".value-bool", attributeForm).hidden = !boolean;
}

attributeForm.addEventListener("change", (e) => e.target.name === "type" && syncValueType());
attributeForm.addEventListener("input", () => showIssues(attributeForm, ts.validateSetAttribute(attributeRequest())));
attributeForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const { deviceId, key, ...options } = attributeRequest();
  if (!showIssues(attributeForm, ts.validateSetAttribute({ deviceId, key, ...options }))) return;
  busy(event.submitter ?? $("button[type=submit]", attributeForm), async () => {
    await client.devices.setAttribute(deviceId, key, options);
    toast(`Set ${key} on ${attributeForm.elements.deviceId.selectedOptions[0]?.textContent ?? deviceId}.`);
    attributeForm.elements.key.value = "";
    attributeForm.elements.value.value = "";
    await loadDevices();
  });
});

// ---- demo devices: registering with an auth key (demo mode only) ---------------------------
const registerForm = $("#register-form");

function holdKey(id, secret, label) {
  heldKeys.set(id, { secret, label });
  registerForm.elements.keyId.replaceChildren(...[...heldKeys].map(([keyId, k]) => el("option", { value: keyId }, k.label)));
  registerForm.elements.keyId.value = id;
}

function chooseRegisterKey(id) {
  registerForm.elements.keyId.value = id;
  registerForm.scrollIntoView({ block: "nearest" });
  registerForm.elements.hostname.focus();
}

/** Joins a demo device with a held auth key; returns false (and shows why) if refused. */
async function registerDevice(keyId, hostname, os) {
  const held = heldKeys.get(keyId);
  if (!held) return showIssues(registerForm, [{ field: "authKey", message: "create an auth key above first: its secret is only known to this page at creation" }]);
  const response = await fetch("/demo/register", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ authKey: held.secret, hostname, os }) });
  const answer = await response.json();
  if (!response.ok) return showIssues(registerForm, [{ field: response.status === 400 ? "hostname" : "authKey", message: answer.message }]);
  toast(`${answer.hostname} joined the tailnet${answer.tags ? ` as ${answer.tags.join(", ")}` : ` as ${answer.user}`}.`);
  await loadDevices();
  return true;
}

registerForm.addEventListener("submit", (event) => {
  event.preventDefault();
  showIssues(registerForm, []);
  const f = registerForm.elements;
  busy(event.submitter ?? $("button[type=submit]", registerForm), () => registerDevice(f.keyId.value, f.hostname.value.trim(), f.os.value));
});

// ---- provisioning a device through an OAuth app ---------------------------------------------
const provisionForm = $("#provision-form");
const redirectUri = `${location.origin}/callback.html`;
let apps = [];
// The flow waiting for its callback, in memory only; dropped once the callback is read.
let pending = null;
let provisioned = 0;

function fillAppChoices(all) {
  apps = all;
  const select = provisionForm.elements.appId;
  const chosen = select.value;
  select.replaceChildren(...(all.length ? all.map((a) => el("option", { value: a.id ?? "" }, a.name ?? a.id ?? "")) : [el("option", { value: "" }, "none yet: create an OAuth app above")]));
  if (all.some((a) => a.id === chosen)) select.value = chosen;
  syncProvisionApp();
}

const chosenApp = () => apps.find((a) => a.id === provisionForm.elements.appId.value);

function syncProvisionApp() {
  const app = chosenApp();
  const held = app && heldAppSecrets.has(app.id);
  $("#secret-source").textContent = held ? "Leave empty to use the secret this page kept when it created the app." : "Paste the secret shown when the app was created.";
  $("#add-redirect").hidden = !app || (app.redirectURIs ?? []).includes(redirectUri);
}

function provisioningFlow() {
  const f = provisionForm.elements;
  const app = chosenApp();
  const clientSecret = f.clientSecret.value.trim() || heldAppSecrets.get(app?.id) || "";
  const options = { clientId: app?.id ?? "", clientSecret, redirectUri, scopes: list(f.scopes.value), baseUrl: location.origin, fetch: loggedFetch };
  // The demo tailnet serves its own consent screen; a real tailnet's is on login.tailscale.com.
  if (demoConfig?.mode === "demo") options.loginUrl = location.origin;
  return new ts.DeviceProvisioning(options);
}

provisionForm.addEventListener("change", (e) => e.target.name === "appId" && syncProvisionApp());
$("#add-redirect").addEventListener("click", (e) =>
  busy(e.currentTarget, async () => {
    const app = chosenApp();
    const { name, description, scopes, allowedNodeAttributes } = app;
    await client.oauthApps.update(app.id, { name, description, scopes, allowedNodeAttributes, redirectURIs: [...(app.redirectURIs ?? []), redirectUri] });
    toast(`Added ${redirectUri} to ${app.name}.`);
    await loadApps();
  }),
);

provisionForm.addEventListener("submit", (event) => {
  event.preventDefault();
  showIssues(provisionForm, []);
  let flow;
  try {
    flow = provisioningFlow();
  } catch (err) {
    return err instanceof ts.TailscaleValidationError ? showIssues(provisionForm, err.issues) : toast(describe(err), "error");
  }
  const { url, state } = flow.authorizationUrl();
  pending = { flow, state, app: chosenApp()?.name ?? "the app" };
  const consent = window.open(url, "tailscale-consent", "popup,width=560,height=700");
  $("#provision-status").textContent = consent ? "Waiting for the consent screen…" : "The browser blocked the consent window: allow pop-ups for this page and try again.";
});

// The consent window's callback page sends its URL here (callback.js).
new BroadcastChannel("tailscale-wasm-consent").onmessage = ({ data }) => completeProvisioning(String(data));

async function completeProvisioning(callbackUrl) {
  if (!pending) return;
  const { flow, state, app } = pending;
  pending = null;
  const status = $("#provision-status");
  try {
    const { code } = flow.parseCallback(callbackUrl, state);
    status.textContent = "Consent given; exchanging the code…";
    const grant = await flow.exchange(code);
    const id = `provisioned-${++provisioned}`;
    holdKey(id, grant.authKey, `provisioned through ${app} (until ${new Date(grant.expiresAt).toLocaleTimeString()})`);
    status.textContent = `A single-use auth key arrived, valid until ${new Date(grant.expiresAt).toLocaleString()}.`;
    const register = { label: "Register a demo device with this key", run: () => registerDevice(id, `provisioned-${provisioned}`, "linux") };
    showSecret(grant.authKey, `Auth key for the consenting user's new device, through ${app}: single-use, for one hour`, { command: AUTH_KEY_FILE_ADVICE, action: demoConfig?.mode === "demo" ? register : undefined });
  } catch (err) {
    if (err instanceof ts.TailscaleAuthorizationError) status.textContent = `Not authorized: ${err.error}${err.description ? ` (${err.description})` : ""}.`;
    else if (err instanceof ts.TailscaleValidationError) status.textContent = `The callback did not match this page's request: ${describe(err)}`;
    else toast(describe(err), "error");
  }
}

// ---- start ---------------------------------------------------------------------------------
$("#refresh-keys").addEventListener("click", (e) => busy(e.currentTarget, loadKeys));
$("#refresh-apps").addEventListener("click", (e) => busy(e.currentTarget, loadApps));
$("#refresh-devices").addEventListener("click", (e) => busy(e.currentTarget, loadDevices));
$("#clear-log").addEventListener("click", () => $("#log-list").replaceChildren());
$("#toast").addEventListener("click", () => ($("#toast").hidden = true));

try {
  demoConfig = await (await fetch("/demo/config.json")).json();
} catch {
  demoConfig = null;
}
if (demoConfig?.mode !== "demo") {
  const demoRadio = connectForm.querySelector("input[value=demo]");
  demoRadio.disabled = true;
  connectForm.querySelector("input[value=apiKey]").checked = true;
  $("#demo-hint").textContent = "The server forwards to a real Tailscale API; use your own credential.";
}
registerForm.hidden = demoConfig?.mode !== "demo";
$("#redirect-uri").textContent = redirectUri;
showMode();
syncTrustKind();
syncValueType();
setConnected(false);
document.body.dataset.ready = "true";
