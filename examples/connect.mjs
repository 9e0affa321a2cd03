// Shared by the example scripts: a client from the environment, never from arguments (argv is
// visible to every user on the machine) and never printed.
//   TAILSCALE_API_KEY                         an API access token, or
//   TS_OAUTH_CLIENT_ID + TS_OAUTH_CLIENT_SECRET   OAuth client credentials
//   TAILSCALE_BASE_URL (optional)             for a proxy; default https://api.tailscale.com
//   TAILSCALE_TAILNET (optional)              default "-", the credential's own tailnet
import { TailscaleClient } from "tailscale-wasm";

export function clientFromEnv(env = process.env) {
  const common = { baseUrl: env.TAILSCALE_BASE_URL || undefined, tailnet: env.TAILSCALE_TAILNET || undefined };
  if (env.TAILSCALE_API_KEY) return new TailscaleClient({ apiKey: env.TAILSCALE_API_KEY, ...common });
  if (env.TS_OAUTH_CLIENT_ID) return new TailscaleClient({ oauth: { clientId: env.TS_OAUTH_CLIENT_ID, clientSecret: env.TS_OAUTH_CLIENT_SECRET ?? "" }, ...common });
  throw new Error("set TAILSCALE_API_KEY, or TS_OAUTH_CLIENT_ID and TS_OAUTH_CLIENT_SECRET");
}

/** Writes secrets to a file only its owner can read, rather than to a log. */
export async function writeSecrets(path, data) {
  const { writeFile } = await import("node:fs/promises");
  await writeFile(path, JSON.stringify(data, null, 2) + "\n", { mode: 0o600 });
}
