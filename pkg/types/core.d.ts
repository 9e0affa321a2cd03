// The core module's options and results, for TypeScript: the shapes that the wasm-bindgen
// classes (TailscaleClient, KeysApi, ... DeviceProvisioning) take and return, which are JS objects
// rather than Rust types (those come from ts-rs: dist/models.d.ts). `make build` appends this
// file to wasm-bindgen's tailscale_wasm.d.ts, whose signatures name these types.
import type { Key, OAuthApp, ValidationIssue, CreateAuthKeyOptions, OAuthClientOptions, FederatedIdentityOptions, OAuthAppOptions, Device, DevicePostureAttributes, AttributeValue, SetAttributeOptions, UpdateAttributesOptions, User } from "../models.js";
import type { PolicyDocument, AccessModel, AccessChange } from "./tailscale_wasm_policy.js";

// ---- client ----
/** Options for `new TailscaleClient(...)`. Pass exactly one of `apiKey`, `oauth`, `federated`. */
export interface TailscaleClientOptions {
  /** An API access token (`tskey-api-...`), sent as `Authorization: Bearer`. */
  apiKey?: string;
  /** OAuth client credentials, exchanged at POST /api/v2/oauth/token for short-lived tokens. */
  oauth?: OAuthCredentials;
  /** Workload identity federation: POST /api/v2/oauth/token-exchange with an OIDC ID token. */
  federated?: FederatedCredentials;
  /** The tailnet. Default `"-"`, the token's own tailnet. */
  tailnet?: string;
  /** Default `"https://api.tailscale.com"`; requests go to `${baseUrl}/api/v2/...`. Must be
   *  `https://`, or `http://` on localhost, 127.0.0.0/8 or [::1]; never with a user name or
   *  password. */
  baseUrl?: string;
  /** Allows a plain `http://` baseUrl to a host that is not loopback, where the credential
   *  crosses the network in clear text. Default false. */
  allowInsecureHttp?: boolean;
  /** Per attempt, in ms. Default 30000. */
  timeoutMs?: number;
  /** Extra attempts after the first, default 2; 0 disables retries. */
  maxRetries?: number;
  /** Requests in flight at once from this client, default 8. */
  maxConcurrency?: number;
  /** Sent where the runtime allows it (Node). Default `"tailscale-wasm/<version>"`. */
  userAgent?: string;
  /** Responses larger than this many bytes are refused with `TailscaleResponseError`, from 1
   *  to 268435456 (256 MiB). Default 67108864 (64 MiB). */
  maxResponseBytes?: number;
  /** Called instead of the global `fetch`, with one `Request` (for a mock in tests, a proxy
   *  dispatcher, logging). It must resolve to a `Response`. Redirects stay unfollowed (the
   *  request says `redirect: "manual"`), and `timeoutMs` and aborts hold even if it ignores
   *  the request's signal. Default: the global `fetch`. */
  fetch?: FetchFunction;
}

/** What the `fetch` option takes: the standard `fetch` signature, so the global `fetch`, a
 *  wrapper written `(input, init) => fetch(input, init)` (as other clients' fetch options are),
 *  or a mock. The package calls it with one `Request` and no `init`, and it must resolve to a
 *  `Response`. */
export type FetchFunction = (input: Request, init?: RequestInit) => Promise<Response>;

/** What `client.request` sends. */
export interface RequestOptions extends CallOptions {
  /** The HTTP method. */
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** The path under `/api/v2`, such as `/device/${encodeURIComponent(id)}/routes`;
   *  `{tailnet}` becomes the client's tailnet. No query, no `.` or `..` segment. */
  path: string;
  /** Query parameters; a list repeats its parameter. `undefined` and `null` are left out. */
  query?: Record<string, string | number | boolean | (string | number | boolean)[] | null | undefined>;
  /** A JSON body (sent as `application/json`). Not on GET. */
  body?: unknown;
  /** Whether sending the request twice does no harm, so that 502, 503, 504, a dropped
   *  connection and a timeout may be retried. Default: true for GET, PUT and DELETE, false
   *  for POST and PATCH. */
  idempotent?: boolean;
}

export interface TailscaleClient {
  /**
   * Sends a request to any API endpoint, wrapped by this package or not, with the client's
   * credentials, transport rules, retries, timeouts, size cap and typed errors. Resolves to
   * the decoded JSON body, or `undefined` for an empty one. Rejects with
   * `TailscaleValidationError` before sending when an option is wrong.
   * @example
   * const routes = await client.request<{ advertisedRoutes: string[] }>({ method: "GET", path: `/device/${id}/routes` });
   */
  request<T = unknown>(options: RequestOptions): Promise<T>;
}

