// Optimizes the wasm for size, in place, and shortens its import and export names together
// with the JS glue's uses of them. wasm-bindgen names imports like
// `__wbg_new_with_label_and_options_67e60607a3699660`: over a hundred such names, each in both
// files, hashes that gzip cannot compress (about 3 KB). binaryen renames them
// (`--minify-imports-and-exports-and-modules`) and prints the mapping; this applies it to the
// glue. Every name must be found exactly where the glue uses it, or the build fails. The
// glue's JSDoc blocks (copies of the doc comments, which the .d.ts files keep for editors and
// typedoc) are dropped from what ships: about 4.5 KB gzip that no runtime reads.
// Usage: node scripts/optimize-wasm.mjs <dir> <module>, for <dir>/<module>.js and
// <dir>/<module>_bg.wasm (the core, tailscale_wasm, and the policy tools, tailscale_wasm_policy).
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const [dir, module] = process.argv.slice(2);
if (!module) throw new Error("usage: optimize-wasm.mjs <dir> <module>");
const wasm = join(dir, `${module}_bg.wasm`);
const glue = join(dir, `${module}.js`);
// The features the build leaves on (the Makefile turns reference types and multi-value off);
// binaryen rejects a module that uses any other.
const features = ["bulk-memory", "nontrapping-float-to-int", "sign-ext", "mutable-globals"];
const wasmOpt = (args) =>
  execFileSync(new URL("../node_modules/.bin/wasm-opt", import.meta.url).pathname,
    [wasm, ...args, ...features.map((f) => `--enable-${f}`), "-o", wasm],
    { encoding: "utf8", maxBuffer: 1 << 24 });
const out = wasmOpt(["--minify-imports-and-exports-and-modules"]);
// Then -Oz to a fixed point, on its own run (--converge would repeat the renaming), and again
// with the control flow flattened and rebuilt (--flatten --rereloop) and calls specialized
// (--monomorphize): 0.6 KB less gzip than -Oz alone (BENCHMARKS.md). Producers and
// target-features are metadata no runtime reads. --low-memory-unused lets binaryen fold small
// added constants into load and store offsets (0.3 KB less gzip for each module): it assumes
// no access below address 1024, which holds for rustc's layout, the 1 MiB stack first and
// growing down to 0 (data and heap above it), so only a stack already within 1 KiB of
// overflowing reaches there. -ocimfs 60 stops binaryen from inlining a function larger than 60
// nodes into its only caller, which it otherwise always does: what Rust keeps out of line on
// purpose (the request path's failure handling) stays there, so a call that succeeds never
// compiles it: 3.0 KB less wasm compiled by a cold start's first call, and less gzip for both
// modules (BENCHMARKS.md).
wasmOpt(["-ocimfs", "60", "-Oz", "--converge", "--flatten", "--rereloop", "-Oz", "--converge", "--monomorphize", "-Oz", "--low-memory-unused", "--strip-producers", "--strip-target-features"]);
const mapping = JSON.parse(out.slice(out.indexOf("{")));
// With modules minified, binaryen puts every import under module "a".
const MODULE = "a";

const fail = (message) => {
  console.error(`optimize-wasm: ${message}`);
  process.exit(1);
};
let js = readFileSync(glue, "utf8");

const imports = new Map();
for (const [from, name, short] of mapping.imports) {
  if (from !== `./${module}_bg.js`) fail(`unexpected import module ${from}`);
  imports.set(name, short);
}
// The import object's members: `        __wbg_x_0123: function(`.
const seen = new Set();
js = js.replace(/^(\s+)([\w$]+)(: function\()/gm, (whole, indent, name, rest) => {
  const short = imports.get(name);
  if (short === undefined) return whole;
  seen.add(name);
  return indent + JSON.stringify(short) + rest;
});
for (const name of imports.keys()) if (!seen.has(name)) fail(`import ${name} not found in the glue`);
const moduleKey = `"./${module}_bg.js": import0`;
if (js.split(moduleKey).length !== 2) fail("the import object's module key is not where expected");
js = js.replace(moduleKey, `${JSON.stringify(MODULE)}: import0`);

const exports = new Map(mapping.exports);
const used = new Set();
js = js.replace(/\bwasm\.([A-Za-z_$][\w$]*)/g, (whole, name) => {
  const short = exports.get(name);
  if (short === undefined) fail(`the glue uses wasm.${name}, which the mapping does not name`);
  used.add(name);
  return /^[A-Za-z_$][\w$]*$/.test(short) ? `wasm.${short}` : `wasm[${JSON.stringify(short)}]`;
});
if (used.size === 0) fail("no wasm.<export> uses found in the glue");

// A doc comment starts its line and ends one; a string in the glue never holds `/**`.
const docs = /^[ \t]*\/\*\*[\s\S]*?\*\/[ \t]*\n/gm;
const before = js.length;
js = js.replace(docs, "");
if (js.length === before) fail("no doc comments found in the glue");
if (js.includes("/**")) fail("a doc comment is left in the glue where none was expected");

// wasm-bindgen writes an import that catches as `function() { return handleError(function (arg0,
// arg1) {…}, arguments); }`, whose length (0) is not its wasm signature's: V8 then compiles its
// wasm-to-JS wrapper at instantiation, on the main thread, rather than ahead (about 0.4 ms of
// the core's cold start). Naming the parameters makes the lengths match.
const catching = /function\(\) \{ return handleError\(function \(([^)]+)\) \{/g;
js = js.replace(catching, (whole, params) => `function(${params}) { return handleError(function (${params}) {`);
if (/function\(\) \{ return handleError\(function \([^)]/.test(js)) fail("a catching import is left with length 0");

writeFileSync(glue, js);
