// Deno's own way in: an `npm:` specifier, resolved from the folder's node_modules.
import * as api from "npm:tailscale-wasm";
import { smoke } from "./smoke-lib.mjs";

console.log(JSON.stringify(await smoke(api, Deno.env.toObject(), { loadPolicy: () => import("npm:tailscale-wasm/policy"), autoLoads: true })));
