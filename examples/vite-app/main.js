// A minimal web app on tailscale-wasm: the bundler resolves the package's browser build and
// emits its .wasm file as an asset. The API is reached through this app's own origin
// (`baseUrl`), whose server forwards /api/v2 to api.tailscale.com, since the API does not
// document cross-origin access.
import { TailscaleClient, TailscaleApiError } from "tailscale-wasm";

const form = document.querySelector("#connect");
const status = document.querySelector("#status");
const list = document.querySelector("#keys");

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  status.textContent = "Loading…";
  try {
    const client = new TailscaleClient({ apiKey: form.elements.apiKey.value, baseUrl: location.origin });
    const keys = await client.keys.list({ all: true });
    list.replaceChildren(...keys.map((k) => Object.assign(document.createElement("li"), { textContent: `${k.keyType}: ${k.description || k.id}` })));
    status.textContent = `${keys.length} keys`;
  } catch (err) {
    status.textContent = err instanceof TailscaleApiError ? `${err.status}: ${err.message}` : String(err.message ?? err);
  }
});
