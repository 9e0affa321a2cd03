// The browser rows' core-only app: keys, OAuth apps, devices, users and provisioning, no policy
// tools. Its build must hold no policy wasm, and the Vite build's payload is held to a budget.
import * as api from "tailscale-wasm";
import { smokeCore } from "../smoke-lib.mjs";

const env = { TAILSCALE_API_KEY: decodeURIComponent(location.hash.slice(1)), TAILSCALE_BASE_URL: location.origin };
smokeCore(api, env).then(
  (result) => (document.body.dataset.result = JSON.stringify(result)),
  (err) => (document.body.dataset.result = JSON.stringify({ error: String(err) })),
);
