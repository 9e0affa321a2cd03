// Browsers, workers and bundlers: loads the wasm next to this file once, at import.
import init, { __setup } from "./dist/web/tailscale_wasm.js";
import { __fromCore } from "./errors.js";

await init({ module_or_path: new URL("./dist/web/tailscale_wasm_bg.wasm", import.meta.url) });
__setup(__fromCore, globalThis.crypto);

export * from "./exports.js";
