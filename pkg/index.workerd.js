// Cloudflare Workers (workerd): the .wasm arrives as a module import, compiled ahead of time, and
// is instantiated synchronously. workerd allows neither a fetch nor compiling wasm from bytes at
// startup, which the browser entry (index.js) does; the exports are the same. The policy module
// comes the same way, from policy.workerd.js, on first use.
import wasm from "./dist/web/tailscale_wasm_bg.wasm";
import { initSync, __setup } from "./dist/web/tailscale_wasm.js";
import { __fromCore } from "./errors.js";

initSync({ module: wasm });
__setup(__fromCore, globalThis.crypto, () =>
  import("./policy.workerd.js").then(() => import("./dist/web/tailscale_wasm_policy.js")),
);

export * from "./exports.js";
