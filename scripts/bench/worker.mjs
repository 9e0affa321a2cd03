// The Worker `make bench` runs in workerd: GET /raw?n=N and /pkg?n=N make N sequential calls
// (raw fetch + JSON.parse, or the package's keys.list()) to env.URL; the bench times each round
// trip from outside, since a Worker's clock only moves at I/O.
import { TailscaleClient } from "tailscale-wasm";

let client;

export default {
  async fetch(request, env) {
    const q = new URL(request.url).searchParams;
    const n = Number(q.get("n") ?? 1);
    const path = new URL(request.url).pathname;
    client ??= new TailscaleClient({ apiKey: env.API_KEY, baseUrl: env.URL });
    for (let i = 0; i < n; i++) {
      if (path === "/pkg") await client.keys.list();
      else await fetch(`${env.URL}/api/v2/tailnet/-/keys`, { headers: { authorization: `Bearer ${env.API_KEY}` } }).then((r) => r.json());
    }
    return new Response("ok");
  },
};
