// GET /api/keys: lists the tailnet's keys with the credential from the server's environment
// (TAILSCALE_API_KEY, and TAILSCALE_BASE_URL for a proxy or the demo tailnet). The client is
// made on the first request, not at import: `next build` imports this module without them.
import { TailscaleClient } from "tailscale-wasm";

export const dynamic = "force-dynamic";

let client;

export async function GET() {
  client ??= new TailscaleClient({ apiKey: process.env.TAILSCALE_API_KEY, ...(process.env.TAILSCALE_BASE_URL ? { baseUrl: process.env.TAILSCALE_BASE_URL } : {}) });
  const keys = await client.keys.list();
  return Response.json({ keys: keys.map((k) => ({ id: k.id, description: k.description })) });
}
