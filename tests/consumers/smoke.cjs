// A consumer row through CommonJS `require` (Node, Bun): prints smoke-lib's result as JSON. The
// policy tools load on first use, before the row requires them. `typed` also holds only if the
// package's ES module entry, imported beside, has the same error classes: one instance where
// `require` takes it too, and a second copy (Node 18, Bun) sharing the first's classes.
const api = require("tailscale-wasm");

import("./smoke-lib.mjs")
  .then(({ smoke }) => smoke(api, process.env, { loadPolicy: async () => require("tailscale-wasm/policy"), autoLoads: true }))
  .then(async (result) => {
    const esm = await import("tailscale-wasm");
    const shared = ["TailscaleError", "TailscaleValidationError", "TailscaleApiError"].every((name) => esm[name] === api[name]);
    console.log(JSON.stringify({ ...result, typed: result.typed && shared }));
  })
  .catch((err) => {
    console.error(err);
    process.exitCode = 1;
  });
