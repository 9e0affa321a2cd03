// Node's `import` where Node has no `module-sync` condition (18, 20 before 20.19, 22 before
// 22.12), and Bun's, which has none either: index.node.js with node:fs and node:crypto imported,
// since the earliest of these Nodes have no `process.getBuiltinModule`. Their `require` takes
// index.cjs. Bundled into index.node-legacy.js by `make build`.
import { readFileSync } from "node:fs";
import { webcrypto } from "node:crypto";
import { start } from "./node-start.js";

// Node 18 has Web Crypto only as `webcrypto`, not as a global.
start(readFileSync, globalThis.crypto ?? webcrypto);

export * from "./exports.js";
