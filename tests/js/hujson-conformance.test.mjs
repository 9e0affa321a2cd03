// The demo tailnet's HuJSON reader (www/demo-tailnet/hujson.mjs) against tailscale/hujson's own
// test tables (../shared/conformance/hujson, read here, never copied; without them this says so
// in one line and skips) and against tests/data/hujson-grammar.json, the grammar table
// the Rust parser passes too. Every accept/reject and every Standardize byte must agree. The
// demo has no editor, so of the patch tables it reads the inputs and expected outputs, and runs
// the patches made only of `test` operations. Inputs that are not UTF-8 cannot reach a JS string:
// counted as not applicable (the Rust suite tests them). Figures: CONFORMANCE.md. It imports no
// package, so it runs before `make test-js` installs one.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseHujson, standardize, MAX_DEPTH } from "../../www/demo-tailnet/hujson.mjs";

const root = fileURLToPath(new URL("../../", import.meta.url));
const dir = `${root}../shared/conformance/hujson/`;
const present = existsSync(dir);
const table = (name) => JSON.parse(readFileSync(dir + name, "utf8"));
const vectorsOf = (name) => [table(name).vectors].flat();

const accepts = (text) => {
  try {
    parseHujson(text);
    return true;
  } catch {
    return false;
  }
};

/** A value as Go's json.Unmarshal into interface{} reads it, or undefined where that fails (a
 *  number beyond float64): objects compare by name, whatever the order. */
function goValue(text) {
  const holds = (v) => (typeof v === "number" ? Number.isFinite(v) : v === null || typeof v !== "object" || Object.values(v).every(holds));
  const { value } = parseHujson(text);
  return holds(value) ? value : undefined;
}

function sameValue(a, b) {
  if (a === null || b === null || typeof a !== "object" || typeof b !== "object") return a === b;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && sameValue(a[k], b[k]));
}

/** RFC 6901 on a plain value, for `test` operations. */
function at(value, pointer) {
  if (pointer === "") return { found: true, value };
  if (!pointer.startsWith("/")) return { found: false };
  let v = value;
  for (const raw of pointer.slice(1).split("/")) {
    const token = raw.replaceAll("~1", "/").replaceAll("~0", "~");
    if (v === null || typeof v !== "object" || !Object.hasOwn(v, token) || (Array.isArray(v) && !/^(0|[1-9][0-9]*)$/.test(token))) return { found: false };
    v = v[token];
  }
  return { found: true, value: v };
}

const figures = new Map();
const count = (what, n = 1) => figures.set(what, (figures.get(what) ?? 0) + n);

test("tailscale/hujson's tables: accept/reject, Standardize bytes, values", { skip: present ? false : "../shared/conformance/hujson is not present" }, (t) => {
  const parse = table("hujson-parse.json");
  for (const v of parse.vectors) {
    if (!v.in.utf8) {
      count("parse: not UTF-8, not applicable");
      continue;
    }
    assert.equal(accepts(v.in.text), v.go_accepts, v.id);
    count("parse: accept/reject");
    if (!v.go_accepts) continue;
    assert.equal(Buffer.from(standardize(v.in.text)).toString("hex"), v.wantStd.hex, `${v.id}: Standardize`);
    count("parse: Standardize bytes");
    assert.ok(sameValue(goValue(v.in.text), goValue(v.wantMin.text)), `${v.id}: the value of Minimize`);
    count("parse: value (as Minimize's)");
  }
  for (const name of ["hujson-format.json", "hujson-format-errors.json", "hujson-types-all.json", "tailscale-files.json"]) {
    for (const v of vectorsOf(name)) {
      assert.equal(accepts(v.in.text), v.go_accepts, v.id);
      count(`${name}: accept/reject`);
      if (!v.wantFormat) continue;
      assert.ok(sameValue(goValue(v.in.text), goValue(v.wantFormat.text)), `${v.id}: Format's output reads as the same value`);
      count(`${name}: output accepted, same value`);
    }
  }
  for (const v of table("hujson-patch.json").vectors) {
    if (!v.in.utf8) {
      count("patch: not UTF-8, not applicable");
      continue;
    }
    assert.ok(accepts(v.in.text), v.id);
    count("patch: input accepted");
    if (v.go_ok && v.want) {
      assert.ok(accepts(v.want.text), `${v.id}: the expected output`);
      count("patch: expected output accepted");
    }
    const ops = accepts(v.patch.text) ? parseHujson(v.patch.text).root : undefined;
    const tests = ops?.type === "array" && ops.elements.every((e) => e.type === "object" && e.members.some((m) => m.name === "op" && m.node.value === "test"));
    if (!tests) continue;
    const doc = goValue(v.in.text);
    const passes = ops.elements.every((e) => {
      const member = (n) => e.members.find((m) => m.name === n)?.node;
      if (!member("value") || e.members.length !== new Set(e.members.map((m) => m.name)).size) return false;
      const found = at(doc, member("path").value);
      const want = goValue(v.patch.text.slice(member("value").start, member("value").end));
      return found.found && found.value !== undefined && want !== undefined && sameValue(found.value, want);
    });
    assert.equal(passes, v.go_ok, `${v.id}: test operations`);
    count("patch: test operations agree");
  }
  t.diagnostic(`tailscale/hujson ${parse._meta.commit}: ${[...figures].map(([k, n]) => `${k} ${n}`).join(", ")}`);
  // The figures CONFORMANCE.md records: a table read short would pass the loops above vacuously.
  assert.equal(figures.get("parse: accept/reject"), 32);
  assert.equal(figures.get("parse: Standardize bytes"), 10);
  assert.equal(figures.get("patch: test operations agree"), 10);
});

test("one grammar table for both readers: numbers and nesting", () => {
  const grammar = JSON.parse(readFileSync(`${root}tests/data/hujson-grammar.json`, "utf8"));
  assert.equal(MAX_DEPTH, grammar.maxDepth);
  for (const { text: n, accepts: ok } of grammar.numbers) {
    for (const text of [n, `[${n}]`, `{"n": ${n}}`]) assert.equal(accepts(text), ok, text);
  }
  for (const c of grammar.nesting) {
    const text = c.open.repeat(c.levels) + c.inside + c.close.repeat(c.levels);
    assert.equal(accepts(text), c.accepts, JSON.stringify({ ...c, open: c.open, levels: c.levels }));
    if (!c.accepts) assert.throws(() => parseHujson(text), new RegExp(`nesting deeper than ${grammar.maxDepth} levels`));
  }
});
