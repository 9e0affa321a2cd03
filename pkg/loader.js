// How the core module reaches the policy module in browsers, workers and bundlers. The policy
// entry (policy.js) registers itself here when it is imported, so in a bundled app the policy
// tools are whatever `import "tailscale-wasm/policy"` brought in (statically, or lazily with
// `await import(...)`); a bundler that sees no such import ships no policy wasm. Where the
// package is served as it is (an import map, a plain module script), the first call that needs
// the tools imports policy.js beside this file. That import names its target through a variable
// so that bundlers leave it alone: following it would put the policy wasm into every app.
import { TailscaleError } from "./errors.js";

let registered;
const policyEntry = "./policy.js";

/** Called by the policy entry once its wasm is ready: the policy module's exports. */
export function __register(exports) {
  registered = exports;
}

/** The policy module's exports, for the core module's `__setup`. */
export async function __loadPolicy() {
  if (registered) return registered;
  try {
    await import(/* webpackIgnore: true */ /* turbopackIgnore: true */ /* @vite-ignore */ policyEntry);
  } catch (cause) {
    throw new TailscaleError('this call needs the policy tools: import "tailscale-wasm/policy" in the app (a bundler ships only what is imported)', {}, { cause });
  }
  return registered;
}
