// webpack 5, production: the package's browser build, its .wasm emitted as an asset (webpack
// follows `new URL(..., import.meta.url)`), top-level await in an async module.
import { fileURLToPath } from "node:url";

export default {
  mode: "production",
  entry: "./main.js",
  output: { path: fileURLToPath(new URL("dist", import.meta.url)), filename: "main.js", publicPath: "/", clean: true },
};