/** OAuth client credentials. Tokens are cached and re-minted 60 s before they expire. */
export interface OAuthCredentials {
  /** The OAuth client's ID. */
  clientId: string;
  /** The client secret (`tskey-client-...`); never shown in errors or logs. */
  clientSecret: string;
  /** Scopes to ask for (form field `scope`). Default: all of the client's scopes. */
  scopes?: string[];
  /** Tags to ask for (form field `tags`). Default: the client's tags. */
  tags?: string[];
}

/** A federated identity and the OIDC ID token that proves it. */
export interface FederatedCredentials {
  /** The federated identity's client ID. */
  clientId: string;
  /** The ID token (a JWT), or a function returning one, called again for every exchange.
   *  An expired token is refused before anything is sent. */
  idToken: string | (() => string | Promise<string>);
}

/** What `JSON.stringify(client)` shows: settings only, never credentials. */
export interface ClientSummary {
  /** The tailnet the client addresses. */
  tailnet: string;
  /** The API origin. */
  baseUrl: string;
  /** `"apiKey"`, `"oauth"` or `"federated"`. */
  authMode: string;
}

/** The optional last argument of every method. */
export interface CallOptions {
  /** Aborting rejects the call with the signal's reason and stops any wait. Default none. */
  signal?: AbortSignal;
}

// ---- keys ----
/** A key as `keys.createAuthKey` and `keys.createOAuthClient` resolve to it: with its secret,
 *  `key`, which the API shows in this answer only (an answer without it is a
 *  `TailscaleResponseError`). */
export type CreatedKey = Key & {
  /** The auth key (`tskey-auth-...`) or the OAuth client's secret (`tskey-client-...`). */
  key: string;
};

/** Options for `keys.list`. */
export interface ListKeysOptions extends CallOptions {
  /** Also list keys owned by other users (`?all=true`). Default false. */
  all?: boolean;
}

// ---- oauth_apps ----
/** An OAuth app as `oauthApps.create` resolves to it: with its secret, `clientSecret`, which the
 *  API shows in this answer only (an answer without it is a `TailscaleResponseError`). */
export type CreatedOAuthApp = OAuthApp & {
  /** The app's secret (`tskey-app-...`), for `DeviceProvisioning`'s `clientSecret`. */
  clientSecret: string;
};

// ---- devices ----
/** Which fields a device carries: `"default"`, the API's subset, or `"all"`. */
export type DeviceFields = "all" | "default";

/** Options for `devices.list`. */
export interface ListDevicesOptions extends CallOptions {
  /** `"all"` or `"default"`. Default: the API's default subset. */
  fields?: DeviceFields;
  /** Top-level device properties to match exactly, all at once (logical AND), such as
   *  `{ tags: ["tag:prod"], isEphemeral: true }`; a list matches devices that have every entry.
   *  Default: every device. */
  filter?: Record<string, string | boolean | string[]>;
}

/** Options for `devices.get`. */
export interface GetDeviceOptions extends CallOptions {
  /** `"all"` or `"default"`. Default: the API's default subset. */
  fields?: DeviceFields;
}

/** What `validateSetAttribute` checks: `setAttribute`'s options, plus the device id and the
 *  attribute key when given, so that a form can check itself whole. */
export interface SetAttributeInput extends SetAttributeOptions {
  /** The device id, if the form has it. */
  deviceId?: string;
  /** The attribute key, if the form has it. */
  key?: string;
}

// ---- users ----
/** Options for `users.list`. Each is sent only when given. */
export interface ListUsersOptions extends CallOptions {
  /** `"member"` (the API's default), `"shared"` (users of other tailnets a device was shared
   *  with) or `"all"`. */
  type?: "member" | "shared" | "all";
  /** Only users with this role, or `"all"`. */
  role?: "owner" | "member" | "admin" | "it-admin" | "network-admin" | "billing-admin" | "auditor" | "all";
}

// ---- provisioning ----
/** Options for `new DeviceProvisioning(...)`. */
export interface DeviceProvisioningOptions {
  /** The OAuth app's id (the spec's OAuthApp has no separate client id). */
  clientId: string;
  /** The OAuth app's secret (`tskey-app-...`): keep it on a server or in a CLI, never in a
   *  public web page. Never shown in errors, logs or `JSON.stringify`. */
  clientSecret: string;
  /** One of the app's `redirectURIs`, exactly: `https`, or any scheme on localhost,
   *  127.0.0.1 or [::1]. */
  redirectUri: string;
  /** Scopes to ask for. Default `["auth_keys:create:once"]`: one auth key for one device. */
  scopes?: string[];
  /** Where the consent screen is. Default `"https://login.tailscale.com"`. */
  loginUrl?: string;
  /** Where the token endpoint is. Default `"https://api.tailscale.com"`. */
  baseUrl?: string;
  /** Per attempt, in ms. Default 30000. */
  timeoutMs?: number;
  /** Extra attempts after a 429 (the only answer retried), default 2. */
  maxRetries?: number;
  /** Allows plain `http://` URLs to hosts that are not loopback. Default false. */
  allowInsecureHttp?: boolean;
  /** Responses larger than this many bytes are refused, from 1 to 268435456 (256 MiB).
   *  Default 67108864 (64 MiB). */
  maxResponseBytes?: number;
  /** Called instead of the global `fetch`, with one `Request`; as `TailscaleClient`'s option.
   *  Default: the global `fetch`. */
  fetch?: FetchFunction;
}

