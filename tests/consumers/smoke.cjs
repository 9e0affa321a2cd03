// A consumer row through CommonJS `require` (Node, Bun): prints smoke-lib's result as JSON.
const api = require("tailscale-wasm");

import("./smoke-lib.mjs")
  .then(({ smoke }) => smoke(api, process.env, async () => require("tailscale-wasm/policy")))
  .then((result) => console.log(JSON.stringify(result)))
  .catch((err) => {
    console.error(err);
    process.exitCode = 1;
  });
