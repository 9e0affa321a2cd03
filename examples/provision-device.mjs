#!/usr/bin/env node
// Provisions a device through an OAuth app: prints the consent URL (and opens it with --open),
// waits on a loopback callback server for the person to Allow (ignoring any request whose state
// is not this run's), exchanges the code, and writes the single-use auth key to a file only you can read, for
//   tailscale up --auth-key=file:PATH
// The device that joins belongs to the person who consented and carries the app's custom:
// attributes.
//
//   TS_APP_CLIENT_ID=a123... TS_APP_CLIENT_SECRET=tskey-app-... \
//     node provision-device.mjs --port 8765 --key-file ./auth-key [--open] [--timeout 300]
//
// The app must list http://127.0.0.1:PORT/callback among its redirect URIs. The secret comes
// from the environment, never from arguments (argv is visible to every user on the machine).
// TAILSCALE_BASE_URL and TAILSCALE_LOGIN_URL point it elsewhere (a proxy, the demo tailnet).
import http from "node:http";
import { spawn } from "node:child_process";
import { rm, writeFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { DeviceProvisioning, TailscaleAuthorizationError, TailscaleError, TailscaleValidationError } from "tailscale-wasm";

const { values: opts } = parseArgs({
  options: {
    port: { type: "string", default: "8765" },
    "key-file": { type: "string" },
    timeout: { type: "string", default: "300" },
    open: { type: "boolean", default: false },
  },
});
const fail = (message, code = 1) => {
  console.error(message);
  process.exit(code);
};
if (!opts["key-file"]) fail("pass --key-file PATH: the auth key is written there (mode 0600), never printed", 2);
const timeoutSeconds = Number(opts.timeout);
if (!(timeoutSeconds > 0)) fail("--timeout must be a number of seconds", 2);

const env = process.env;
let flow;
try {
  flow = new DeviceProvisioning({
    clientId: env.TS_APP_CLIENT_ID ?? "",
    clientSecret: env.TS_APP_CLIENT_SECRET ?? "",
    redirectUri: `http://127.0.0.1:${opts.port}/callback`,
    ...(env.TAILSCALE_BASE_URL ? { baseUrl: env.TAILSCALE_BASE_URL } : {}),
    ...(env.TAILSCALE_LOGIN_URL ? { loginUrl: env.TAILSCALE_LOGIN_URL } : {}),
  });
} catch (err) {
  if (!(err instanceof TailscaleValidationError)) throw err;
  fail(err.issues.map((i) => `${i.field}: ${i.message}`).join("\n") + "\n(TS_APP_CLIENT_ID and TS_APP_CLIENT_SECRET come from the environment)", 2);
}
const { url, state } = flow.authorizationUrl();

/** Starts the loopback callback server and resolves once it listens, to `{ code }`: a promise
 *  of the code the browser brings back to /callback (each answered with a short page). Any page
 *  the person has open can send a request here, so a callback whose state is not this run's is
 *  answered, ignored, and the server keeps listening until the timeout. */
async function listenForCallback() {
  let settle;
  const code = new Promise((resolve, reject) => (settle = { resolve, reject }));
  const server = http.createServer((req, res) => {
    if (!req.url.startsWith("/callback")) return res.writeHead(404).end();
    const page = (status, title, text) => res.writeHead(status, { "content-type": "text/html; charset=utf-8" }).end(`<!doctype html><title>${title}</title><p>${text}</p>`);
    try {
      settle.resolve(flow.parseCallback(req.url, state).code);
      page(200, "Approved", "Approved. You can close this tab and go back to the terminal.");
    } catch (err) {
      if (err instanceof TailscaleValidationError && err.issues.some((i) => i.field === "state")) {
        console.error("Ignored a request to the callback that did not come from this run's consent screen (its state does not match); still waiting.");
        return page(400, "Not this request", "This callback does not belong to the pending request.");
      }
      page(200, "Not approved", "Not approved. Details are in the terminal.");
      settle.reject(err);
    }
    // This run's answer is all it takes: stop listening, and let the browser's connection go.
    server.close();
    res.on("finish", () => server.closeAllConnections());
  });
  await new Promise((resolve, reject) => server.once("error", reject).listen(Number(opts.port), "127.0.0.1", resolve));
  setTimeout(() => {
    server.close();
    server.closeAllConnections();
    settle.reject(new Error(`no answer from the consent screen within ${timeoutSeconds} s`));
  }, timeoutSeconds * 1000).unref();
  return { code };
}

// The URL is printed only once the callback server listens, so the browser always finds it.
const callback = await listenForCallback().catch((err) => fail(`cannot listen on 127.0.0.1:${opts.port} for the callback: ${err.message}`));
console.log(`Open this URL and approve the device:\n${url}`);
if (opts.open) {
  const opener = { darwin: "open", win32: "explorer" }[process.platform] ?? "xdg-open";
  spawn(opener, [url], { stdio: "ignore", detached: true }).on("error", () => console.log(`(could not run ${opener}: open the URL yourself)`)).unref();
}

try {
  const code = await callback.code;
  const grant = await flow.exchange(code);
  // A new file, created readable by its owner only (an existing file's mode would be kept).
  await rm(opts["key-file"], { force: true });
  await writeFile(opts["key-file"], grant.authKey + "\n", { mode: 0o600, flag: "wx" });
  console.log(`Approved. A single-use auth key, valid until ${grant.expiresAt}, is in ${opts["key-file"]}.`);
  console.log(`On the new device: tailscale up --auth-key=file:${opts["key-file"]}`);
} catch (err) {
  if (err instanceof TailscaleAuthorizationError) fail(`Not approved: ${err.error}${err.description ? ` (${err.description})` : ""}.`);
  if (err instanceof TailscaleValidationError) fail(`The consent screen's callback was unusable: ${err.issues.map((i) => `${i.field} ${i.message}`).join("; ")}.`);
  fail(err instanceof TailscaleError ? `${err.name}: ${err.message}` : String(err.message ?? err));
}
