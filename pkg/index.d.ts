export {
  TailscaleClient,
  KeysApi,
  OAuthAppsApi,
  DevicesApi,
  PolicyApi,
  PolicyDocument,
  DeviceProvisioning,
  parsePostureCondition,
  evaluatePosture,
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
} from "./dist/web/tailscale_wasm.js";
export type { TailscaleClientOptions, OAuthCredentials, FederatedCredentials, ClientSummary, CallOptions, RequestOptions, FetchFunction, ListKeysOptions, ListDevicesOptions, GetDeviceOptions, DeviceFields, SetAttributeInput, DeviceProvisioningOptions, PolicyFile, GetPolicyOptions, PolicyPrecondition, PolicyInput, PolicyUpdate, UpdatePolicyOptions, PolicyTest, PolicyCheck, PolicyCheckEntry, PreviewOptions, PolicyPreview, EvaluatePosturesOptions, PostureDeviceVerdict, PostureReport, PostureCondition, PostureEvaluation, AuthorizationOptions, AuthorizationRequest, AuthorizationCallback, ProvisioningGrant, ProvisioningSummary } from "./dist/web/tailscale_wasm.js";
export type * from "./dist/models.js";
export * from "./errors.js";
