// The policy tools on Cloudflare Workers (workerd): their .wasm as a module import, instantiated
// synchronously, as index.workerd.js does for the core.
import wasm from "./dist/web/tailscale_wasm_policy_bg.wasm";
import { initSync, __setup } from "./dist/web/tailscale_wasm_policy.js";
import { __fromCore } from "./errors.js";
import { __reachers } from "./answers.js";

initSync({ module: wasm });
__setup(__fromCore, __reachers);

export * from "./policy-exports.js";
