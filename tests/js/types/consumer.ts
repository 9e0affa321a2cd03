// Type-checked with tsc against the installed tarball's declarations: every method and error
// class, plus lines that must NOT compile, proving the types are not `any`.
import {
  TailscaleClient,
  TailscaleError,
  TailscaleApiError,
  TailscaleValidationError,
  TailscaleNetworkError,
  TailscaleTimeoutError,
  TailscaleResponseError,
  TailscaleAuthorizationError,
  DeviceProvisioning,
  type ProvisioningGrant,
  validateCreateAuthKey,
  validateCreateOAuthClient,
  validateCreateFederatedIdentity,
  validateOAuthApp,
  validateTag,
  validateScope,
  validateNodeAttribute,
  validateRedirectUri,
  validateAttributeKey,
  validateAttributeValue,
  validateSetAttribute,
  validateUpdateAttributes,
  type Device,
  type DevicePostureAttributes,
  type AttributeValue,
  type ListDevicesOptions,
  type Key,
  type CreatedKey,
  type OAuthApp,
  type CreatedOAuthApp,
  type ValidationIssue,
  type TailscaleClientOptions,
} from "tailscale-wasm";

async function main(): Promise<void> {
  const options: TailscaleClientOptions = { apiKey: "tskey-api-x", tailnet: "-", timeoutMs: 1000, maxRetries: 1, maxConcurrency: 2, allowInsecureHttp: false };
  const client = new TailscaleClient(options);
  new TailscaleClient({ oauth: { clientId: "c", clientSecret: "s", scopes: ["auth_keys"], tags: ["tag:ci"] } });
  new TailscaleClient({ federated: { clientId: "c", idToken: async () => "a.b.c" } });
  const signal = new AbortController().signal;

  const keys: Key[] = await client.keys.list({ all: true, signal });
  const key: Key = await client.keys.get(keys[0].id, { signal });
  // The README's quick start: a create's answer carries its id and its secret.
  const created: CreatedKey = await client.keys.createAuthKey({ reusable: true, ephemeral: false, preauthorized: true, tags: ["tag:a"], expirySeconds: 3600, description: "d" });
  const secret: string = created.key;
  await client.keys.delete(created.id);
  const oauthClient: CreatedKey = await client.keys.createOAuthClient({ scopes: ["all:read"], tags: [], description: "x" });
  const federated: Key = await client.keys.createFederatedIdentity({ scopes: ["all:read"], issuer: "https://i", subject: "s", audience: "a", customClaimRules: { env: "prod" } });
  await client.keys.setOAuthClient(oauthClient.id, { scopes: ["all"] });
  await client.keys.delete(federated.id);
  await client.keys.setOAuthClient("k", { scopes: ["all:read"] });
  await client.keys.setFederatedIdentity("k", { scopes: ["all:read"], issuer: "https://i", subject: "s" });
  const gone: void = await client.keys.delete("k");

  const apps: OAuthApp[] = await client.oauthApps.list();
  const app: CreatedOAuthApp = await client.oauthApps.create({ name: "app", redirectURIs: ["https://a/cb"], scopes: ["all"], allowedNodeAttributes: ["custom:x"] });
  const clientSecret: string = app.clientSecret;
  const again: OAuthApp = await client.oauthApps.get(app.id);
  await client.oauthApps.delete(apps[0].id);
  await client.oauthApps.update("a", { name: "app", redirectURIs: ["https://a/cb"], scopes: ["all"] });
  await client.oauthApps.delete("a", { signal });

  const listOptions: ListDevicesOptions = { fields: "all", filter: { tags: ["tag:prod"], isEphemeral: false, os: "linux" }, signal };
  const devices: Device[] = await client.devices.list(listOptions);
  const device: Device = await client.devices.get(devices[0].nodeId, { fields: "default" });
  await client.devices.setAttribute(device.nodeId, "custom:seen", { value: true });
  const tags: string[] | null | undefined = device.tags;
  const attrs: DevicePostureAttributes = await client.devices.getAttributes("n", { signal });
  const score: AttributeValue | undefined = attrs.attributes?.["custom:score"];
  await client.devices.setAttribute("n", "custom:score", { value: 80, expiry: "2026-12-01T00:00:00Z", comment: "c" });
  const removed: void = await client.devices.deleteAttribute("n", "custom:score");
  const patched: void = await client.devices.updateAttributes({ nodes: { n: { "custom:a": { value: true }, "custom:b": null } }, comment: "c" });
  void [tags, score, removed, patched];

  const flow = new DeviceProvisioning({ clientId: "a", clientSecret: "tskey-app-a-s", redirectUri: "http://127.0.0.1:8765/callback", scopes: ["auth_keys:create:once"], loginUrl: "https://login.tailscale.com", timeoutMs: 5000, maxRetries: 1 });
  const { url, state }: { url: string; state: string } = flow.authorizationUrl({ state: "s" });
  const { code }: { code: string } = flow.parseCallback(new URL(url), state);
  const grant: ProvisioningGrant = await flow.exchange(code, { signal });
  const authKey: string = grant.authKey;
  const summary: { clientId: string; loginUrl: string } = flow.toJSON();
  void [authKey, summary, grant.expiresAt, grant.scopes];
  try {
    flow.parseCallback("/cb?error=access_denied", state);
  } catch (e) {
    if (e instanceof TailscaleAuthorizationError) {
      const why: string = e.error;
      const more: string | undefined = e.description;
      void [why, more];
    }
  }

  const issues: ValidationIssue[] = [
    ...validateCreateAuthKey({}),
    ...validateCreateOAuthClient({ scopes: [] }),
    ...validateCreateFederatedIdentity({ scopes: [], issuer: "", subject: "" }),
    ...validateOAuthApp({ name: "", redirectURIs: [], scopes: [] }),
    ...validateTag("tag:a"),
    ...validateScope("all"),
    ...validateNodeAttribute("custom:a"),
    ...validateRedirectUri("https://a"),
    ...validateAttributeKey("custom:a"),
    ...validateAttributeValue(5),
    ...validateSetAttribute({ deviceId: "n", key: "custom:a", value: "x" }),
    ...validateUpdateAttributes({ nodes: {} }),
  ];
  const first: string | undefined = issues[0]?.field;

  try {
    await client.keys.list();
  } catch (e) {
    if (e instanceof TailscaleApiError) {
      const n: number = e.status;
      const after: number | undefined = e.retryAfterMs;
      const m: "GET" | "POST" | "PUT" | "PATCH" | "DELETE" = e.method;
      const location: string | undefined = e.location;
      void [n, after, m, e.path, e.data, location];
    } else if (e instanceof TailscaleValidationError) {
      const list: ValidationIssue[] = e.issues;
      void list;
    } else if (e instanceof TailscaleTimeoutError) {
      const ms: number = e.timeoutMs;
      void ms;
    } else if (e instanceof TailscaleResponseError) {
      void e.status;
    } else if (e instanceof TailscaleNetworkError || e instanceof TailscaleError) {
      void e.cause;
    }
  }
  const asJson: { tailnet: string; baseUrl: string; authMode: string } = client.toJSON();
  void [key, secret, gone, apps, clientSecret, again, first, asJson];

  // The declarations reject wrong argument types.
  // @ts-expect-error expirySeconds is a number
  await client.keys.createAuthKey({ expirySeconds: "3600" });
  // @ts-expect-error tags is a list of strings
  await client.keys.createAuthKey({ tags: "tag:a" });
  // @ts-expect-error scopes are required for an OAuth client
  await client.keys.createOAuthClient({ tags: ["tag:a"] });
  // @ts-expect-error issuer and subject are required
  await client.keys.createFederatedIdentity({ scopes: ["all"] });
  // @ts-expect-error redirectURIs is required
  await client.oauthApps.create({ name: "app", scopes: ["all"] });
  // @ts-expect-error ids are strings
  await client.keys.get(42);
  // @ts-expect-error all is a boolean
  await client.keys.list({ all: "true" });
  // @ts-expect-error a Key has no such field
  void keys[0]?.secretKey;
  // @ts-expect-error timeoutMs is a number
  new TailscaleClient({ apiKey: "k", timeoutMs: "5s" });
  // @ts-expect-error an attribute value is a string, a number or a boolean
  await client.devices.setAttribute("n", "custom:a", { value: [1] });
  // @ts-expect-error fields is "all" or "default"
  await client.devices.list({ fields: "some" });
  // @ts-expect-error filter values are strings, booleans or lists of strings
  await client.devices.list({ filter: { tags: 5 } });
  // @ts-expect-error a Device has no such field
  void devices[0]?.deviceName;
  // @ts-expect-error the client secret is required
  new DeviceProvisioning({ clientId: "a", redirectUri: "https://a/cb" });
  // @ts-expect-error parseCallback needs the state
  flow.parseCallback("/cb?code=x");
  // @ts-expect-error the result of delete is void
  const n: number = await client.oauthApps.delete("a");
  void n;
}
void main;
