// A cold start for `make bench`, in whichever runtime runs it: `pkg` imports the package and
// makes its first call, `raw` makes the same request with fetch. The bench stamps the process's
// start and the request's arrival at its own server.
const args = globalThis.process?.argv.slice(2) ?? globalThis.Deno.args;
const [mode, url] = args;
if (mode === "pkg") {
  const { TailscaleClient } = await import("tailscale-wasm");
  await new TailscaleClient({ apiKey: "tskey-api-cold", baseUrl: url }).keys.list();
} else {
  await fetch(`${url}/api/v2/tailnet/-/keys`, { headers: { authorization: "Bearer tskey-api-cold" } }).then((r) => r.json());
}
