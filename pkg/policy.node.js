// The policy tools in Node, for `import` and (as index.node.js) `require`: their own wasm, read
// beside this file and compiled synchronously. index.node.js imports this on first use.
import { readFileSync } from "node:fs";
import { initSync, __setup } from "./dist/web/tailscale_wasm_policy.js";
import { __fromCore } from "./errors.js";
import { __reachers } from "./answers.js";

initSync({ module: readFileSync(new URL("./dist/web/tailscale_wasm_policy_bg.wasm", import.meta.url)) });
__setup(__fromCore, __reachers);

export * from "./policy-exports.js";