/** What `authorizationUrl` returns: the URL to send the person to, and the state to keep
 *  until the callback comes back. */
export interface AuthorizationRequest {
  /** `{loginUrl}/a/oauth_authorize?client_id&redirect_uri&response_type=code&scope&state`. */
  url: string;
  /** The given state, or 32 random bytes (Web Crypto) as base64url. */
  state: string;
}

/** Options for `authorizationUrl`. */
export interface AuthorizationOptions {
  /** Your own state (non-empty). Default: 32 random bytes from Web Crypto, base64url. */
  state?: string;
}

/** What `parseCallback` returns once the callback checks out. */
export interface AuthorizationCallback {
  /** The authorization code, for `exchange`: it works once, for ten minutes or so. */
  code: string;
}

/** What `exchange` resolves to. */
export interface ProvisioningGrant {
  /** A single-use auth key for the consenting user's new device:
   *  `tailscale up --auth-key=...`. Shown once; keep it like a password. */
  authKey: string;
  /** When the key stops working (ISO-8601): `expires_in` from now, an hour by default. */
  expiresAt: string;
  /** The scopes granted. */
  scopes: string[];
}

/** What `JSON.stringify(flow)` shows: settings, never the secret. */
export interface ProvisioningSummary {
  /** The OAuth app's id. */
  clientId: string;
  /** Where the consent screen sends the person back. */
  redirectUri: string;
  /** The scopes asked for. */
  scopes: string[];
  /** Where the consent screen is. */
  loginUrl: string;
  /** Where the token endpoint is. */
  baseUrl: string;
}

// ---- policy ----
/** The policy file as `policy.get` and `policy.set` give it. */
export interface PolicyFile {
  /** The file exactly as stored: HuJSON, comments included. */
  text: string;
  /** Its version, to pass back as `ifMatch` exactly as it is (quotes included). `""` when the
   *  answer carried none (a `details` read may not). */
  etag: string;
  /** With `details`: what the server found syntactically valid but nonsensical. */
  warnings?: string[] | null;
  /** With `details`: what the server could not parse. */
  errors?: string[] | null;
}

/** Options for `policy.get`. */
export interface GetPolicyOptions extends CallOptions {
  /** Also ask for the server's warnings and errors (`?details=true`). Default false. */
  details?: boolean;
}

/** What `policy.set` writes over: the version that was read, or anything. */
export type PolicyPrecondition = IfMatch | Overwrite;

/** Write only over the version that was read. */
export interface IfMatch {
  /** An etag from `policy.get`, exactly as it came, or `"ts-default"`: replace only the
   *  untouched default file. */
  ifMatch: string;
}

/** Write whatever is there. */
export interface Overwrite {
  /** Replace whatever is there, even a change made since you read it. */
  overwrite: true;
}

/** A policy file to send: HuJSON text, a `PolicyDocument` (its text), or a plain object (JSON). */
export type PolicyInput = string | PolicyDocument | Record<string, unknown>;

/** What `policy.update` resolves to. */
export interface PolicyUpdate extends PolicyFile {
  /** Rounds of read, edit and write it took (a 412 or a lost answer costs one). */
  attempts: number;
  /** Whether the file changed: false when the edit left it as it was, and nothing was sent. */
  changed: boolean;
}

/** Options for `policy.update`. */
export interface UpdatePolicyOptions extends CallOptions {
  /** Rounds before a 412 (the file keeps changing under the edit) is given up on. Default 5. */
  maxAttempts?: number;
  /** Run the edit on a fresh read and answer what it would change, writing nothing
   *  (`PolicyDryRun`). Default false. */
  dryRun?: boolean;
}

/** What `policy.update(edit, { dryRun: true })` resolves to: nothing was written. */
export interface PolicyDryRun {
  /** The text the edit leaves. */
  text: string;
  /** The version of the file the edit ran on: `policy.set(text, { ifMatch: etag })` writes
   *  exactly what was previewed, and refuses with a 412 if the file changed since. */
  etag: string;
  /** Whether it differs from the file as stored. */
  changed: boolean;
  /** Who gains and who loses access, over the tailnet as it is (`AccessModel.diff`). */
  access: AccessChange[];
}

/** Options for `policy.access`. */
export interface AccessOptions extends CallOptions {
  /** A policy file to model over the tailnet instead of the stored one. */
  text?: string;
}

