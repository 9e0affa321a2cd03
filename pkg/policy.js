// The policy tools (`tailscale-wasm/policy`) for browsers, workers and bundlers: their own wasm,
// loaded next to this file at import, and registered with the core module so that
// `client.policy.update`, `evaluatePostures` and `access` can use them.
import init, * as tools from "./dist/web/tailscale_wasm_policy.js";
import { __fromCore } from "./errors.js";
import { __reachers } from "./answers.js";
import { __register } from "./loader.js";

await init({ module_or_path: new URL("./dist/web/tailscale_wasm_policy_bg.wasm", import.meta.url) });
tools.__setup(__fromCore, __reachers);
__register(tools);

export * from "./policy-exports.js";
