#!/usr/bin/env node
// Rotates the auth keys that expire within N days: for each, creates a replacement with the same
// capabilities (reusable, ephemeral, pre-approved, tags), lifetime and description, then revokes
// the old key. New secrets go to --secrets-file (mode 0600), never to the terminal.
//
//   node rotate-auth-keys.mjs --days 14 --secrets-file new-keys.json
//   node rotate-auth-keys.mjs --days 14 --dry-run
//
// Credentials come from the environment (see connect.mjs).
import { parseArgs } from "node:util";
import { TailscaleError } from "tailscale-wasm";
import { clientFromEnv, writeSecrets } from "./connect.mjs";

const { values: opts } = parseArgs({
  options: {
    days: { type: "string", default: "14" },
    "dry-run": { type: "boolean", default: false },
    "secrets-file": { type: "string" },
  },
});
const days = Number(opts.days);
if (!Number.isFinite(days) || days <= 0) throw new Error("--days must be a positive number");
if (!opts["dry-run"] && !opts["secrets-file"]) throw new Error("pass --secrets-file (new keys' secrets cannot be retrieved later) or --dry-run");

const client = clientFromEnv();
const horizon = Date.now() + days * 86_400_000;
const keys = await client.keys.list({ all: true });
const due = keys.filter((k) => k.keyType === "auth" && !k.invalid && !k.revoked && k.expires && Date.parse(k.expires) <= horizon);

const rotated = {};
let failed = 0;
for (const old of due) {
  const create = old.capabilities?.devices?.create ?? {};
  const replacement = {
    reusable: !!create.reusable,
    ephemeral: !!create.ephemeral,
    preauthorized: !!create.preauthorized,
    tags: create.tags ?? [],
    expirySeconds: old.expirySeconds ?? 7_776_000,
    ...(old.description ? { description: old.description } : {}),
  };
  const label = `${old.id} (${old.description || "no description"}, expires ${old.expires})`;
  if (opts["dry-run"]) {
    console.log(`would rotate ${label}`);
    continue;
  }
  try {
    const fresh = await client.keys.createAuthKey(replacement);
    rotated[old.id] = { id: fresh.id, key: fresh.key, expires: fresh.expires, description: fresh.description };
    // Save as we go: a later failure must not lose a secret already minted.
    await writeSecrets(opts["secrets-file"], rotated);
    await client.keys.delete(old.id);
    console.log(`rotated ${label} -> ${fresh.id}`);
  } catch (err) {
    failed++;
    console.error(`could not rotate ${old.id}: ${err instanceof TailscaleError ? err.message : err}`);
  }
}

const verb = opts["dry-run"] ? "would rotate" : "rotated";
console.log(`summary: ${keys.length} keys, ${due.length} auth keys expire within ${days} days, ${verb} ${opts["dry-run"] ? due.length : Object.keys(rotated).length}, failed ${failed}`);
if (!opts["dry-run"] && due.length) console.log(`new secrets: ${opts["secrets-file"]}`);
process.exitCode = failed ? 1 : 0;
