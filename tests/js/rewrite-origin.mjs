// Preloaded (`node --import`) by the README test: sends requests meant for api.tailscale.com to
// the demo tailnet instead, so the README's examples run verbatim, default baseUrl included.
const target = process.env.DEMO_TAILNET_URL;
const realFetch = globalThis.fetch;
globalThis.fetch = async (input, init) => {
  const req = new Request(input, init);
  const url = req.url.replace(/^https:\/\/api\.tailscale\.com/, target);
  const body = ["GET", "HEAD"].includes(req.method) ? undefined : await req.text();
  return realFetch(url, { method: req.method, headers: req.headers, body, signal: req.signal });
};
