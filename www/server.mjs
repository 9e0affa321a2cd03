// `make demo`: serves the demo page and the package build on 127.0.0.1, and answers /api/v2/*
// from the in-memory demo tailnet, or, with TAILSCALE_API_URL set, forwards it unchanged to
// that upstream (the page talks to its own origin, which is how it gets around CORS).
//
// It answers only requests addressed to its own listener: a Host header other than
// 127.0.0.1:PORT, localhost:PORT or [::1]:PORT is refused (403), so that a page elsewhere cannot
// rebind a DNS name to 127.0.0.1 and use this server, or its upstream, through it. On /api/v2/
// and /demo/ an Origin other than the page's own is refused too. Bodies over 1 MiB get 413, a malformed
// path 400, and upstream redirects are passed back, never followed.
//
// Logs each request's method, path, status and duration; never a header or a body.

import http from "node:http";
import { readFile } from "node:fs/promises";
import { extname, join, normalize, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { createDemoTailnet } from "./demo-tailnet.mjs";
import { readBody, decodePath, HttpError, SECURITY_HEADERS } from "./demo-tailnet/shared.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
// The only files served: the page itself and the package exactly as users install it.
const MOUNTS = { "/pkg/": join(root, "pkg"), "/": join(root, "www") };
const TYPES = { ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".mjs": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8", ".wasm": "application/wasm", ".svg": "image/svg+xml", ".png": "image/png", ".json": "application/json" };
// Request headers worth forwarding upstream; cookies and browser metadata stay here. `if-match`
// makes a policy write conditional on the version read, whose `etag` comes back (RETURN).
const FORWARD = ["authorization", "content-type", "accept", "user-agent", "if-match"];
const RETURN = ["content-type", "retry-after", "etag"];

export async function startServer({ port = 8787, host = "127.0.0.1", upstream = process.env.TAILSCALE_API_URL, log = console.log } = {}) {
  const demo = upstream ? null : createDemoTailnet();
  const upstreamUrl = upstream ? new URL(upstream) : null;
  if (upstreamUrl && !["https:", "http:"].includes(upstreamUrl.protocol)) throw new Error("TAILSCALE_API_URL must be an http(s) URL");

  async function serveFile(path, res) {
    const [prefix, dir] = Object.entries(MOUNTS).find(([p]) => path.startsWith(p));
    let rel = decodePath(path.slice(prefix.length)).join("/") || "index.html";
    if (rel.endsWith("/")) rel += "index.html";
    const file = normalize(join(dir, rel));
    if (!file.startsWith(dir + sep) || rel.split("/").some((s) => s.startsWith("."))) return send(res, 404, "not found");
    try {
      const body = await readFile(file);
      res.writeHead(200, { ...SECURITY_HEADERS, "content-type": TYPES[extname(file)] ?? "application/octet-stream" });
      res.end(body);
      return 200;
    } catch {
      return send(res, 404, "not found");
    }
  }

  function send(res, status, text, type = "text/plain; charset=utf-8") {
    res.writeHead(status, { ...SECURITY_HEADERS, "content-type": type });
    res.end(text);
    return status;
  }

  async function forward(req, res, url) {
    const body = await readBody(req);
    if (body === null) return send(res, 413, JSON.stringify({ message: "request body is larger than 1 MiB" }), "application/json");
    const headers = {};
    for (const h of FORWARD) if (req.headers[h]) headers[h] = req.headers[h];
    const target = new URL(url.pathname + url.search, upstreamUrl);
    try {
      // `manual`: a redirect goes back to the caller as it came, never followed from here.
      const answer = await fetch(target, { method: req.method, headers, body: body === "" ? undefined : body, redirect: "manual" });
      const out = { ...SECURITY_HEADERS };
      for (const h of RETURN) if (answer.headers.get(h)) out[h] = answer.headers.get(h);
      res.writeHead(answer.status, out);
      res.end(Buffer.from(await answer.arrayBuffer()));
      return answer.status;
    } catch {
      return send(res, 502, JSON.stringify({ message: "the demo server could not reach TAILSCALE_API_URL" }), "application/json");
    }
  }

  // The Host values naming this listener, filled in once it is bound.
  const ownHosts = new Set();

  /** Refuses what a page elsewhere could send here: a foreign Host, or a foreign Origin. */
  function checkAddressed(req, url) {
    const host = (req.headers.host ?? "").toLowerCase();
    if (!ownHosts.has(host)) throw new HttpError(403, "this server answers only to its own address (127.0.0.1, localhost or [::1] with its port)");
    const origin = req.headers.origin;
    const api = url.pathname.startsWith("/api/v2/") || url.pathname.startsWith("/demo/");
    if (api && origin !== undefined && origin.toLowerCase() !== `http://${host}`) {
      throw new HttpError(403, "cross-origin requests are refused");
    }
  }

  const server = http.createServer(async (req, res) => {
    const started = performance.now();
    let url;
    let status;
    try {
      url = new URL(req.url, "http://localhost");
      checkAddressed(req, url);
      if (url.pathname.startsWith("/api/v2/")) {
        if (demo) {
          await demo.handle(req, res);
          status = res.statusCode;
        } else status = await forward(req, res, url);
      } else if (demo && (url.pathname === "/demo/register" || url.pathname.startsWith("/a/oauth_authorize"))) {
        // The demo tailnet's own pages and controls: the consent screen, and a device joining.
        await demo.handle(req, res);
        status = res.statusCode;
      } else if (url.pathname === "/demo/config.json" && req.method === "GET") {
        // What the page needs to offer the demo: the mode and, in demo mode only, a credential.
        const config = demo ? { mode: "demo", tailnet: demo.tailnet, apiKey: demo.credentials.apiKey } : { mode: "proxy", upstream: upstreamUrl.origin };
        status = send(res, 200, JSON.stringify(config), "application/json");
      } else if (req.method === "GET" || req.method === "HEAD") {
        status = await serveFile(url.pathname, res);
      } else status = send(res, 405, "method not allowed");
    } catch (e) {
      if (res.headersSent) status = res.statusCode;
      else if (e instanceof HttpError) status = send(res, e.status, e.message);
      else status = send(res, 500, "internal error");
    }
    // The path as sent (still percent-encoded), never its query, a header or a body.
    const path = url?.pathname ?? req.url.split("?")[0];
    log(`${req.method} ${path} ${status} ${(performance.now() - started).toFixed(1)}ms`);
  });

  await new Promise((resolve) => server.listen(port, host, resolve));
  const bound = server.address().port;
  for (const name of ["127.0.0.1", "localhost", "[::1]"]) ownHosts.add(`${name}:${bound}`);
  const address = `http://${host}:${bound}`;
  return {
    url: address,
    demo,
    close: () => {
      server.closeAllConnections();
      return new Promise((r) => server.close(r));
    },
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { url, demo } = await startServer({ port: Number(process.env.PORT ?? 8787) });
  console.log(`tailscale-wasm demo: ${url}/`);
  console.log(demo ? "API: the built-in demo tailnet (TAILSCALE_API_URL=https://api.tailscale.com make demo for a real one)" : `API: forwarding /api/v2/* to ${process.env.TAILSCALE_API_URL}`);
}
