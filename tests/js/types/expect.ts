// What the declarations promise, checked with expect-type under `strict`: the fields every answer
// carries are required strings, the rest stay optional, a create's answer carries its secret, and
// the resource classes are types only. Each `@ts-expect-error` line fails the build the day it
// stops being an error.
import { expectTypeOf } from "expect-type";
import {
  TailscaleClient,
  // Imported without `type` on purpose: value uses below must still fail.
  KeysApi,
  OAuthAppsApi,
  DevicesApi,
  type Key,
  type CreatedKey,
  type OAuthApp,
  type CreatedOAuthApp,
  type Device,
  type DevicePostureAttributes,
  type ProvisioningGrant,
} from "tailscale-wasm";
import * as pkg from "tailscale-wasm";

// Required and non-null: what every answer carries (the runtime check refuses one without it).
expectTypeOf<Key["id"]>().toEqualTypeOf<string>();
expectTypeOf<OAuthApp["id"]>().toEqualTypeOf<string>();
expectTypeOf<Device["nodeId"]>().toEqualTypeOf<string>();
expectTypeOf<Pick<Key, "id">>().toEqualTypeOf<{ id: string }>();
expectTypeOf<Pick<Device, "nodeId">>().toEqualTypeOf<{ nodeId: string }>();

// Everything else stays optional: the API leaves fields out, and `fields=default` answers a subset.
expectTypeOf<Omit<Key, "id">>().toEqualTypeOf<Partial<Omit<Key, "id">>>();
expectTypeOf<Omit<OAuthApp, "id">>().toEqualTypeOf<Partial<Omit<OAuthApp, "id">>>();
expectTypeOf<Omit<Device, "nodeId">>().toEqualTypeOf<Partial<Omit<Device, "nodeId">>>();
expectTypeOf<DevicePostureAttributes>().toEqualTypeOf<Partial<DevicePostureAttributes>>();
expectTypeOf<Key["key"]>().toEqualTypeOf<string | null | undefined>();
expectTypeOf<Device["hostname"]>().toEqualTypeOf<string | null | undefined>();

// A create's answer carries its one-time secret; a federated identity has none.
expectTypeOf<CreatedKey["key"]>().toEqualTypeOf<string>();
expectTypeOf<CreatedKey["id"]>().toEqualTypeOf<string>();
expectTypeOf<CreatedOAuthApp["clientSecret"]>().toEqualTypeOf<string>();
expectTypeOf<CreatedKey>().toMatchTypeOf<Key>();
expectTypeOf<CreatedOAuthApp>().toMatchTypeOf<OAuthApp>();
expectTypeOf<ProvisioningGrant["authKey"]>().toEqualTypeOf<string>();

declare const client: TailscaleClient;
expectTypeOf(client.keys.createAuthKey).returns.resolves.toEqualTypeOf<CreatedKey>();
expectTypeOf(client.keys.createOAuthClient).returns.resolves.toEqualTypeOf<CreatedKey>();
expectTypeOf(client.keys.createFederatedIdentity).returns.resolves.toEqualTypeOf<Key>();
expectTypeOf(client.keys.setOAuthClient).returns.resolves.toEqualTypeOf<Key>();
expectTypeOf(client.oauthApps.create).returns.resolves.toEqualTypeOf<CreatedOAuthApp>();
expectTypeOf(client.oauthApps.update).returns.resolves.toEqualTypeOf<OAuthApp>();
expectTypeOf(client.keys.list).returns.resolves.toEqualTypeOf<Key[]>();
expectTypeOf(client.devices.list).returns.resolves.toEqualTypeOf<Device[]>();
expectTypeOf(client.keys.delete).parameter(0).toEqualTypeOf<string>();
expectTypeOf(client.keys.delete).returns.resolves.toEqualTypeOf<void>();

// The resource classes exist as types, for annotations, and a client holds one of each.
expectTypeOf(client.keys).toEqualTypeOf<KeysApi>();
expectTypeOf(client.oauthApps).toEqualTypeOf<OAuthAppsApi>();
expectTypeOf(client.devices).toEqualTypeOf<DevicesApi>();

async function quickStart(): Promise<void> {
  // The README's quick start, under strict, with no `!` and no `??`.
  const created = await client.keys.createAuthKey({ tags: ["tag:ci"] });
  const secret: string = created.key;
  await client.keys.delete(created.id);
  const app = await client.oauthApps.create({ name: "app", redirectURIs: ["https://a.example/cb"], scopes: ["all"] });
  const appSecret: string = app.clientSecret;
  await client.oauthApps.delete(app.id);
  for (const device of await client.devices.list()) await client.devices.getAttributes(device.nodeId);
  void [secret, appSecret];

  // Wrong uses that must not compile.
  // @ts-expect-error an id is a string, never undefined
  await client.keys.delete(undefined);
  // @ts-expect-error an id is a string, never null
  await client.oauthApps.get(null);
  // @ts-expect-error a created key's secret is there: it is not possibly undefined
  expectTypeOf(created.key).toEqualTypeOf<string | undefined>();
  // @ts-expect-error nor possibly null
  expectTypeOf(app.clientSecret).toBeNullable();
  // @ts-expect-error a federated identity has no secret to promise
  expectTypeOf<Awaited<ReturnType<typeof client.keys.createFederatedIdentity>>["key"]>().toEqualTypeOf<string>();
  // @ts-expect-error a listed key's secret is not promised (only a create shows it)
  const listed: string = (await client.keys.list())[0].key;
  // @ts-expect-error the other fields stay optional
  const description: string = created.description;
  void [listed, description];
}
void quickStart;

// The resource classes are types only: a client makes them.
// @ts-expect-error exported with `export type`: not a value
new KeysApi();
// @ts-expect-error not a value either
new OAuthAppsApi();
// @ts-expect-error nor this
void DevicesApi;
// @ts-expect-error the module has no such value
void pkg.KeysApi;

// Users: the fields every answer carries are required, the rest optional; UsersApi is a type.
import type { User, UsersApi, ListUsersOptions } from "tailscale-wasm";
expectTypeOf<User["id"]>().toEqualTypeOf<string>();
expectTypeOf<User["loginName"]>().toEqualTypeOf<string>();
expectTypeOf<User["role"]>().toEqualTypeOf<string | null | undefined>();
expectTypeOf(client.users).toEqualTypeOf<UsersApi>();
expectTypeOf(client.users.list).returns.resolves.toEqualTypeOf<User[]>();
expectTypeOf(client.users.get).returns.resolves.toEqualTypeOf<User>();
expectTypeOf<ListUsersOptions["type"]>().toEqualTypeOf<"member" | "shared" | "all" | undefined>();
// @ts-expect-error a role outside the spec's list
void client.users.list({ role: "superuser" });
