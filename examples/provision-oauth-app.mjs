#!/usr/bin/env node
// Creates an OAuth app for device provisioning, allowed to set the given custom node
// attributes. The client secret goes to --secret-file (mode 0600): it cannot be retrieved later.
//
//   node provision-oauth-app.mjs --name lab-provisioner \
//     --redirect-uri https://provisioner.example.com/callback \
//     --attribute custom:provisioned --attribute custom:rack \
//     --secret-file provisioner.json
//
// Credentials come from the environment (see connect.mjs).
import { parseArgs } from "node:util";
import { TailscaleValidationError, validateOAuthApp } from "tailscale-wasm";
import { clientFromEnv, writeSecrets } from "./connect.mjs";

const { values: opts } = parseArgs({
  options: {
    name: { type: "string" },
    description: { type: "string", default: "Provisions devices" },
    "redirect-uri": { type: "string", multiple: true, default: [] },
    scope: { type: "string", multiple: true, default: ["devices:core"] },
    attribute: { type: "string", multiple: true, default: [] },
    "secret-file": { type: "string" },
  },
});

const request = {
  name: opts.name ?? "",
  description: opts.description,
  redirectURIs: opts["redirect-uri"],
  scopes: opts.scope,
  allowedNodeAttributes: opts.attribute,
};
const issues = validateOAuthApp(request);
if (!opts["secret-file"]) issues.push({ field: "--secret-file", message: "is required: the client secret is shown only once" });
if (issues.length) {
  for (const i of issues) console.error(`${i.field}: ${i.message}`);
  process.exit(2);
}

try {
  const app = await clientFromEnv().oauthApps.create(request);
  await writeSecrets(opts["secret-file"], { id: app.id, name: app.name, clientSecret: app.clientSecret });
  console.log(`created OAuth app ${app.name} (${app.id}), allowed to set ${app.allowedNodeAttributes?.join(", ") || "no attributes"}`);
  console.log(`client secret: ${opts["secret-file"]}`);
} catch (err) {
  console.error(err instanceof TailscaleValidationError ? err.issues : `${err.name}: ${err.message}`);
  process.exit(1);
}
