// Node ESM shares the CommonJS instance, so `instanceof` holds across both import styles.
import api from "./index.cjs";

export const {
  TailscaleClient,
  KeysApi,
  OAuthAppsApi,
  validateCreateAuthKey,
  validateCreateOAuthClient,
  validateCreateFederatedIdentity,
  validateOAuthApp,
  validateTag,
  validateScope,
  validateNodeAttribute,
  validateRedirectUri,
  TailscaleError,
  TailscaleValidationError,
  TailscaleApiError,
  TailscaleResponseError,
  TailscaleNetworkError,
  TailscaleTimeoutError,
} = api;
