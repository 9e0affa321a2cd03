// The browser rows' policy app (Vite, webpack, esbuild): the same smoke work as every row, in
// the page, with the policy tools imported lazily (`await import("tailscale-wasm/policy")`), so
// the bundler splits them into a chunk of their own that loads only then. The API key arrives in
// the URL's fragment, which is never sent to a server; the API is this page's own origin, whose
// server answers /api/v2 from the demo tailnet.
import * as api from "tailscale-wasm";
import { smoke } from "../smoke-lib.mjs";

const env = { TAILSCALE_API_KEY: decodeURIComponent(location.hash.slice(1)), TAILSCALE_BASE_URL: location.origin };
smoke(api, env, { loadPolicy: () => import("tailscale-wasm/policy") }).then(
  (result) => (document.body.dataset.result = JSON.stringify(result)),
  (err) => (document.body.dataset.result = JSON.stringify({ error: String(err) })),
);
