// Declarations for CommonJS (`require`); index.d.ts is the ESM twin.
export {
  TailscaleClient,
  DeviceProvisioning,
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
} from "./dist/node/tailscale_wasm.js";
// The resource classes are types only: a client makes them (`client.keys`); they are not built
// or imported as values.
export type { KeysApi, OAuthAppsApi, DevicesApi } from "./dist/node/tailscale_wasm.js";
export type { CreatedKey, CreatedOAuthApp, TailscaleClientOptions, OAuthCredentials, FederatedCredentials, ClientSummary, CallOptions, ListKeysOptions, ListDevicesOptions, GetDeviceOptions, DeviceFields, SetAttributeInput, DeviceProvisioningOptions, AuthorizationOptions, AuthorizationRequest, AuthorizationCallback, ProvisioningGrant, ProvisioningSummary } from "./dist/node/tailscale_wasm.js";
export type * from "./dist/node/models.js";
export * from "./dist/errors.cjs";
