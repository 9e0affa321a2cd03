#!/usr/bin/env node
// Gates access on provisioned devices, and tells the truth about it: makes sure the policy file
// defines a posture that tests the attribute an OAuth app assigns at provisioning
// (posture:provisioned, custom:provisioned == true) and that every grant to the given
// destinations requires it; then asks the access engine whether the destination is gated, that
// is, whether any device without the posture still reaches it through ANY rule (an `acls` rule,
// a `*`, a `srcPosture: []`, a `defaultSrcPosture` replaced by another posture). If so it says
// which rules still admit whom, and exits 3. If gated, it proves it twice, with the engine and
// with the server's own test runner (policy.test): a device without the posture is refused, and
// one with it admitted. It edits through policy.update, so it is safe beside a person editing
// the file: a change made meanwhile is never overwritten, and every comment stays.
//
//   node gate-provisioned.mjs --dst tag:prod
//   node gate-provisioned.mjs --dst tag:prod --dst tag:db --dry-run
//   node gate-provisioned.mjs --dst tag:build --src group:eng --ip tcp:22 --port 22
//
// A destination without a grant gets one (from --src, default autogroup:member, on --ip,
// default "*"). A grant to it without srcPosture gets srcPosture [posture]. A grant gated by
// other postures is left alone and reported: srcPosture entries are alternatives, so adding
// one would widen it, not narrow it. --dry-run prints the diff and the access it would gain
// and lose, and writes nothing. --port (default 22) and --test-src (default: the owner of the
// first untagged device) are what the proof tests use.
// Credentials come from the environment (see connect.mjs).
import { parseArgs } from "node:util";
import { TailscaleError } from "tailscale-wasm";
import { parsePostureCondition } from "tailscale-wasm/policy";
import { clientFromEnv } from "./connect.mjs";

const { values: opts } = parseArgs({
  options: {
    dst: { type: "string", multiple: true, default: [] },
    src: { type: "string", multiple: true, default: [] },
    ip: { type: "string", multiple: true, default: [] },
    posture: { type: "string", default: "posture:provisioned" },
    condition: { type: "string", multiple: true, default: [] },
    port: { type: "string", default: "22" },
    "test-src": { type: "string" },
    "dry-run": { type: "boolean", default: false },
  },
});
if (!opts.dst.length) {
  console.error("nothing to gate: pass --dst tag:prod (a grant destination), once or more");
  process.exit(2);
}
const posture = opts.posture;
const conditions = opts.condition.length ? opts.condition : ["custom:provisioned == true"];
const src = opts.src.length ? opts.src : ["autogroup:member"];
const ip = opts.ip.length ? opts.ip : ["*"];
const port = Number(opts.port);

/** The edit, run on each fresh read of the file; `notes` says what it found and did. */
function gate(doc, notes) {
  notes.length = 0;
  if (doc.get(["postures", posture]) === undefined) {
    doc.setPosture(posture, conditions);
    notes.push(`${posture}: added (${conditions.join(" AND ")})`);
  } else notes.push(`${posture}: already defined`);
  for (const dst of opts.dst) {
    const grants = doc.get("/grants") ?? [];
    const to = grants.flatMap((g, i) => (Array.isArray(g?.dst) && g.dst.includes(dst) ? [i] : []));
    if (!to.length) {
      doc.append("/grants", { src, dst: [dst], ip, srcPosture: [posture] });
      notes.push(`${dst}: added a grant from ${src.join(", ")} requiring ${posture}`);
    }
    for (const i of to) {
      const gates = grants[i].srcPosture;
      if (gates === undefined) {
        doc.set(["grants", String(i), "srcPosture"], [posture]);
        notes.push(`${dst}: grants[${i}] now requires ${posture}`);
      } else if (gates.includes(posture)) notes.push(`${dst}: grants[${i}] already requires ${posture}`);
      else notes.push(`${dst}: grants[${i}] is gated by ${gates.join(" or ")}; left as it is`);
    }
  }
}

/** A rule as the file names it: `acls[0] (line 50)`. */
const rule = (r) => (r.section === "default" ? "the allow-all of a file with no rules" : `${r.section}[${r.index}] (line ${r.line})`);
/** A device or address range as answers name it. */
const who = (s) => (typeof s === "string" ? s : s.name || s.nodeId);

/** Attributes that pass the posture's `==` and `IN` conditions, for the accept proof; null when
 *  a condition is of another kind (the proof then tests only the refusal). */
function passing(conds) {
  const attrs = {};
  for (const text of conds) {
    const c = parsePostureCondition(text);
    if (c.operator === "==") attrs[c.attribute] = c.value;
    else if (c.operator === "IN") attrs[c.attribute] = c.value[0];
    else return null;
  }
  return attrs;
}

/** The lines that differ, with two lines of context: the edit is local, so this stays short. */
function diff(before, after) {
  const a = before.split("\n");
  const b = after.split("\n");
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let end = 0;
  while (end < a.length - start && end < b.length - start && a[a.length - 1 - end] === b[b.length - 1 - end]) end++;
  const from = Math.max(0, start - 2);
  return [
    `@@ line ${from + 1} @@`,
    ...a.slice(from, start).map((l) => `  ${l}`),
    ...a.slice(start, a.length - end).map((l) => `- ${l}`),
    ...b.slice(start, b.length - end).map((l) => `+ ${l}`),
    ...a.slice(a.length - end, a.length - end + 2).map((l) => `  ${l}`),
  ].join("\n");
}

