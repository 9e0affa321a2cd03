// How both Node entries start the core (index.node.src.js, index.node-legacy.src.js): the wasm
// read beside the bundle and compiled synchronously, with no top-level await, which `require`
// could not load; the policy tools (policy.node.js) imported on first use. Bundled into each
// entry by `make build`, not shipped on its own.
import { initSync, __setup } from "./dist/web/tailscale_wasm.js";
import { __fromCore } from "./errors.js";

/** Starts the core with Node's `readFileSync` and a Web Crypto object (random states). */
export function start(readFileSync, crypto) {
  initSync({ module: readFileSync(new URL("./dist/web/tailscale_wasm_bg.wasm", import.meta.url)) });
  __setup(__fromCore, crypto, () =>
    import("./policy.node.js").then(() => import("./dist/web/tailscale_wasm_policy.js")),
  );
}
