// A consumer row through CommonJS `require` (Node, Bun): prints smoke-lib's result as JSON. The
// policy tools load on first use, before the row requires them.
const api = require("tailscale-wasm");

import("./smoke-lib.mjs")
  .then(({ smoke }) => smoke(api, process.env, { loadPolicy: async () => require("tailscale-wasm/policy"), autoLoads: true }))
  .then((result) => console.log(JSON.stringify(result)))
  .catch((err) => {
    console.error(err);
    process.exitCode = 1;
  });
