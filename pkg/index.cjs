"use strict";
// Node (CommonJS, and ESM through index.mjs): the wasm is compiled synchronously at require.
const wasm = require("./dist/node/tailscale_wasm.js");
const errors = require("./dist/errors.cjs");

wasm.__setErrorFactory(errors.__fromCore);

module.exports = {
  TailscaleClient: wasm.TailscaleClient,
  KeysApi: wasm.KeysApi,
  OAuthAppsApi: wasm.OAuthAppsApi,
  validateCreateAuthKey: wasm.validateCreateAuthKey,
  validateCreateOAuthClient: wasm.validateCreateOAuthClient,
  validateCreateFederatedIdentity: wasm.validateCreateFederatedIdentity,
  validateOAuthApp: wasm.validateOAuthApp,
  validateTag: wasm.validateTag,
  validateScope: wasm.validateScope,
  validateNodeAttribute: wasm.validateNodeAttribute,
  validateRedirectUri: wasm.validateRedirectUri,
  TailscaleError: errors.TailscaleError,
  TailscaleValidationError: errors.TailscaleValidationError,
  TailscaleApiError: errors.TailscaleApiError,
  TailscaleResponseError: errors.TailscaleResponseError,
  TailscaleNetworkError: errors.TailscaleNetworkError,
  TailscaleTimeoutError: errors.TailscaleTimeoutError,
};
