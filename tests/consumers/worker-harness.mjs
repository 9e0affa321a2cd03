// The Workers row's Worker: examples/worker as users deploy it, plus a /matrix route that runs
// the same smoke work as every other row (smoke-lib.mjs) inside workerd.
import worker from "./worker/src/index.js";
import * as api from "tailscale-wasm";
import { smoke } from "./smoke-lib.mjs";

export default {
  async fetch(request, env, ctx) {
    if (new URL(request.url).pathname === "/matrix") return Response.json(await smoke(api, env, { loadPolicy: () => import("tailscale-wasm/policy"), autoLoads: true }));
    return worker.fetch(request, env, ctx);
  },
};
