// Node's `import` and `require` where Node has the `module-sync` condition (20.19 and later 20s,
// 22.12 and later, 24, 26), so both styles share one instance; Deno's too.
// `make build` bundles this file, node-start.js, exports.js, errors.js and the core's glue into
// index.node.js: Node loads one ES module of a package faster than several (about 1 ms for the
// first four, 0.5 ms more for errors.js, BENCHMARKS.md). The policy entry's copy of errors.js
// finds the same classes (errors.js says where it cannot). An ES module throughout, because
// Node loads one a few ms faster than it loads CommonJS through `import`. No `import` of
// node:fs or node:crypto either: an ES module import of a builtin makes Node build its module
// facade, which reads every export (fs's streams and promises, crypto's webcrypto): 4 of the 58
// million instructions the package added to a cold start (BENCHMARKS.md).
// `process.getBuiltinModule`, which every Node with `module-sync` has, builds none. Nodes
// without `module-sync` get index.node-legacy.js.
import { start } from "./node-start.js";

start(process.getBuiltinModule("node:fs").readFileSync, {
  // Looked up when a random state is first needed: reading `globalThis.crypto` loads Node's
  // Web Crypto, which a client that never provisions a device does not use.
  getRandomValues: (array) => globalThis.crypto.getRandomValues(array),
});

export * from "./exports.js";
