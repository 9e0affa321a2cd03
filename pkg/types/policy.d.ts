// The policy module's results, for TypeScript: what parsePostureCondition and evaluatePosture
// return. `make build` appends this file to wasm-bindgen's tailscale_wasm_policy.d.ts.
import type { ValidationIssue, Device, User } from "../models.js";
import type { PolicyCheck, PolicyTest } from "./tailscale_wasm.js";

// ---- lib ----


// ---- posture ----
/** A posture condition, parsed. */
export interface PostureCondition {
  /** `namespace:name`, such as `node:tsVersion`. */
  attribute: string;
  /** The operator, keywords in upper case. */
  operator: "==" | "!=" | "<" | "<=" | ">" | ">=" | "IN" | "NOT IN" | "IS SET" | "NOT SET";
  /** Absent for IS SET and NOT SET; a list for IN and NOT IN. */
  value?: string | number | boolean | (string | number | boolean)[];
}

/** What `evaluatePosture` returns. */
export interface PostureEvaluation {
  /** Whether every condition matched. */
  matches: boolean;
  /** Each condition's verdict. */
  conditions: ConditionVerdict[];
}

/** One condition's verdict. */
export interface ConditionVerdict {
  /** The condition, as written. */
  condition: string;
  /** Whether it matched. */
  matches: boolean;
  /** Why it did not, in words; absent when it matched. */
  reason?: string;
}

// ---- access ----
/** What `AccessModel.build` takes. */
export interface AccessModelInput {
  /** The policy file: HuJSON text, or a `PolicyDocument`. */
  policy: string | PolicyDocument;
  /** The devices, as `client.devices.list({ fields: "all" })` returns them (addresses, tags,
   *  user, `enabledRoutes`, `isExternal`...). */
  devices: Device[];
  /** The users, as `client.users.list({ type: "all" })` returns them: their roles decide
   *  `autogroup:admin` and the other role autogroups. Without them those are indeterminate. */
  users?: User[];
  /** Posture attributes by `nodeId`: each entry is that device's whole set (a key absent from
   *  it is unset). A device with no entry has attributes the model was not given, so a verdict
   *  that depends on its posture is `indeterminate`. */
  attributes?: Record<string, Record<string, string | number | boolean>>;
}

/** A destination, and the traffic asked about. */
export interface DestinationQuery {
  /** A device's `nodeId`, an address of a device, or any other address (reached through an
   *  approved subnet route or an exit node, as the policy allows). */
  dst: string;
  /** `"tcp"` (the default), `"udp"`, `"icmp"`, another IANA protocol name, or its number. */
  proto?: string | number;
  /** 0-65535; ignored for ICMP. Without it: any port. */
  port?: number;
}

/** What `reach` asks. */
export interface ReachQuery extends DestinationQuery {
  /** A device's `nodeId`, an address of one, or any address. */
  src: string;
}

/** What `gated` asks. */
export interface GateQuery extends DestinationQuery {
  /** The posture every source must pass, such as `posture:provisioned`. */
  posture: string;
}

/** A rule of the file. */
export interface RuleRef {
  /** Its section; `default` is the allow-all of a file with neither `grants` nor `acls`. */
  section: "grants" | "acls" | "default";
  /** 0-based, within its section. */
  index: number;
  /** The line where it starts, 1-based (0 for `default`). */
  line: number;
}

/** A posture condition a source fails. */
export interface PostureFailure {
  /** The posture. */
  posture: string;
  /** The condition, as written. */
  condition: string;
  /** Why it fails, in words. */
  reason: string;
}

/** A rule that would admit the packet but for the source's posture. */
export interface BlockedRule extends RuleRef {
  /** The conditions the source fails. */
  failed: PostureFailure[];
}

/** The answer to `reach`. */
export interface AccessVerdict {
  /** `indeterminate` where it depends on what the model cannot know (see `reason`). */
  verdict: "accept" | "drop" | "indeterminate";
  /** Every rule that admits the packet. */
  rules: RuleRef[];
  /** The rules that would admit it but for the source's posture. */
  blockedBy?: BlockedRule[];
  /** Why it is indeterminate; for other verdicts, a note (no route, for one). */
  reason?: string;
}

/** A device, as answers name it. */
export interface DeviceRef {
  /** Its `nodeId`. */
  nodeId: string;
  /** Its MagicDNS name, else its hostname. */
  name: string;
}

/** A source device of `whoCanReach`. */
export interface Reacher {
  /** The device. */
  device: DeviceRef;
  /** `accept`, `indeterminate`, or `drop` when only its posture stops it (see `blockedBy`). */
  verdict: "accept" | "drop" | "indeterminate";
  /** The rules that admit it. */
  rules: RuleRef[];
  /** The rules that would admit it but for its posture. */
  blockedBy?: BlockedRule[];
  /** Why it is indeterminate. */
  reason?: string;
}

/** A source that reaches a gated destination without the posture, and how. */
export interface GateLeak {
  /** A device, or an address range that is no device's (a subnet, say). */
  src: DeviceRef | string;
  /** The rules that let it. */
  rules: RuleRef[];
  /** Why the answer is indeterminate, for `unknown`. */
  reason?: string;
}

/** The answer to `gated`. */
export interface GateVerdict {
  /** `accept`: gated, no source without the posture gets through; `drop`: not gated (see
   *  `leaks`); `indeterminate`: only `unknown` stands in the way of an answer. */
  gated: "accept" | "drop" | "indeterminate";
  /** Sources that reach it without the posture, and the rules that let them. */
  leaks: GateLeak[];
  /** Sources whose answer the model cannot give, with the reason. */
  unknown: GateLeak[];
}

/** What a policy change does to one destination. */
export interface AccessChange {
  /** Whether the sources gain or lose it. */
  change: "gained" | "lost";
  /** The source devices. */
  src: DeviceRef[];
  /** The destination: a device, or an address range. */
  dst: DeviceRef | string;
  /** `tcp`, `udp`, `sctp`, `icmp`, or another protocol's number. */
  proto: string;
  /** `*`, or ports and ranges such as `22,80-443`. */
  ports: string;
  /** One side's answer is indeterminate: the change may happen. */
  indeterminate?: boolean;
}

