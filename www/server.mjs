// `make demo`: serves the demo page and the package build on 127.0.0.1, and answers /api/v2/*
// from the in-memory demo tailnet, or, with TAILSCALE_API_URL set, forwards it unchanged to
// that upstream (the page talks to its own origin, which is how it gets around CORS).
//
// Logs each request's method, path, status and duration; never a header or a body.

import http from "node:http";
import { readFile } from "node:fs/promises";
import { extname, join, normalize, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { createDemoTailnet } from "./demo-tailnet.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
// The only files served: the page itself and the package exactly as users install it.
const MOUNTS = { "/pkg/": join(root, "pkg"), "/": join(root, "www") };
const TYPES = { ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".mjs": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8", ".wasm": "application/wasm", ".svg": "image/svg+xml", ".png": "image/png", ".json": "application/json" };
const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
const SECURITY_HEADERS = { "content-security-policy": CSP, "x-content-type-options": "nosniff", "referrer-policy": "no-referrer", "cache-control": "no-store" };
// Request headers worth forwarding upstream; cookies and browser metadata stay here.
const FORWARD = ["authorization", "content-type", "accept", "user-agent"];

export async function startServer({ port = 8787, host = "127.0.0.1", upstream = process.env.TAILSCALE_API_URL, log = console.log } = {}) {
  const demo = upstream ? null : createDemoTailnet();
  const upstreamUrl = upstream ? new URL(upstream) : null;
  if (upstreamUrl && !["https:", "http:"].includes(upstreamUrl.protocol)) throw new Error("TAILSCALE_API_URL must be an http(s) URL");

  async function serveFile(path, res) {
    const [prefix, dir] = Object.entries(MOUNTS).find(([p]) => path.startsWith(p));
    let rel = decodeURIComponent(path.slice(prefix.length)) || "index.html";
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
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const headers = {};
    for (const h of FORWARD) if (req.headers[h]) headers[h] = req.headers[h];
    const target = new URL(url.pathname + url.search, upstreamUrl);
    try {
      const answer = await fetch(target, { method: req.method, headers, body: chunks.length ? Buffer.concat(chunks) : undefined, redirect: "manual" });
      const out = { ...SECURITY_HEADERS };
      for (const h of ["content-type", "retry-after"]) if (answer.headers.get(h)) out[h] = answer.headers.get(h);
      res.writeHead(answer.status, out);
      res.end(Buffer.from(await answer.arrayBuffer()));
      return answer.status;
    } catch {
      return send(res, 502, JSON.stringify({ message: "the demo server could not reach TAILSCALE_API_URL" }), "application/json");
    }
  }

  const server = http.createServer(async (req, res) => {
    const started = performance.now();
    const url = new URL(req.url, "http://localhost");
    let status;
    try {
      if (url.pathname.startsWith("/api/v2/")) {
        if (demo) {
          await demo.handle(req, res);
          status = res.statusCode;
        } else status = await forward(req, res, url);
      } else if (url.pathname === "/demo/config.json" && req.method === "GET") {
        // What the page needs to offer the demo: the mode and, in demo mode only, a credential.
        const config = demo ? { mode: "demo", tailnet: demo.tailnet, apiKey: demo.credentials.apiKey } : { mode: "proxy", upstream: upstreamUrl.origin };
        status = send(res, 200, JSON.stringify(config), "application/json");
      } else if (req.method === "GET" || req.method === "HEAD") {
        status = await serveFile(url.pathname, res);
      } else status = send(res, 405, "method not allowed");
    } catch {
      status = res.headersSent ? res.statusCode : send(res, 500, "internal error");
    }
    log(`${req.method} ${url.pathname} ${status} ${(performance.now() - started).toFixed(1)}ms`);
  });

  await new Promise((resolve) => server.listen(port, host, resolve));
  const address = `http://${host}:${server.address().port}`;
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
