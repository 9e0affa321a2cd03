// The package loads its .wasm from its own folder at run time on the server: keep it out of
// the server bundle (the client bundle takes its browser build as usual).
export default {
  serverExternalPackages: ["tailscale-wasm"],
};