const notes = [];
// Printed once, whether the run goes on or fails after the edit.
const printNotes = () => notes.splice(0).forEach((n) => console.log(n));
try {
  const client = clientFromEnv();
  let text;
  if (opts["dry-run"]) {
    const current = await client.policy.get();
    const dry = await client.policy.update((doc) => gate(doc, notes), { dryRun: true });
    text = dry.text;
    printNotes();
    if (!dry.changed) console.log("dry run: the file already gates these destinations; changed: false");
    else {
      console.log(`dry run: would write, with If-Match ${current.etag}:\n${diff(current.text, text)}`);
      console.log(`access it would change:${dry.access.length ? "" : " none (no device gains or loses any)"}`);
      for (const c of dry.access) console.log(`  ${c.src.length} device${c.src.length === 1 ? "" : "s"} ${c.change === "gained" ? "gain" : "lose"} ${who(c.dst)} ${c.proto}:${c.ports}${c.indeterminate ? " (maybe)" : ""}: ${c.src.map(who).join(", ")}`);
    }
  } else {
    const before = await client.policy.get();
    const result = await client.policy.update((doc) => gate(doc, notes));
    text = result.text;
    printNotes();
    if (result.changed) console.log(`updated the policy file (${result.attempts} attempt${result.attempts === 1 ? "" : "s"}); changed: true\n${diff(before.text, result.text)}`);
    else console.log("the file already gates these destinations; nothing sent; changed: false");
  }

  // Gated means no device without the posture gets through any rule, not just the grant above.
  const model = await client.policy.access({ text });
  const devices = await client.devices.list({ fields: "all" });
  let open = 0;
  const present = [];
  for (const dst of opts.dst) {
    const targets = devices.filter((d) => d.tags?.includes(dst) || d.nodeId === dst || d.addresses?.includes(dst));
    if (!targets.length) console.log(`${dst}: no device is ${dst} yet; nothing to check`);
    else present.push(dst);
    for (const d of targets) {
      const verdict = model.gated({ dst: d.nodeId, posture, port });
      const name = `${dst} (${d.hostname ?? d.nodeId}) port ${port}`;
      if (verdict.gated === "accept") console.log(`${name}: gated by ${posture}`);
      else {
        open++;
        console.log(`${name}: NOT gated by ${posture}${verdict.gated === "indeterminate" ? " as far as the model can tell" : ""}`);
        for (const leak of verdict.leaks) console.log(`  ${who(leak.src)} still gets in without it, through ${leak.rules.map(rule).join(", ")}`);
        for (const u of verdict.unknown) console.log(`  ${who(u.src)}: unknown (${u.reason})`);
      }
    }
  }
  if (open) {
    console.log("narrow or gate the rules above too: rules add up, so any of them admits a device without the posture");
    process.exitCode = 3;
  } else if (!opts["dry-run"] && present.length) {
    // The proof, twice: the engine's runTests and the server's policy.test on the same tests.
    const owner = opts["test-src"] ?? devices.find((d) => !d.tags?.length && d.user && !d.isExternal)?.user;
    const attrs = passing(conditions);
    const tests = [];
    for (const dst of present) {
      tests.push({ src: owner, srcPostureAttrs: {}, deny: [`${dst}:${port}`] });
      if (attrs) tests.push({ src: owner, srcPostureAttrs: attrs, accept: [`${dst}:${port}`] });
    }
    const engine = model.runTests(tests);
    const server = await client.policy.test(tests);
    const say = (c) => (c.ok ? "pass" : `fail: ${c.data.flatMap((d) => [...(d.errors ?? []), ...(d.warnings ?? [])]).join("; ")}`);
    console.log(`proof (${owner} without ${posture} refused${attrs ? `, with ${JSON.stringify(attrs)} admitted` : ""}): engine ${say(engine)}; server ${say(server)}`);
    if (!engine.ok || !server.ok) process.exitCode = 3;
  }
  const report = await client.policy.evaluatePostures({ text });
  const verdicts = report.postures.find((p) => p.name === posture)?.devices ?? [];
  console.log(`devices under ${posture}:`);
  for (const d of verdicts) console.log(`  ${d.matches ? "pass" : "fail"}  ${d.name || d.nodeId} (${d.nodeId})${d.matches ? "" : `: ${d.failed.map((f) => f.reason).join("; ")}`}`);
  console.log(`summary: ${verdicts.filter((d) => d.matches).length} of ${verdicts.length} devices pass ${posture}`);
} catch (err) {
  printNotes();
  console.error(err instanceof TailscaleError ? `${err.name}: ${err.message}` : String(err));
  // A refused write says why: the file's own tests that the change would break, say.
  for (const entry of Array.isArray(err?.data) ? err.data : []) {
    for (const problem of [...(entry.errors ?? []), ...(entry.warnings ?? [])]) console.error(`  ${entry.user ? `${entry.user}: ` : ""}${problem}`);
  }
  process.exit(1);
}
