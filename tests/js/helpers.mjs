// Shared set-up for the JS tests: a demo tailnet on loopback and clients pointed at it.
import { createDemoTailnet } from "../../www/demo-tailnet.mjs";
import { TailscaleClient } from "tailscale-wasm";

export async function startTailnet(opts) {
  const tailnet = createDemoTailnet(opts);
  const baseUrl = await tailnet.listen();
  return { tailnet, baseUrl };
}

/** An unsigned JWT with the given claims (the demo tailnet checks claims, not signatures). */
export function jwt(claims) {
  const enc = (o) => Buffer.from(JSON.stringify(o)).toString("base64url");
  return `${enc({ alg: "RS256", typ: "JWT" })}.${enc(claims)}.c2lnbmF0dXJl`;
}

export const inSeconds = (s) => Math.floor(Date.now() / 1000) + s;

/** Creates a federated identity through `admin`; returns the `federated` option that exchanges for it. */
export async function federatedCredentials(admin, claims = {}) {
  const identity = await admin.keys.createFederatedIdentity({
    scopes: ["all"],
    tags: ["tag:ci"],
    issuer: "https://issuer.example",
    subject: "repo:acme/*",
    audience: "tailscale-test",
  });
  const token = jwt({ iss: "https://issuer.example", sub: "repo:acme/infra", aud: "tailscale-test", exp: inSeconds(600), ...claims });
  return { clientId: identity.id, idToken: token };
}

export function clientFor(mode, env, extra = {}) {
  const { tailnet, baseUrl } = env;
  const auth = mode === "apiKey" ? { apiKey: tailnet.credentials.apiKey } : mode === "oauth" ? { oauth: tailnet.credentials.oauth } : { federated: env.federated };
  return new TailscaleClient({ ...auth, baseUrl, ...extra });
}

/** Requests the server saw whose path ends with `suffix` (and method, when given). */
export const seen = (tailnet, suffix, method) => tailnet.requests.filter((r) => r.path.endsWith(suffix) && (!method || r.method === method)).length;
export const tokenRequests = (tailnet) => seen(tailnet, "/oauth/token") + seen(tailnet, "/oauth/token-exchange");

/** Resolves once `predicate()` holds, checking every few milliseconds: no deadline of its own
 *  (the test's timeout is the limit), so a slow machine only makes it wait longer. */
export async function until(predicate) {
  while (!predicate()) await new Promise((r) => setTimeout(r, 5));
}

/** A promise that settles when the test says: `{ promise, open }` (the demo tailnet's `until`). */
export function gate() {
  let open;
  const promise = new Promise((resolve) => (open = resolve));
  return { promise, open };
}
