// The demo page's "Access policy" section: the policy file as stored, comments included, with
// line numbers; which devices each posture admits, with the reason on each refusal; "Who can
// reach", answered locally by the access engine (AccessModel); "Gate on provisioned devices",
// previewed with a dry run, checked with the engine (`gated`), written through policy.update
// and proved with the same tests run by the engine and by the server; and an editor that checks
// as you type, shows what the edit gains and loses against the stored file before you save,
// and saves only over the version it loaded. Everything from the API is rendered as text.

import { TailscaleApiError, TailscaleValidationError } from "/pkg/index.js";
import { AccessModel, PolicyDocument } from "/pkg/policy.js";

const POSTURE = "posture:provisioned";
const CONDITIONS = ["custom:provisioned == true"];
/** How long the editor waits after the last keystroke before modelling its text. */
const IMPACT_DELAY_MS = 250;
/** How many users the gate's proof tests speak for (two tests each). */
const PROOF_SOURCES = 3;

/** The gate's edit: the posture, and a grant to `dst` that requires it (examples/
 *  gate-provisioned.mjs does the same from a terminal). Returns what it found and did. */
function gate(doc, dst) {
  const notes = [];
  if (doc.get(["postures", POSTURE]) === undefined) {
    doc.setPosture(POSTURE, CONDITIONS);
    notes.push(`added ${POSTURE}`);
  }
  const grants = doc.get("/grants") ?? [];
  const to = grants.flatMap((g, i) => (Array.isArray(g?.dst) && g.dst.includes(dst) ? [i] : []));
  if (!to.length) {
    doc.append("/grants", { src: ["autogroup:member"], dst: [dst], ip: ["*"], srcPosture: [POSTURE] });
    notes.push(`added a grant to ${dst} that requires ${POSTURE}`);
  }
  for (const i of to) {
    if (grants[i].srcPosture === undefined) {
      doc.set(["grants", String(i), "srcPosture"], [POSTURE]);
      notes.push(`grants[${i}] to ${dst} now requires ${POSTURE}`);
    } else if (!grants[i].srcPosture.includes(POSTURE)) notes.push(`grants[${i}] to ${dst} is gated by other postures; left as it is`);
  }
  return notes;
}

/** Changed lines between two texts, as `{ sign, text }` rows around the edit. */
function changedLines(before, after) {
  const a = before.split("\n");
  const b = after.split("\n");
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let end = 0;
  while (end < a.length - start && end < b.length - start && a[a.length - 1 - end] === b[b.length - 1 - end]) end++;
  return [...a.slice(start, a.length - end).map((text) => ({ sign: "-", text })), ...b.slice(start, b.length - end).map((text) => ({ sign: "+", text }))];
}

