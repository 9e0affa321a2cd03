// The demo page's "Access policy" section: the policy file as stored, comments included; which
// devices each posture admits, with the reason on each refusal; "Gate on provisioned devices"
// through policy.update; and an editor that checks as you type and saves only over the
// version it loaded. Everything from the API is rendered as text.

import { TailscaleApiError, TailscaleValidationError } from "/pkg/index.js";
import { PolicyDocument } from "/pkg/policy.js";

const POSTURE = "posture:provisioned";
const CONDITIONS = ["custom:provisioned == true"];

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

export function createPolicySection({ $, el, busy, toast, describe, getClient }) {
  const section = $("#policy");
  const editor = $("#policy-editor");
  const verdict = $("#policy-verdict");
  let loaded = null; // { text, etag }: what the editor saves over

  function showFile(file) {
    loaded = file;
    $("#policy-text").textContent = file.text;
    $("#policy-etag").textContent = file.etag;
    editor.value = file.text;
    verdict.replaceChildren();
    checkLocally();
  }

  async function load() {
    const client = getClient();
    if (!client) return;
    showFile(await client.policy.get());
    await loadPostures();
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
  editor.addEventListener("input", checkLocally);

  function showVerdict(check) {
    verdict.dataset.ok = String(check.ok);
    verdict.replaceChildren(
      el("strong", {}, check.ok ? "The server accepts this file." : check.message ?? "The server found problems."),
      el("ul", {}, check.data.flatMap((d) => [...(d.errors ?? []), ...(d.warnings ?? [])].map((m) => el("li", {}, d.user ? `${d.user}: ${m}` : m)))),
    );
  }

  $("#policy-validate").addEventListener("click", (e) => busy(e.currentTarget, async () => showVerdict(await getClient().policy.validate(editor.value))));

  $("#policy-save").addEventListener("click", (e) =>
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

  $("#policy-gate-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const dst = event.currentTarget.elements.dst.value.trim();
    busy(event.submitter ?? $("#policy-gate"), async () => {
      const before = loaded?.text ?? "";
      let notes = [];
      const result = await getClient().policy.update((doc) => {
        notes = gate(doc, dst);
      });
      const rows = result.changed ? changedLines(before, result.text) : [];
      $("#policy-diff").replaceChildren(...rows.map((r) => el("span", { class: r.sign === "+" ? "added" : "removed" }, `${r.sign} ${r.text}\n`)));
      $("#policy-diff").hidden = !rows.length;
      toast(result.changed ? `Gated ${dst} on ${POSTURE}: ${notes.join("; ")}.` : `${dst} already requires ${POSTURE}; nothing was sent.`);
      showFile({ text: result.text, etag: result.etag });
      await loadPostures();
    });
  });

  $("#refresh-policy").addEventListener("click", (e) => busy(e.currentTarget, load));

  return {
    load,
    /** Called when devices or their attributes change: the table follows without a reload. */
    refreshPostures: loadPostures,
    setEnabled(on) {
      for (const b of section.querySelectorAll("button")) b.disabled = !on;
      if (!on) {
        loaded = null;
        $("#policy-text").textContent = "";
        $("#postures-table").tBodies[0].replaceChildren();
      }
    },
  };
}
