#!/usr/bin/env node
// For a CI job: authenticates with workload identity federation (no stored secret), using the
// OIDC ID token the CI provider put in an environment variable, and mints a short-lived,
// ephemeral, pre-approved auth key for the job's runner. The key goes to --auth-key-file
// (mode 0600), ready for `tailscale up --auth-key=file:<path>`.
//
//   TS_FEDERATED_CLIENT_ID=... TS_ID_TOKEN="$(get-oidc-token)" \
//     node ci-federated.mjs --tag tag:ci --auth-key-file /tmp/ts-auth-key
//
// TS_ID_TOKEN is read again for every token exchange, so a refreshed variable is picked up.
import { parseArgs } from "node:util";
import { writeFile } from "node:fs/promises";
import { TailscaleClient } from "tailscale-wasm";

const { values: opts } = parseArgs({
  options: {
    tag: { type: "string", multiple: true, default: ["tag:ci"] },
    "expiry-minutes": { type: "string", default: "10" },
    "auth-key-file": { type: "string" },
    "token-variable": { type: "string", default: "TS_ID_TOKEN" },
  },
});
if (!opts["auth-key-file"]) throw new Error("pass --auth-key-file");
if (!process.env.TS_FEDERATED_CLIENT_ID) throw new Error("set TS_FEDERATED_CLIENT_ID");

const client = new TailscaleClient({
  federated: {
    clientId: process.env.TS_FEDERATED_CLIENT_ID,
    idToken: () => process.env[opts["token-variable"]] ?? "",
  },
  baseUrl: process.env.TAILSCALE_BASE_URL || undefined,
});

const key = await client.keys.createAuthKey({
  ephemeral: true,
  preauthorized: true,
  reusable: false,
  tags: opts.tag,
  expirySeconds: Math.round(Number(opts["expiry-minutes"]) * 60),
  description: `ci job ${process.env.GITHUB_RUN_ID ?? process.env.CI_JOB_ID ?? "local"}`.slice(0, 50).replace(/[^A-Za-z0-9 -]/g, "-"),
});
await writeFile(opts["auth-key-file"], key.key, { mode: 0o600 });
console.log(`minted ephemeral auth key ${key.id} for ${opts.tag.join(", ")}, expires ${key.expires}; key in ${opts["auth-key-file"]}`);
