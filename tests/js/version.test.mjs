// The crate and the npm package carry one version, and the package holds what users need.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const cargo = readFileSync(new URL("../../Cargo.toml", import.meta.url), "utf8");
const crateVersion = cargo.match(/^version = "([^"]+)"/m)[1];
const source = JSON.parse(readFileSync(new URL("../../pkg/package.json", import.meta.url), "utf8"));
const installed = require("tailscale-wasm/package.json");

test("the crate, pkg/package.json and the installed tarball agree on the version", () => {
  assert.equal(source.version, crateVersion);
  assert.equal(installed.version, crateVersion);
});

test("package.json carries the metadata users and registries need", () => {
  for (const field of ["name", "version", "description", "license", "repository", "keywords", "engines", "sideEffects", "types", "exports"]) {
    assert.ok(installed[field] !== undefined, `package.json lacks ${field}`);
  }
  assert.equal(installed.name, "tailscale-wasm");
  assert.equal(installed.engines.node, ">=18");
  assert.equal(installed.dependencies, undefined, "no runtime dependencies");
});

test("the packed package runs nothing at install and pulls in nothing", () => {
  // Install hooks are how a compromised package runs code on install; there are none.
  for (const hook of ["preinstall", "install", "postinstall", "prepare", "preprepare", "postprepare"]) {
    assert.equal(installed.scripts?.[hook], undefined, `scripts.${hook}`);
  }
  for (const field of ["dependencies", "optionalDependencies", "peerDependencies", "bundleDependencies", "bundledDependencies"]) {
    assert.equal(installed[field], undefined, field);
  }
  assert.equal(installed.gypfile, undefined, "no native build");
});
