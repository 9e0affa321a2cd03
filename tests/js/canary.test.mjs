// The planted bugs of `make fuzz-canary` (`#[cfg(fuzz_canary)]` blocks, with the marker in
// crates/wire/src/lib.rs) never reach a release: every wasm in the
// installed tarball lacks the canary's marker, which a build with `--cfg fuzz_canary` keeps even
// after wasm-opt (checked once by hand: RELIABILITY.md, "Proof that the fuzzers bite").
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const root = dirname(createRequire(import.meta.url).resolve("tailscale-wasm/package.json"));
const wasms = (dir) => readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? wasms(join(dir, e.name)) : e.name.endsWith(".wasm") ? [join(dir, e.name)] : []));
const marker = readFileSync(new URL("../../crates/wire/src/lib.rs", import.meta.url), "utf8").match(/= \*b"([^"]+)"/)[1];

test("no wasm in the tarball carries the fuzz canary", () => {
  const files = wasms(root);
  assert.ok(files.length >= 2, `found ${files}`);
  assert.match(marker, /fuzz canary/);
  for (const file of files) {
    const bytes = readFileSync(file);
    // The marker holds "fuzz canary", the text of every planted panic too.
    assert.equal(bytes.indexOf("fuzz canary"), -1, `${file} holds "fuzz canary"`);
    const exports = WebAssembly.Module.exports(new WebAssembly.Module(bytes)).map((e) => e.name);
    assert.deepEqual(exports.filter((n) => /canary/i.test(n)), [], file);
  }
});
