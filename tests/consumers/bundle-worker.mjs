// Bundles a Worker the way wrangler does: esbuild with the `workerd` export condition, every
// `.wasm` import left as a module of its own (copied next to the bundle and imported by name),
// which workerd compiles ahead of time. Writes worker.js and the .wasm into `outdir` and returns
// the module list for a workerd config.
import { copyFileSync, mkdirSync } from "node:fs";
import { basename, join } from "node:path";

export async function bundleWorker({ esbuild, entry, outdir }) {
  mkdirSync(outdir, { recursive: true });
  const wasm = [];
  const wasmModules = {
    name: "wasm-modules",
    setup(build) {
      build.onResolve({ filter: /\.wasm$/ }, (args) => {
        const name = basename(args.path);
        copyFileSync(join(args.resolveDir, args.path), join(outdir, name));
        wasm.push(name);
        return { path: `./${name}`, external: true };
      });
    },
  };
  await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    format: "esm",
    platform: "neutral",
    conditions: ["workerd", "worker", "browser"],
    mainFields: ["module", "main"],
    outfile: join(outdir, "worker.js"),
    plugins: [wasmModules],
    logLevel: "warning",
  });
  return [{ name: "worker.js", type: "esModule" }, ...[...new Set(wasm)].map((name) => ({ name, type: "wasm" }))];
}

/** A workerd config serving the Worker on 127.0.0.1:`port`, with text bindings, and a network
 *  that reaches loopback (workerd's default reaches public addresses only). */
export function workerdConfig({ modules, port, bindings }) {
  const mods = modules.map((m) => `(name = "${m.name}", ${m.type} = embed "${m.name}")`).join(",\n    ");
  const binds = Object.entries(bindings).map(([k, v]) => `(name = "${k}", text = ${JSON.stringify(String(v))})`).join(",\n    ");
  return `using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "main", worker = .worker),
    (name = "internet", network = (allow = ["public", "private", "local"])),
  ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "main") ],
);

const worker :Workerd.Worker = (
  modules = [
    ${mods}
  ],
  compatibilityDate = "2026-11-01",
  bindings = [
    ${binds}
  ],
);
`;
}
