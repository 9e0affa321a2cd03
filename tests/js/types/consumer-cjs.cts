// CommonJS TypeScript users: `require` resolves to the CommonJS declarations.
import { TailscaleClient, TailscaleApiError, validateTag, type Key } from "tailscale-wasm";

async function main(): Promise<void> {
  const client = new TailscaleClient({ apiKey: "tskey-api-x" });
  const keys: Key[] = await client.keys.list();
  // @ts-expect-error keyId is a string
  await client.keys.get(1);
  try {
    await client.keys.get(keys[0].id);
  } catch (e) {
    if (e instanceof TailscaleApiError) void e.status;
  }
  const created = await client.keys.createAuthKey({ tags: ["tag:ci"] });
  const secret: string = created.key;
  await client.keys.delete(created.id);
  void [secret, validateTag("tag:a")];
  const hostnames: (string | null | undefined)[] = (await client.devices.list({ fields: "all" })).map((d) => d.hostname);
  void hostnames;
}
void main;

// The policy tools through `require`.
import { PolicyDocument } from "tailscale-wasm/policy";
void PolicyDocument.parse("{}").check();
