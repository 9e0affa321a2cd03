// webpack 5, production: the package's browser build, its .wasm emitted as an asset (webpack
// follows `new URL(..., import.meta.url)`), top-level await in an async module. `--env app=core`
// builds the core-only app into dist-core; the default builds the policy app into dist.
import { fileURLToPath } from "node:url";

export default (env = {}) => {
  const app = env.app === "core" ? "core" : "main";
  const out = app === "core" ? "dist-core" : "dist";
  return {
    mode: "production",
    entry: `./${app}.js`,
    output: { path: fileURLToPath(new URL(out, import.meta.url)), filename: "main.js", publicPath: "/", clean: true },
  };
};