export interface PolicyApi {
  /** With `dryRun: true`: what the edit would change, and nothing written. */
  update(edit: (doc: PolicyDocument) => void | string | Promise<void | string>, options: UpdatePolicyOptions & { dryRun: true }): Promise<PolicyDryRun>;
}

/** An ACL test, run by `policy.test` against the current file (the API's test shape). */
export interface PolicyTest {
  /** The user, group, tag or host to test from. */
  src: string;
  /** Posture attributes the source device has, for rules with `srcPosture`. */
  srcPostureAttrs?: Record<string, string | number | boolean>;
  /** `tcp`, `udp`...; default both. */
  proto?: string;
  /** Destinations (`host:port`) that must be allowed. */
  accept?: string[];
  /** Destinations (`host:port`) that must be refused. */
  deny?: string[];
}

/** One entry of a check's findings. */
export interface PolicyCheckEntry {
  /** Who the finding is about (a test's `src`), if anyone. */
  user?: string;
  /** What fails: a test that did not hold, a condition that does not parse. */
  errors?: string[];
  /** What passes but looks wrong, such as a group member the tailnet does not know. */
  warnings?: string[];
  /** Fields this package does not know are passed through. */
  [field: string]: unknown;
}

/** The server's verdict on a file or on tests. The endpoint answers 200 either way; `ok` reads
 *  the answer: false when any entry has errors or the message is not about warnings only. */
export interface PolicyCheck {
  /** Whether the file (or the tests) passed. */
  ok: boolean;
  /** The server's summary, such as "test(s) failed". */
  message?: string;
  /** The findings, one entry per user or test; empty when it passed. */
  data: PolicyCheckEntry[];
}

/** Which rules to preview: those for a user, or for an `ip:port`. */
export interface PreviewOptions {
  /** `"user"` (previewFor is a login) or `"ipport"` (previewFor is `100.64.0.1:80`). */
  type: "user" | "ipport";
  /** A user's login, or an `ip:port`. */
  previewFor: string;
}

/** A rule that matches in a preview. */
export interface PreviewMatch {
  /** Its sources. */
  users: string[];
  /** The destinations it allows. */
  ports: string[];
  /** The line where it starts in the file (the body is sent as HuJSON, so it is the file's). */
  lineNumber: number;
  /** The postures the rule requires of its sources (`srcPosture`), when it has any. */
  postures?: string[] | null;
  /** The routers the rule is restricted to (`via`), when it is. */
  via?: string[] | null;
  /** Fields this package does not know are passed through. */
  [field: string]: unknown;
}

/** What `policy.preview` resolves to: the candidate file's rules that match. */
export interface PolicyPreview {
  /** Each matching rule. */
  matches: PreviewMatch[];
  /** The `type` asked for. */
  type: string;
  /** The `previewFor` asked for. */
  previewFor: string;
  /** Each posture the matches name, with its conditions, when the answer carries them. */
  postures?: Record<string, string[]> | null;
  /** Fields this package does not know are passed through. */
  [field: string]: unknown;
}

/** Options for `policy.evaluatePostures`. */
export interface EvaluatePosturesOptions extends CallOptions {
  /** A policy file to evaluate instead of the tailnet's current one. */
  text?: string;
  /** Only these devices (`nodeId`s). Default: every device of the tailnet. */
  deviceIds?: string[];
}

/** One device under one posture. */
export interface PostureDeviceVerdict {
  /** The device's `nodeId`. */
  nodeId: string;
  /** Its MagicDNS name, else its hostname. */
  name: string;
  /** Whether it passes every condition of the posture. */
  matches: boolean;
  /** The conditions it failed, each with the reason in words. */
  failed: FailedCondition[];
}

/** A condition a device failed. */
export interface FailedCondition {
  /** The condition, as written. */
  condition: string;
  /** Why it failed, such as "custom:tier is not set". */
  reason: string;
}

/** One posture and every device's verdict. */
export interface PostureVerdicts {
  /** Its name, such as `posture:provisioned`. */
  name: string;
  /** Its conditions, ANDed. */
  conditions: string[];
  /** Each device of the tailnet (or of `deviceIds`) that still exists when its attributes are
   *  read: one deleted meanwhile is left out. Empty when `error` is set. */
  devices: PostureDeviceVerdict[];
  /** Present when the posture could not be evaluated: each condition that does not parse, with
   *  its index and column (`conditions[1] does not parse at column 11: expected a value after
   *  ==`), joined by `; `. The other postures are evaluated all the same. */
  error?: string;
}

/** Which devices each posture admits today, and why the others are refused. */
export interface PostureReport {
  /** Each posture of the file, in order. */
  postures: PostureVerdicts[];
  /** The file's `defaultSrcPosture`: postures applied to rules without a `srcPosture`. */
  defaultSrcPosture: string[];
}
