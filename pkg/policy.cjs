"use strict";
// The policy tools (`tailscale-wasm/policy`) for `require` where index.cjs serves it: their own
// wasm, compiled synchronously at require. index.cjs requires this on first use.
const wasm = require("./dist/node/tailscale_wasm_policy.js");
const errors = require("./dist/errors.cjs");
const { __reachers } = require("./dist/answers.cjs");

wasm.__setup(errors.__fromCore, __reachers);

// The policy classes and functions, and the error classes (the same as the core's), but the
// internals (`__…`) and what only the core module calls.
const internal = new Set(["PostureSet"]);
module.exports = {};
for (const [name, value] of Object.entries({ ...wasm, ...errors })) {
  if (!name.startsWith("__") && !internal.has(name)) module.exports[name] = value;
}
