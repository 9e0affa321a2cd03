// A Cloudflare Worker that mints an ephemeral, pre-approved, tagged auth key on request: a CI
// job or a device bootstrap script POSTs with a shared bearer token and gets a key that lives ten
// minutes, instead of holding a long-lived key of its own. The Worker calls the Tailscale API
// with an OAuth client (scope auth_keys, owning the tag), whose credentials are Worker secrets.
//
//   curl -X POST -H "authorization: Bearer $MINT_TOKEN" https://mint.example.workers.dev/
//   -> {"id":"k...","key":"tskey-auth-...","expires":"...","tags":["tag:ci"]}
//
// Secrets (wrangler secret put NAME): TS_OAUTH_CLIENT_ID, TS_OAUTH_CLIENT_SECRET, MINT_TOKEN.
// Variables (wrangler.toml): TS_TAG, and TAILSCALE_BASE_URL only to point at a proxy.
import { TailscaleClient, TailscaleError, TailscaleApiError, TailscaleValidationError } from "tailscale-wasm";

// One client per isolate, so that its access token is minted once and reused across requests.
let client;
function clientFor(env) {
  client ??= new TailscaleClient({
    oauth: { clientId: env.TS_OAUTH_CLIENT_ID, clientSecret: env.TS_OAUTH_CLIENT_SECRET, scopes: ["auth_keys"], tags: [env.TS_TAG] },
    ...(env.TAILSCALE_BASE_URL ? { baseUrl: env.TAILSCALE_BASE_URL } : {}),
  });
  return client;
}

const json = (status, body) => new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", "cache-control": "no-store" } });

/** Compares the caller's bearer token with MINT_TOKEN in time that depends only on lengths. */
function authorized(request, expected) {
  const given = (request.headers.get("authorization") ?? "").replace(/^Bearer /, "");
  if (!expected || given.length !== expected.length) return false;
  let diff = 0;
  for (let i = 0; i < given.length; i++) diff |= given.charCodeAt(i) ^ expected.charCodeAt(i);
  return diff === 0;
}

export default {
  async fetch(request, env) {
    if (request.method !== "POST") return json(405, { error: "POST to mint a key" });
    if (!authorized(request, env.MINT_TOKEN)) return json(401, { error: "unauthorized" });
    try {
      const key = await clientFor(env).keys.createAuthKey({
        ephemeral: true,
        preauthorized: true,
        reusable: false,
        tags: [env.TS_TAG],
        expirySeconds: 600,
        description: "minted by a worker",
      });
      return json(200, { id: key.id, key: key.key, expires: key.expires, tags: key.capabilities?.devices?.create?.tags });
    } catch (err) {
      // The error's message never holds a credential. 502: the API refused; 500: this Worker's
      // settings are wrong; 503: the API could not be reached.
      const status = err instanceof TailscaleApiError ? 502 : err instanceof TailscaleValidationError ? 500 : 503;
      return json(status, { error: err instanceof TailscaleError ? `${err.name}: ${err.message}` : "unexpected error" });
    }
  },
};
