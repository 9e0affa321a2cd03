// A consumer row through ESM `import` (Node, Deno, Bun): prints smoke-lib's result as JSON. The
// policy tools load on first use, before the row imports them.
import * as api from "tailscale-wasm";
import { smoke } from "./smoke-lib.mjs";

const env = globalThis.process?.env ?? globalThis.Deno.env.toObject();
console.log(JSON.stringify(await smoke(api, env, { loadPolicy: () => import("tailscale-wasm/policy"), autoLoads: true })));
