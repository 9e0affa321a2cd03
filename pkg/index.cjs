"use strict";
// Node's `require` where Node cannot require an ES module (18, 20 before 20.19, 22 before 22.12);
// later versions get index.node.js for `require` too (the `module-sync` condition). Its own
// instance of the wasm, compiled synchronously at require; the policy tools (policy.cjs) are
// required on first use.
const wasm = require("./dist/node/tailscale_wasm.js");
const errors = require("./dist/errors.cjs");

// Node 18 has Web Crypto only as `webcrypto`, not as a global.
wasm.__setup(errors.__fromCore, globalThis.crypto ?? require("node:crypto").webcrypto, async () => {
  require("./policy.cjs");
  return require("./dist/node/tailscale_wasm_policy.js");
});

// Everything both modules export, but their internals (`__…`) and the resource classes, which a
// client makes (`client.keys`) and users only name as types: the classes, the validators and the
// error classes. exports.js and the declarations list the same names.
const typesOnly = new Set(["KeysApi", "OAuthAppsApi", "DevicesApi", "UsersApi", "PolicyApi"]);
module.exports = {};
for (const [name, value] of Object.entries({ ...wasm, ...errors })) {
  if (!name.startsWith("__") && !typesOnly.has(name)) module.exports[name] = value;
}