const plural = (n, one, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;
const isAddress = (text) => IPV4.test(text) || (/^[0-9a-f:.]+$/i.test(text) && text.includes(":"));
const isForbidden = (err) => err instanceof TailscaleApiError && err.status === 403;
const isGone = (err) => err instanceof TailscaleApiError && err.status === 404;

/** A rule as the page names it: `grants[1], line 43`. */
const ruleName = (r) => (r.section === "default" ? "the default allow-all (the file has neither grants nor acls)" : `${r.section}[${r.index}], line ${r.line}`);

/** A test's destination: `tag:router:22`, `100.64.0.1:22`, `[fd7a::1]:22`. */
const testDestination = (dst, port) => (dst.includes(":") && isAddress(dst) ? `[${dst}]:${port}` : `${dst}:${port}`);

/** What the engine needs of the tailnet, read once (and again when devices change): every
 *  device with all fields, every user, each device's attributes; as `policy.access` reads them,
 *  so that the editor's text can be modelled on each keystroke without a request. */
async function readInventory(client) {
  const devices = await client.devices.list({ fields: "all" });
  let users;
  try {
    users = await client.users.list({ type: "all" });
  } catch (err) {
    if (!isForbidden(err)) throw err; // without users:read, role autogroups are indeterminate
  }
  let attributes;
  try {
    const read = await Promise.all(
      devices.map(async (d) => {
        try {
          return [d.nodeId, (await client.devices.getAttributes(d.nodeId)).attributes ?? {}];
        } catch (err) {
          if (isGone(err)) return null; // left the tailnet meanwhile
          throw err;
        }
      }),
    );
    attributes = Object.fromEntries(read.filter(Boolean));
  } catch (err) {
    if (!isForbidden(err)) throw err; // without the scope, posture verdicts are indeterminate
  }
  return { devices, users, attributes };
}

export function createPolicySection({ $, el, busy, toast, describe, getClient }) {
  const section = $("#policy");
  const editor = $("#policy-editor");
  const verdict = $("#policy-verdict");
  const saveButton = $("#policy-save");
  const gateForm = $("#policy-gate-form");
  const reachForm = $("#reach-form");
  let loaded = null; // { text, etag }: what the editor saves over
  let inventory = null; // { devices, users, attributes }: what the models are built over
  let stored = null; // AccessModel of loaded.text over the inventory
  let storedError = null; // why there is none, in words
  let inventoryRead = 0; // the latest read wins
  let inventoryReading = null; // the read in flight, if any
  let inventoryError = null; // why the last read failed, in words
  let pendingGate = null; // { dst, port, text }: the previewed gate, waiting for "Write"

  // ---- models ------------------------------------------------------------------------------
  const buildModel = (text) => AccessModel.build({ policy: text, devices: inventory.devices, users: inventory.users, attributes: inventory.attributes });

  /** Rebuilds the model of the stored file, then everything computed from it. */
  function rebuildStored() {
    stored?.free();
    stored = null;
    storedError = null;
    if (inventory && loaded) {
      try {
        stored = buildModel(loaded.text);
      } catch (err) {
        storedError = describe(err);
      }
    }
    showImpact();
  }

  /** Reads the inventory again (a device joined, an attribute changed); the latest read wins. */
  function loadInventory() {
    const client = getClient();
    if (!client) return Promise.resolve();
    const read = ++inventoryRead;
    const latest = () => read === inventoryRead && getClient() === client;
    const reading = readInventory(client).then(
      (fresh) => {
        if (!latest()) return;
        inventory = fresh;
        inventoryError = null;
        fillDestinations();
        rebuildStored();
      },
      (err) => {
        if (latest()) {
          inventoryError = describe(err);
          showImpact();
        }
        throw err;
      },
    );
    // Whoever started the read reports its failure; those who wait on it only wait.
    inventoryReading = reading
      .catch(() => {})
      .finally(() => {
        if (read === inventoryRead) inventoryReading = null;
      });
    return reading;
  }

  const deviceOf = (nodeId) => inventory?.devices.find((d) => d.nodeId === nodeId);
  /** A device's short name: its hostname, else the engine's name for it. */
  const shortName = (ref) => (typeof ref === "string" ? ref : deviceOf(ref.nodeId)?.hostname || ref.name || ref.nodeId);
  /** A destination device with its tags: `prod-api (tag:prod)`; an address of a device is
   *  named as the device, at that address. */
  function destinationName(ref) {
    if (typeof ref === "string") {
      const owner = inventory?.devices.find((d) => d.addresses?.includes(ref));
      return owner ? `${destinationName({ nodeId: owner.nodeId, name: owner.name })} at ${ref}` : ref;
    }
    const tags = deviceOf(ref.nodeId)?.tags ?? [];
    return tags.length ? `${shortName(ref)} (${tags.join(", ")})` : shortName(ref);
  }

  /** A change's traffic: `tcp:22`, `udp:*`, `icmp` (ICMP has no ports). */
  const traffic = (c) => (/icmp/.test(c.proto) ? c.proto : `${c.proto}:${c.ports}`);

  /** What a destination names, as the engine takes it (`nodeId`s or an address): a device (by
   *  name, nodeId or address), every device with a tag, a host of the file, or an address. */
  function resolveDestination(text) {
    const devices = inventory.devices;
    const label = (d) => `${d.hostname || d.name} (${d.addresses?.[0] ?? d.nodeId})`;
    if (text.startsWith("tag:")) {
      const tagged = devices.filter((d) => d.tags?.includes(text));
      if (!tagged.length) throw new Error(`No device carries ${text}.`);
      return tagged.map((d) => ({ dst: d.nodeId, label: label(d) }));
    }
    const byName = (t) => devices.find((d) => d.nodeId === t || d.hostname === t || d.name === t || d.name?.split(".")[0] === t || d.addresses?.includes(t));
    const device = byName(text);
    if (device) return [{ dst: device.nodeId, label: label(device) }];
    let host;
    try {
      host = PolicyDocument.parse(loaded?.text ?? "{}").get(["hosts", text]);
    } catch {
      host = undefined;
    }
    if (typeof host === "string") {
      const address = host.replace(/\/(32|128)$/, "");
      if (!isAddress(address)) throw new Error(`${text} is a range (${host}) in the file's hosts: give one address in it.`);
      const owner = byName(address);
      return [owner ? { dst: owner.nodeId, label: label(owner) } : { dst: address, label: `${text} (${address})` }];
    }
    if (isAddress(text)) return [{ dst: text, label: text }];
    throw new Error(`"${text}" is not a device, a tag of a device, a host of the file or an IP address.`);
  }

  // ---- the file, with line numbers ---------------------------------------------------------
  /** The file as lines, each a span (its number drawn by CSS), so a rule's line can be shown. */
  function renderFile(text) {
    const lines = text.split("\n");
    $("#policy-text").replaceChildren(...lines.map((line, i) => el("span", { class: "line", "data-line": String(i + 1) }, i < lines.length - 1 ? `${line}\n` : line)));
  }

  function showLine(line) {
    const pre = $("#policy-text");
    for (const old of pre.querySelectorAll(".line.hl")) old.classList.remove("hl");
    const target = pre.querySelector(`.line[data-line="${Number(line)}"]`);
    if (!target) return;
    target.classList.add("hl");
    target.scrollIntoView({ block: "center" });
  }

  /** A rule reference: a button that shows its line in the file when `text` is the file shown;
   *  plain text when it is another text's (a preview's) line. */
  function ruleRef(rule, text = loaded?.text) {
    const name = ruleName(rule);
    if (rule.section === "default" || text !== loaded?.text) return el("span", { class: "rule-ref", "data-rule": `${rule.section}[${rule.index}]`, "data-line": String(rule.line) }, name);
    return el("button", { type: "button", class: "rule-ref", "data-rule": `${rule.section}[${rule.index}]`, "data-line": String(rule.line), title: `Show line ${rule.line} of the file`, onclick: () => showLine(rule.line) }, name);
  }

  const joined = (nodes, sep = "; ") => nodes.flatMap((n, i) => (i ? [sep, n] : [n]));

  function showFile(file) {
    // A gate's preview or verdict speaks of the file it read: another file makes it stale.
    if (file.text !== loaded?.text) resetGate();
    loaded = file;
    renderFile(file.text);
    $("#policy-etag").textContent = file.etag;
    editor.value = file.text;
    verdict.replaceChildren();
    checkLocally();
    rebuildStored();
    $("#reach-result").replaceChildren();
  }

  async function load() {
    const client = getClient();
    if (!client) return;
    showFile(await client.policy.get());
    // A read already under way (the devices list asks for one when it loads) serves the file too.
    await Promise.all([loadPostures(), inventoryReading ?? loadInventory()]);
  }

  /** The postures × devices table, for the file as last loaded. */
  async function loadPostures() {
    const client = getClient();
    if (!client || !loaded) return;
    const table = $("#postures-table");
    try {
      const report = await client.policy.evaluatePostures({ text: loaded.text });
      // A posture that does not parse has its error and no devices: the rows come from another.
      const devices = report.postures.find((p) => !p.error)?.devices ?? [];
      table.tHead.replaceChildren(el("tr", {}, el("th", {}, "Device"), report.postures.map((p) => el("th", { title: p.conditions.join(" AND ") }, p.name))));
      table.tBodies[0].replaceChildren(
        ...devices.map((d, row) =>
          el(
            "tr",
            { "data-node-id": d.nodeId },
            el("td", { class: "strong" }, d.name || d.nodeId),
            report.postures.map((p) => {
              if (p.error) return el("td", { class: "fail", "data-posture": p.name, "data-verdict": "error" }, "error", el("small", {}, p.error));
              const v = p.devices[row];
              return el("td", { class: v.matches ? "pass" : "fail", "data-posture": p.name, "data-verdict": v.matches ? "pass" : "fail" }, v.matches ? "pass" : "fail", v.matches ? null : el("small", {}, v.failed.map((f) => f.reason).join("; ")));
            }),
          ),
        ),
      );
      $("#postures-placeholder").hidden = report.postures.length > 0;
      $("#postures-default").textContent = report.defaultSrcPosture.length ? `defaultSrcPosture: ${report.defaultSrcPosture.join(", ")}` : "";
    } catch (err) {
      toast(describe(err), "error");
    }
  }

  // ---- who can reach -----------------------------------------------------------------------
  function fillDestinations() {
    const select = reachForm.elements.device;
    const chosen = select.value;
    select.replaceChildren(el("option", { value: "" }, "(none: type a tag or an address)"), ...inventory.devices.map((d) => el("option", { value: d.nodeId }, `${d.hostname || d.name}${d.tags?.length ? ` (${d.tags.join(", ")})` : ""}`)));
    select.value = inventory.devices.some((d) => d.nodeId === chosen) ? chosen : "";
    const tags = [...new Set(inventory.devices.flatMap((d) => d.tags ?? []))].sort();
    $("#reach-tags").replaceChildren(...tags.map((t) => el("option", { value: t })));
  }

  const VERDICT_WORDS = { accept: "admitted", drop: "stopped by a posture", indeterminate: "indeterminate" };
  const VERDICT_ORDER = { accept: 0, indeterminate: 1, drop: 2 };

  /** Why a source gets through, or what stops it, in words, with its rules. */
  function reacherWhy(r) {
    const parts = [];
    if (r.rules.length) parts.push(el("span", {}, r.verdict === "accept" ? "by " : "rules: ", joined(r.rules.map((rule) => ruleRef(rule)))));
    for (const b of r.blockedBy ?? []) {
      parts.push(el("span", { class: "blocked" }, ruleRef(b), " would admit it, but ", b.failed.map((f) => `${f.posture}: ${f.reason}`).join("; ")));
    }
    if (r.reason) parts.push(el("span", { class: "reason" }, r.reason));
    return joined(parts, el("br"));
  }

  function reachTable(target, what, reachers) {
    const sorted = [...reachers].sort((a, b) => VERDICT_ORDER[a.verdict] - VERDICT_ORDER[b.verdict]);
    const count = (v) => reachers.filter((r) => r.verdict === v).length;
    const summary = [`${plural(count("accept"), "device")} admitted`, count("drop") && `${count("drop")} stopped by a posture`, count("indeterminate") && `${count("indeterminate")} indeterminate`].filter(Boolean).join(", ");
    const row = (r) => el("tr", { "data-node-id": r.device.nodeId, "data-verdict": r.verdict }, el("td", { class: "strong" }, shortName(r.device)), el("td", { class: `verdict ${r.verdict}` }, VERDICT_WORDS[r.verdict] ?? r.verdict), el("td", { class: "wrap" }, reacherWhy(r)));
    const table = el("table", { class: "reach-table" }, el("thead", {}, el("tr", {}, el("th", {}, "Source device"), el("th", {}, "Verdict"), el("th", {}, "Rule, or what stops it"))), el("tbody", {}, sorted.map(row)));
    return el("div", { class: "reach-target", "data-dst": target.dst }, el("h4", {}, `${target.label}, ${what}: ${summary}`), sorted.length ? el("div", { class: "table-wrap" }, table) : el("p", { class: "hint" }, "No device reaches it."));
  }

  function whoCanReach() {
    const out = $("#reach-result");
    const f = reachForm.elements;
    const text = f.target.value.trim() || f.device.value;
    if (!stored) return out.replaceChildren(el("p", { class: "fail" }, storedError ? `The file cannot be modelled: ${storedError}` : inventoryError ? `Could not read the tailnet's devices: ${inventoryError}` : "The tailnet's devices are still loading."));
    if (!text) return out.replaceChildren(el("p", { class: "fail" }, "Pick a device, or type a tag or an address."));
    const proto = f.proto.value;
    const port = proto === "icmp" || f.port.value === "" ? undefined : Number(f.port.value);
    const what = proto === "icmp" ? "icmp" : `${proto}:${port ?? "any port"}`;
    try {
      const targets = resolveDestination(text);
      out.replaceChildren(...targets.map((t) => reachTable(t, what, stored.whoCanReach({ dst: t.dst, proto, port }))));
    } catch (err) {
      out.replaceChildren(el("p", { class: "fail" }, describe(err)));
    }
  }

  reachForm.addEventListener("submit", (event) => {
    event.preventDefault();
    whoCanReach();
  });
  reachForm.elements.target.addEventListener("input", () => (reachForm.elements.device.value = ""));
  reachForm.elements.device.addEventListener("change", () => (reachForm.elements.target.value = ""));
  reachForm.elements.proto.addEventListener("change", () => (reachForm.elements.port.disabled = reachForm.elements.proto.value === "icmp"));

  // ---- the editor: local check, and what the edit gains and loses ----------------------------
  /** Parses and checks the editor's text as you type: no network. */
  function checkLocally() {
    const out = $("#policy-local");
    try {
      const issues = PolicyDocument.parse(editor.value).check();
      out.textContent = issues.length ? issues.map((i) => `${i.field}: ${i.message}`).join("\n") : "Parses; local checks pass.";
      out.dataset.ok = String(!issues.length);
    } catch (err) {
      // A syntax error's message starts with its line and column (also in `line` and `column`).
      out.textContent = err instanceof TailscaleValidationError ? err.issues.map((i) => i.message).join("\n") : describe(err);
      out.dataset.ok = "false";
    }
  }

  /** One change as the engine groups it: "2 devices lose prod-api (tag:prod) tcp:22". */
  function changeItem(c) {
    const many = c.src.length !== 1;
    const verb = c.change === "lost" ? (c.indeterminate ? "may lose" : many ? "lose" : "loses") : c.indeterminate ? "may gain" : many ? "gain" : "gains";
    return el("li", { class: c.change, "data-change": c.change }, el("span", { class: "change" }, `${plural(c.src.length, "device")} ${verb} ${destinationName(c.dst)} ${traffic(c)}`), el("small", {}, c.src.map(shortName).join(", ")));
  }

  /** The access changes, lost first, as a list (or a line saying there are none). */
  function changeList(changes, none) {
    if (!changes.length) return el("p", { class: "hint" }, none);
    const order = [...changes].sort((a, b) => (a.change === b.change ? 0 : a.change === "lost" ? -1 : 1));
    return el("ul", { class: "changes" }, order.map(changeItem));
  }

  const parses = (text) => {
    try {
      PolicyDocument.parse(text);
      return true;
    } catch {
      return false;
    }
  };

  const issueText = (i) => `${i.line && !/^line \d/.test(i.message) ? `line ${i.line}: ` : ""}${i.field ? `${i.field}: ` : ""}${i.message}`;

  /** Models the editor's text over the inventory and shows what it changes against the stored
   *  file; marks Save when the change takes access away. No request. */
  function showImpact() {
    const panel = $("#policy-impact");
    const body = $("#policy-impact-body");
    let changes = [];
    let issues = [];
    let warnings = [];
    let note = null;
    if (!loaded) note = "Connect to see what an edit changes.";
    else if (!inventory) note = inventoryError ? `Could not read the tailnet's devices: ${inventoryError}` : "Reading the tailnet's devices…";
    else if (!stored) note = `The stored file cannot be modelled: ${storedError}`;
    else if (editor.value === loaded.text) note = "No edit yet: the editor holds the stored file.";
    else if (!parses(editor.value)) note = "The text does not parse (above): what it changes is shown once it does.";
    else {
      let model = null;
      try {
        model = buildModel(editor.value);
        issues = model.issues;
        warnings = model.warnings;
        changes = AccessModel.diff(stored, model);
      } catch (err) {
        note = `This text cannot be modelled: ${describe(err)}`;
      } finally {
        model?.free();
      }
    }
    const lost = changes.filter((c) => c.change === "lost");
    const losers = new Set(lost.flatMap((c) => c.src.map((s) => s.nodeId)));
    panel.dataset.state = note ? "idle" : lost.length ? "loses" : changes.length ? "gains" : "same";
    body.replaceChildren(
      ...[
        note ? el("p", { class: "hint" }, note) : changeList(changes, "This edit changes no device's access."),
        issues.length ? el("div", { class: "issues" }, el("strong", {}, `What the server would refuse (${issues.length})`), el("ul", {}, issues.map((i) => el("li", {}, issueText(i))))) : null,
        warnings.length ? el("div", { class: "warnings" }, el("strong", {}, `Warnings, or what the engine could not check (${warnings.length})`), el("ul", {}, warnings.map((i) => el("li", {}, issueText(i))))) : null,
      ].filter(Boolean),
    );
    saveButton.classList.toggle("warn", lost.length > 0);
    saveButton.textContent = lost.length ? "Save (locks devices out)" : "Save";
    const warning = $("#policy-save-warning");
    warning.hidden = !lost.length;
    const names = inventory?.devices.filter((d) => losers.has(d.nodeId)).map((d) => d.hostname || d.name) ?? [];
    warning.textContent = lost.length ? `Locks devices out: saving takes access away from ${plural(losers.size, "device")} (${names.join(", ")}), as listed above.` : "";
  }

  let impactTimer;
  editor.addEventListener("input", () => {
    checkLocally();
    clearTimeout(impactTimer);
    $("#policy-impact").dataset.state = "pending";
    impactTimer = setTimeout(showImpact, IMPACT_DELAY_MS);
  });

  function showVerdict(check) {
    verdict.dataset.ok = String(check.ok);
    verdict.replaceChildren(
      el("strong", {}, check.ok ? "The server accepts this file." : check.message ?? "The server found problems."),
      el("ul", {}, check.data.flatMap((d) => [...(d.errors ?? []), ...(d.warnings ?? [])].map((m) => el("li", {}, d.user ? `${d.user}: ${m}` : m)))),
    );
  }

  $("#policy-validate").addEventListener("click", (e) => busy(e.currentTarget, async () => showVerdict(await getClient().policy.validate(editor.value))));

  saveButton.addEventListener("click", (e) =>
    busy(e.currentTarget, async () => {
      try {
        showFile(await getClient().policy.set(editor.value, { ifMatch: loaded.etag }));
        toast("Saved the policy file.");
        await loadPostures();
      } catch (err) {
        if (!(err instanceof TailscaleApiError && err.status === 412)) throw err;
        verdict.dataset.ok = "false";
        verdict.replaceChildren(
          el("strong", {}, "The policy file changed since you loaded it, so nothing was saved."),
          " ",
          el("button", { type: "button", id: "policy-reload", onclick: (ev) => busy(ev.currentTarget, load) }, "Reload it (your edits here are replaced)"),
        );
      }
    }),
  );

  // ---- the gate: preview, check with the engine, write, prove ------------------------------
  /** Whether `dst` is gated on the posture under `model`, for each device it names. */
  function gateVerdict(model, dst) {
    const targets = resolveDestination(dst);
    const answers = targets.map((target) => ({ target, answer: model.gated({ dst: target.dst, posture: POSTURE }) }));
    const gated = answers.some((a) => a.answer.gated === "drop") ? "drop" : answers.some((a) => a.answer.gated === "indeterminate") ? "indeterminate" : "accept";
    return { gated, answers };
  }

  /** The engine's verdict in words: gated, or the rules that still let devices through. */
  function renderGateVerdict({ gated, answers }, dst, text) {
    const box = $("#gate-verdict");
    box.dataset.gated = gated;
    const lines = [];
    if (gated === "accept") lines.push(el("strong", {}, `Gated: no device without ${POSTURE} reaches ${dst}, through any rule.`));
    else if (gated === "drop") lines.push(el("strong", {}, `NOT gated: rules besides the grant still admit devices without ${POSTURE} to ${dst}.`));
    else lines.push(el("strong", {}, `Not known to be gated: the engine cannot answer for some sources.`));
    for (const { target, answer } of answers) {
      // Who leaks through each rule: "acls[0], line 43 admits build-box, lab-workstation".
      const byRule = new Map();
      for (const leak of answer.leaks) {
        for (const rule of leak.rules) {
          const key = `${rule.section}[${rule.index}]`;
          if (!byRule.has(key)) byRule.set(key, { rule, sources: [] });
          byRule.get(key).sources.push(shortName(leak.src));
        }
      }
      const items = [...byRule.values()].map(({ rule, sources }) => el("li", { "data-rule": `${rule.section}[${rule.index}]` }, ruleRef(rule, text), ` admits ${sources.join(", ")} to ${target.label} without ${POSTURE}`));
      for (const u of answer.unknown) items.push(el("li", { class: "unknown" }, `${shortName(u.src)}: cannot tell (${u.reason ?? "the model lacks what decides it"})`));
      if (items.length) lines.push(el("ul", { class: "leaks" }, items));
    }
    box.replaceChildren(...lines);
  }

  /** Test sources: the users or tags of the devices that leak, then members who own devices. */
  function proofSources(answers) {
    const sources = [];
    const add = (s) => s && !sources.includes(s) && sources.push(s);
    for (const { answer } of answers) for (const leak of answer.leaks) if (typeof leak.src !== "string") add(deviceOf(leak.src.nodeId)?.tags?.[0] ?? deviceOf(leak.src.nodeId)?.user);
    const members = inventory.users ? new Set(inventory.users.filter((u) => u.type !== "shared").map((u) => u.loginName)) : null;
    for (const d of inventory.devices) if (!d.tags?.length && !d.isExternal && (!members || members.has(d.user))) add(d.user);
    return sources.slice(0, PROOF_SOURCES);
  }

  /** Runs the same tests with the engine (`runTests`) and the server (`policy.test`), side by
   *  side: a source without the posture must be denied, one with it accepted. */
  async function prove(model, dst, port, gateAnswer) {
    const box = $("#gate-proof");
    const target = testDestination(dst, port);
    const tests = proofSources(gateAnswer.answers).flatMap((src) => [
      { src, srcPostureAttrs: {}, deny: [target] },
      { src, srcPostureAttrs: { "custom:provisioned": true }, accept: [target] },
    ]);
    const local = tests.map((t) => model.runTests([t]));
    const server = await Promise.all(tests.map((t) => getClient().policy.test([t])));
    const cell = (check, by) => el("td", { class: check.ok ? "pass" : "fail", "data-by": by, "data-ok": String(check.ok) }, check.ok ? "passes" : "fails", check.ok ? null : el("small", {}, check.data.flatMap((d) => d.errors ?? []).join("; ") || check.message || ""));
    const agree = tests.every((_, i) => local[i].ok === server[i].ok);
    const allPass = agree && local.every((c) => c.ok);
    const summary = !agree ? "The engine and the server disagree: see the rows that differ." : allPass ? `Both agree: ${target} is gated on ${POSTURE}.` : `Both agree: NOT gated. A source without ${POSTURE} still reaches ${target}.`;
    box.hidden = false;
    box.dataset.agree = String(agree);
    box.dataset.gated = String(allPass);
    box.replaceChildren(
      el("h4", {}, `Proof on ${target}: the same tests, run here by the engine and by the server`),
      el(
        "div",
        { class: "table-wrap" },
        el(
          "table",
          { class: "proof-table" },
          el("thead", {}, el("tr", {}, el("th", {}, "Test"), el("th", {}, "Engine (runTests)"), el("th", {}, "Server (policy.test)"))),
          el(
            "tbody",
            {},
            tests.map((t, i) =>
              el(
                "tr",
                { "data-test": t.deny ? "deny" : "accept", "data-src": t.src },
                el("td", { class: "wrap" }, t.deny ? `${t.src}, without ${POSTURE}: denied ${target}` : `${t.src}, with custom:provisioned = true: accepted on ${target}`),
                cell(local[i], "engine"),
                cell(server[i], "server"),
              ),
            ),
          ),
        ),
      ),
      el("p", { class: allPass ? "pass" : "fail" }, summary),
    );
  }

  /** The gate's destination and proof port, from the form. */
  function gateInput() {
    const f = gateForm.elements;
    const port = f.port.value === "" ? 22 : Number(f.port.value);
    return { dst: f.dst.value.trim(), port };
  }

  function resetGate() {
    pendingGate = null;
    for (const id of ["#policy-diff", "#gate-preview", "#gate-proof", "#policy-gate-write", "#policy-gate-cancel"]) $(id).hidden = true;
    $("#gate-access").replaceChildren();
    $("#gate-verdict").replaceChildren();
    delete $("#gate-verdict").dataset.gated;
    $("#gate-proof").replaceChildren();
    delete $("#gate-proof").dataset.agree;
    delete $("#gate-proof").dataset.gated;
    $("#gate-note").textContent = "";
  }

  function showDiff(before, after) {
    const rows = changedLines(before, after);
    $("#policy-diff").replaceChildren(...rows.map((r) => el("span", { class: r.sign === "+" ? "added" : "removed" }, `${r.sign} ${r.text}\n`)));
    $("#policy-diff").hidden = !rows.length;
  }

  gateForm.addEventListener("submit", (event) => {
    event.preventDefault();
    const { dst, port } = gateInput();
    busy(event.submitter ?? $("#policy-gate"), async () => {
      resetGate();
      if (!inventory) await loadInventory();
      // Nothing is written: the edit runs on a fresh read, and the engine says what it would do.
      const dry = await getClient().policy.update((doc) => void gate(doc, dst), { dryRun: true });
      $("#gate-preview").hidden = false;
      if (!dry.changed) {
        $("#gate-note").textContent = `Grants to ${dst} already require ${POSTURE}: nothing to write. The engine's verdict on the file as stored:`;
        toast(`${dst} already requires ${POSTURE}; nothing was sent.`);
        const model = dry.text === loaded?.text && stored ? stored : buildModel(dry.text);
        try {
          const answer = gateVerdict(model, dst);
          renderGateVerdict(answer, dst, dry.text);
          await prove(model, dst, port, answer);
        } finally {
          if (model !== stored) model.free();
        }
        return;
      }
      // The dry run answers the text it would write, not the one it read: the diff is against
      // the file as this page last loaded it.
      showDiff(loaded?.text ?? "", dry.text);
      $("#gate-note").textContent = "Preview: nothing is written yet. What the edit changes, and what the engine says of the result:";
      $("#gate-access").replaceChildren(el("h4", {}, "Who gains or loses access (the dry run's answer)"), changeList(dry.access, "No device gains or loses access."));
      const model = buildModel(dry.text);
      let answer;
      try {
        answer = gateVerdict(model, dst);
      } finally {
        model.free();
      }
      renderGateVerdict(answer, dst, dry.text);
      pendingGate = { dst, port, text: dry.text };
      const write = $("#policy-gate-write");
      write.textContent = answer.gated === "accept" ? "Write this change" : "Write it anyway (still NOT gated)";
      write.classList.toggle("warn", answer.gated !== "accept");
      write.hidden = false;
      $("#policy-gate-cancel").hidden = false;
    });
  });

  $("#policy-gate-cancel").addEventListener("click", resetGate);

  $("#policy-gate-write").addEventListener("click", (e) =>
    busy(e.currentTarget, async () => {
      if (!pendingGate) return;
      const { dst, port, text: previewed } = pendingGate;
      const before = loaded?.text ?? "";
      let notes = [];
      const result = await getClient().policy.update((doc) => {
        notes = gate(doc, dst);
      });
      pendingGate = null;
      $("#policy-gate-write").hidden = true;
      $("#policy-gate-cancel").hidden = true;
      showFile({ text: result.text, etag: result.etag });
      $("#gate-preview").hidden = false;
      showDiff(before, result.text);
      $("#gate-access").replaceChildren();
      $("#gate-note").textContent = result.text === previewed ? "Written, as previewed. The engine's verdict on the file as stored now:" : "Written; the file had changed since the preview, so what was written differs from it (the lines above). The engine's verdict on the file as stored now:";
      toast(result.changed ? `Gated ${dst} on ${POSTURE}: ${notes.join("; ")}.` : `${dst} already requires ${POSTURE}; nothing was sent.`);
      await loadPostures();
      if (!stored) throw new Error(`The written file cannot be modelled: ${storedError ?? "the tailnet's devices are not loaded"}`);
      const answer = gateVerdict(stored, dst);
      renderGateVerdict(answer, dst, loaded.text);
      await prove(stored, dst, port, answer);
    }),
  );

  $("#refresh-policy").addEventListener("click", (e) => busy(e.currentTarget, load));

  return {
    load,
    /** Called when devices or their attributes change: the table and the models follow
     *  without a reload. */
    async refreshPostures() {
      await Promise.all([loadPostures(), loadInventory().catch((err) => toast(describe(err), "error"))]);
    },
    setEnabled(on) {
      for (const b of section.querySelectorAll("button")) b.disabled = !on;
      if (!on) {
        loaded = null;
        inventory = null;
        inventoryError = null;
        inventoryRead++; // a read still in flight is for the old connection
        rebuildStored();
        resetGate();
        $("#policy-text").textContent = "";
        $("#postures-table").tBodies[0].replaceChildren();
        $("#reach-result").replaceChildren();
        showImpact();
      }
    },
  };
}
