// Cloudflare Workers (workerd): the .wasm arrives as a module import, compiled ahead of time, and
// is instantiated synchronously. workerd allows neither a fetch nor compiling wasm from bytes at
// startup, which the browser entry (index.js) does; the exports are the same.
import wasm from "./dist/web/tailscale_wasm_bg.wasm";
import { initSync, __setup } from "./dist/web/tailscale_wasm.js";
import { __fromCore } from "./errors.js";

initSync({ module: wasm });
__setup(__fromCore, globalThis.crypto);

export * from "./exports.js";
