// One consumer-matrix row's work, the same in every runtime and module system: the README's
// quick start (create an auth key, list keys, delete the key) against the demo tailnet, one call
// of each resource, a validation error that is an instance of the exported class, and a
// provisioning state from Web Crypto, and the policy file: read with its comments, edited by a
// PolicyDocument, and its postures evaluated. `api` is the package as the row loaded it, and
// `loadPolicy` how it loads the policy tools (`tailscale-wasm/policy`) on first use.
export async function smoke(api, env, loadPolicy) {
  const client = new api.TailscaleClient({ apiKey: env.TAILSCALE_API_KEY, baseUrl: env.TAILSCALE_BASE_URL });
  const key = await client.keys.createAuthKey({ reusable: true, tags: ["tag:ci"], expirySeconds: 3600, description: "ci runners" });
  const keys = await client.keys.list({ all: true });
  await client.keys.delete(key.id);
  const apps = await client.oauthApps.list();
  const devices = await client.devices.list({ filter: { tags: ["tag:router"] } });
  const invalid = await client.keys.createAuthKey({ tags: ["server"] }).catch((e) => e);
  const flow = new api.DeviceProvisioning({ clientId: "a1", clientSecret: "s", redirectUri: "http://127.0.0.1:8765/callback" });
  const policy = await client.policy.get();
  const tools = await loadPolicy();
  const doc = tools.PolicyDocument.parse(policy.text);
  doc.setPosture("posture:linux", ["node:os == 'linux'"]);
  const report = await client.policy.evaluatePostures({ text: doc.toString() });
  const linux = report.postures.find((p) => p.name === "posture:linux");
  const condition = tools.parsePostureCondition("node:tsVersion >= '1.60'");
  return {
    created: key.key.startsWith("tskey-auth-"),
    keys: keys.length,
    apps: apps.length,
    devices: devices.map((d) => d.hostname),
    typed: invalid instanceof api.TailscaleValidationError && invalid.issues[0]?.field === "tags[0]" && tools.TailscaleValidationError === api.TailscaleValidationError,
    state: flow.authorizationUrl().state.length,
    policy: policy.text.includes("// Who is who") && doc.toString().includes("// Who is who") && doc.check().length === 0,
    postures: linux.devices.filter((d) => d.matches).length > 0 && linux.devices.some((d) => !d.matches),
    condition: condition.operator === ">=" && tools.evaluatePosture(["node:tsVersion >= '1.60'"], { "node:tsVersion": "1.9.1" }).matches === false,
  };
}

/** What every row must print. */
export const EXPECTED = { created: true, apps: 1, devices: ["lab-router"], typed: true, state: 43, policy: true, postures: true, condition: true };
