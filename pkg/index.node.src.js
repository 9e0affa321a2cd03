// Node's `import`, and its `require` where Node can require an ES module (20.19 and later 20s,
// 22.12 and later, 24, 26: the `module-sync` condition), so both styles share one instance.
// `make build` bundles this file, exports.js and the core's glue into index.node.js: Node
// loads one ES module of a package faster than three (about 1 ms of the cold start,
// BENCHMARKS.md). errors.js stays its own module, shared with the policy entry. An ES module
// throughout, because Node loads one a few ms faster than it loads CommonJS through `import`;
// the wasm is read beside the bundle and compiled synchronously, with no top-level await,
// which `require` could not load. The policy tools (policy.node.js) are imported on first use.
import { readFileSync } from "node:fs";
import { webcrypto } from "node:crypto";
import { initSync, __setup } from "./dist/web/tailscale_wasm.js";
import { __fromCore } from "./errors.js";

initSync({ module: readFileSync(new URL("./dist/web/tailscale_wasm_bg.wasm", import.meta.url)) });
// Node 18 has Web Crypto only as `webcrypto`, not as a global.
__setup(__fromCore, globalThis.crypto ?? webcrypto, () =>
  import("./policy.node.js").then(() => import("./dist/web/tailscale_wasm_policy.js")),
);

export * from "./exports.js";
