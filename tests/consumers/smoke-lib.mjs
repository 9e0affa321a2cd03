// One consumer-matrix row's work, the same in every runtime and module system.
// `smokeCore`: what a keys-only app does, with the core module alone: the README's quick start
// (create an auth key, list keys, delete the key) against the demo tailnet, one call of each
// resource, a validation error that is an instance of the exported class and carries its name,
// and a provisioning state from Web Crypto. `smoke`: that, then the policy file: read with its
// comments, edited by a PolicyDocument, and its postures evaluated, with the policy tools
// (`tailscale-wasm/policy`) loaded only now. `api` is the package as the row loaded it;
// `loadPolicy` how it loads the policy entry; with `autoLoads`, the row first calls
// `client.policy.evaluatePostures` with no policy import at all, as every runtime that is not a
// bundler allows (the core loads the tools).
export async function smokeCore(api, env) {
  const client = new api.TailscaleClient({ apiKey: env.TAILSCALE_API_KEY, baseUrl: env.TAILSCALE_BASE_URL });
  const key = await client.keys.createAuthKey({ reusable: true, tags: ["tag:ci"], expirySeconds: 3600, description: "ci runners" });
  const keys = await client.keys.list({ all: true });
  await client.keys.delete(key.id);
  const apps = await client.oauthApps.list();
  const devices = await client.devices.list({ filter: { tags: ["tag:router"] } });
  const users = await client.users.list({ type: "all" });
  const invalid = await client.keys.createAuthKey({ tags: ["server"] }).catch((e) => e);
  const flow = new api.DeviceProvisioning({ clientId: "a1", clientSecret: "s", redirectUri: "http://127.0.0.1:8765/callback" });
  return {
    created: key.key.startsWith("tskey-auth-"),
    keys: keys.length,
    apps: apps.length,
    devices: devices.map((d) => d.hostname),
    users: users.length > 0 && users.every((u) => typeof u.loginName === "string"),
    // The name survives a bundler's minifier, which renames classes.
    typed: invalid instanceof api.TailscaleValidationError && invalid.issues[0]?.field === "tags[0]" && invalid.name === "TailscaleValidationError",
    state: flow.authorizationUrl().state.length,
  };
}

export async function smoke(api, env, { loadPolicy, autoLoads = false }) {
  const core = await smokeCore(api, env);
  const client = new api.TailscaleClient({ apiKey: env.TAILSCALE_API_KEY, baseUrl: env.TAILSCALE_BASE_URL });
  const policy = await client.policy.get();
  // Before any policy import: the core loads the tools itself where the runtime lets it.
  const early = autoLoads ? await client.policy.evaluatePostures() : undefined;
  const tools = await loadPolicy();
  const doc = tools.PolicyDocument.parse(policy.text);
  doc.setPosture("posture:linux", ["node:os == 'linux'"]);
  const report = await client.policy.evaluatePostures({ text: doc.toString() });
  const linux = report.postures.find((p) => p.name === "posture:linux");
  const condition = tools.parsePostureCondition("node:tsVersion >= '1.60'");
  return {
    ...core,
    typed: core.typed && tools.TailscaleValidationError === api.TailscaleValidationError,
    lazy: !autoLoads || early.postures.length > 0,
    policy: policy.text.includes("// Who is who") && doc.toString().includes("// Who is who") && doc.check().length === 0,
    postures: linux.devices.filter((d) => d.matches).length > 0 && linux.devices.some((d) => !d.matches),
    condition: condition.operator === ">=" && tools.evaluatePosture(["node:tsVersion >= '1.60'"], { "node:tsVersion": "1.9.1" }).matches === false,
  };
}

/** What every core-only row must print. */
export const EXPECTED_CORE = { created: true, apps: 1, devices: ["lab-router"], users: true, typed: true, state: 43 };
/** What every row with the policy tools must print. */
export const EXPECTED = { ...EXPECTED_CORE, lazy: true, policy: true, postures: true, condition: true };
