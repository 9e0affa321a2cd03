// Browsers, workers and bundlers: loads the core wasm next to this file once, at import. The
// policy tools are a second module, loaded when used (loader.js).
import init, { __setup } from "./dist/web/tailscale_wasm.js";
import { __fromCore } from "./errors.js";
import { __loadPolicy } from "./loader.js";

await init({ module_or_path: new URL("./dist/web/tailscale_wasm_bg.wasm", import.meta.url) });
__setup(__fromCore, globalThis.crypto, __loadPolicy);

export * from "./exports.js";
