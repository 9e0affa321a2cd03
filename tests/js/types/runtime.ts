// Type-checked with tsc against the installed tarball's declarations: client.request, the fetch
// option, maxResponseBytes and the errors' retryable, including lines that must NOT compile.
import { TailscaleClient, DeviceProvisioning, TailscaleApiError, TailscaleNetworkError, TailscaleTimeoutError, type RequestOptions, type FetchFunction } from "tailscale-wasm";

interface DeviceRoutes {
  advertisedRoutes: string[];
  enabledRoutes: string[];
}

// A counting wrapper, the global fetch itself, and a mock: each fits the option.
let requests = 0;
const counting: FetchFunction = (request) => {
  requests++;
  return fetch(request);
};
const mock = async (request: Request): Promise<Response> => new Response(JSON.stringify({ url: request.url }));
const client = new TailscaleClient({ apiKey: "tskey-api-x", fetch: counting, maxResponseBytes: 128 * 1024 * 1024 });
new TailscaleClient({ apiKey: "tskey-api-x", fetch });
new TailscaleClient({ apiKey: "tskey-api-x", fetch: mock });
// The two-argument form every fetch wrapper uses (octokit, openai-node) compiles under strict.
new TailscaleClient({ apiKey: "tskey-api-x", fetch: (input, init) => fetch(input, init) });
new DeviceProvisioning({ clientId: "a", clientSecret: "s", redirectUri: "https://p.example/cb", fetch: (input, init) => fetch(input, init) });
const wrapped: typeof fetch = (input, init) => fetch(input, init);
new TailscaleClient({ apiKey: "tskey-api-x", fetch: wrapped });
new DeviceProvisioning({ clientId: "a", clientSecret: "s", redirectUri: "https://p.example/cb", fetch: mock, maxResponseBytes: 1024 });

export async function routes(deviceId: string): Promise<string[]> {
  const got = await client.request<DeviceRoutes>({ method: "GET", path: `/device/${encodeURIComponent(deviceId)}/routes` });
  await client.request({ method: "POST", path: `/device/${deviceId}/tags`, body: { tags: ["tag:a"] }, idempotent: true, signal: AbortSignal.timeout(1000) });
  const untyped = await client.request({ method: "GET", path: "/tailnet/{tailnet}/devices", query: { fields: "all", tags: ["tag:a", "tag:b"], limit: 10, all: true, skip: undefined } });
  // @ts-expect-error without a type argument the answer is `unknown`
  untyped.devices;
  const options: RequestOptions = { method: "DELETE", path: "/device/n1" };
  await client.request(options);
  // @ts-expect-error the method is one of five
  await client.request({ method: "TRACE", path: "/x" });
  // @ts-expect-error a path is required
  await client.request({ method: "GET" });
  // @ts-expect-error query values are scalars or lists of them
  await client.request({ method: "GET", path: "/x", query: { a: { b: 1 } } });
  // @ts-expect-error fetch takes a function
  new TailscaleClient({ apiKey: "tskey-api-x", fetch: "fetch" });
  // @ts-expect-error maxResponseBytes is a number
  new TailscaleClient({ apiKey: "tskey-api-x", maxResponseBytes: "64MiB" });
  return got.enabledRoutes;
}

export function retryable(err: unknown): boolean {
  if (err instanceof TailscaleApiError || err instanceof TailscaleNetworkError || err instanceof TailscaleTimeoutError) {
    const flag: boolean = err.retryable;
    const where: string = `${err.method} ${err.path}`;
    return flag && where.length > 0 && requests >= 0;
  }
  return false;
}
