// GET /api/matrix: the consumer matrix's smoke work, in a Next.js route handler.
import * as api from "tailscale-wasm";
import { smoke } from "../../../../smoke-lib.mjs";

export const dynamic = "force-dynamic";

export async function GET() {
  return Response.json(await smoke(api, process.env, { loadPolicy: () => import("tailscale-wasm/policy"), autoLoads: true }));
}
