// Shared by the consumer matrix's test files: the packed tarball installed into a fresh folder
// per row, the tools those rows run (tests/consumers/tools, installed into target/consumers by
// `scripts/setup.sh consumers`), and a static server that answers /api/v2 from a demo tailnet.
import http from "node:http";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync, existsSync, rmSync } from "node:fs";
import { join, extname, normalize, sep } from "node:path";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { fileURLToPath } from "node:url";

export const run = promisify(execFile);
export const repo = fileURLToPath(new URL("../../", import.meta.url));
const packDir = join(repo, "target/pack");
export const tarball = join(packDir, readdirSync(packDir).find((f) => f.endsWith(".tgz")));
/** The tools' own folder: rows live below it, so that Node, webpack and Next.js find the tools
 *  by walking up from a row, while the row's own node_modules holds only the package. */
export const tools = join(repo, "target/consumers");
export const bin = (name) => join(tools, "node_modules/.bin", name);
export const nodeBinary = (major) => join(tools, `node_modules/node${major}/bin/node`);
export const consumers = join(repo, "tests/consumers");
export const CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];
const TYPES = { ".html": "text/html", ".js": "text/javascript", ".mjs": "text/javascript", ".wasm": "application/wasm", ".json": "application/json", ".css": "text/css" };

const dirs = [];

/** A fresh folder with the tarball installed, as a user's project would have it. */
export async function project(name, { type = "module" } = {}) {
  mkdirSync(join(tools, "rows"), { recursive: true });
  const dir = mkdtempSync(join(tools, "rows", `${name}-`));
  dirs.push(dir);
  writeFileSync(join(dir, "package.json"), JSON.stringify({ private: true, type }));
  await run("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error", tarball], { cwd: dir });
  return dir;
}

export function removeProjects() {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

/** Serves `root` statically, /api/v2 from `tailnet`, and `routes` (path -> handler) first. */
export async function serve(root, tailnet, routes = {}) {
  const server = http.createServer(async (req, res) => {
    const path = new URL(req.url, "http://x").pathname;
    if (routes[path]) return routes[path](req, res);
    if (path.startsWith("/api/v2/")) return tailnet.handle(req, res);
    if (path === "/favicon.ico") return res.writeHead(204).end();
    const file = normalize(join(root, decodeURIComponent(path === "/" ? "/index.html" : path)));
    if (!file.startsWith(root + sep) || !existsSync(file)) return res.writeHead(404).end();
    res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" }).end(readFileSync(file));
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((r) => (server.closeAllConnections(), server.close(r))) };
}

/** Opens `url` in a new page, collecting page errors, console errors, and the file name of each
 *  .wasm it fetches, in order (from the first request on). */
export async function openPage(browser, url) {
  const page = await browser.newPage();
  const problems = [];
  const wasm = [];
  page.on("request", (r) => r.url().endsWith(".wasm") && wasm.push(r.url().split("/").pop()));
  page.on("pageerror", (e) => problems.push(e.message));
  page.on("console", (m) => m.type() === "error" && problems.push(m.text()));
  if (process.env.DEBUG_CONSUMERS) page.on("console", (m) => console.log("page:", m.type(), m.text()));
  await page.goto(url);
  return { page, problems, wasm };
}

/** The last line of a row's output, parsed: smoke-lib's result. */
export const lastJson = (stdout) => JSON.parse(stdout.trim().split("\n").pop());
