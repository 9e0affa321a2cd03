//! The access engine: who can reach what under a policy file, offline and exactly.
//!
//! [`AccessModel::build`] compiles a policy (HuJSON text) against the tailnet's devices, users
//! and posture attributes once: every selector resolves once to a set of addresses (devices by
//! identity, the rest as IPv4/IPv6 interval sets), every rule to (sources, destinations, ports
//! per protocol, posture gate) with its section, index and line. Queries are then lookups:
//! `reach` one evaluation of the few rules that name the destination, `who_can_reach` one pass
//! over those rules' sources, `diff` a comparison of rule sets cut at every port boundary.
//! Semantics are Tailscale SaaS's as recorded in headscale's captures (CONFORMANCE.md: every
//! acl, grant and routes probe agrees): rules are a union with no order and no deny, `grants`
//! and `acls` add up, a packet is judged as `wgengine/filter` judges it at the node that
//! receives it (ping rides on any open port), and a route needs both its approval and a rule.
//! What the model cannot know is `indeterminate`, with the reason, never a guess.
//!
//! # The Rust API (what the wasm binding wraps)
//!
//! | Rust | JS (contract: API.md, "Additions (fourth round)") |
//! |---|---|
//! | [`AccessModel::build`]`(policy, &devices, users, attributes) -> Result<AccessModel, Vec<Issue>>` | `AccessModel.build({ policy, devices, users?, attributes? })` |
//! | [`AccessModel::issues`], [`AccessModel::warnings`] `-> &[Issue]` | `model.issues` (errors; warnings as the binding chooses) |
//! | [`Query::parse`]`(json, QueryKind::Reach)` then [`AccessModel::reach`] `-> Result<Verdict, Vec<Issue>>` | `model.reach({ src, dst, proto?, port? })` |
//! | [`Query::parse`]`(json, QueryKind::WhoCanReach)` then [`AccessModel::who_can_reach`] `-> Result<Vec<Reacher>, _>` | `model.whoCanReach({ dst, proto?, port? })` |
//! | [`Query::parse`]`(json, QueryKind::Gated)` then [`AccessModel::gated`] `-> Result<Gated, _>` | `model.gated({ dst, posture, proto?, port? })` |
//! | [`AccessModel::run_tests`]`(Option<&tests>) -> Result<PolicyCheck, _>` | `model.runTests(tests?)` |
//! | [`AccessModel::diff`]`(&before, &after) -> Result<Vec<AccessChange>, Vec<Issue>>` | `AccessModel.diff(before, after)` |
//!
//! `Err(Vec<Issue>)` is a bad argument (a `TailscaleValidationError`). Every answer derives
//! `serde::Serialize`, and its serde form is the JSON the contract names:
//!
//! ```text
//! Verdict      { verdict: "accept"|"drop"|"indeterminate", rules: RuleRef[],
//!                blockedBy?: Blocked[], reason?: string }
//! RuleRef      { section: "grants"|"acls"|"default", index: number, line: number }
//! Blocked      { section, index, line, failed: { posture, condition, reason }[] }
//! Reacher      { device: DeviceRef, ...Verdict }
//! DeviceRef    { nodeId: string, name: string }
//! Gated        { gated: "accept"|"drop"|"indeterminate", leaks: Leak[], unknown: Leak[] }
//! Leak         { src: DeviceRef | string, rules: RuleRef[], reason?: string }
//! PolicyCheck  { ok: boolean, message?: string, data: { user, errors?, warnings? }[] }
//! AccessChange { change: "gained"|"lost", src: DeviceRef[], dst: DeviceRef | string,
//!                proto: string, ports: string, indeterminate?: true }
//! Issue        { field: string, message: string, line?: number, column?: number }
//! ```
//!
//! # Conventions
//!
//! - **Queries.** `src` and `dst` are a device's `nodeId` or an IP address (a device's, a host
//!   behind a subnet route, anything). `proto` is `tcp` (default), `udp`, `icmp`, another IANA
//!   name (`sctp`, `gre`, `esp`, ...) or a number 0–255; `icmp` means ping in the destination's
//!   family (ICMPv6 toward an IPv6 address). `port` is 0–65535, ignored for ICMP; absent, it
//!   means any port of the protocol. A destination `nodeId` is asked over each family both ends
//!   have: `accept` when one is accepted (a `reason` names a family that is not), else
//!   `indeterminate` when one is, else `drop`.
//! - **`rules`** lists each admitting rule once, in file order; `index` is 0-based in its
//!   section, `line` 1-based. The `default` section is the allow-all of a file with neither
//!   `acls` nor `grants` (line 0): SaaS delivers `*` to `*` for such files.
//! - **`reason`** is set for `indeterminate`, and as a note on `drop` when nothing routes the
//!   destination, or on `accept` when the families of a device disagree.
//! - **Indeterminate** where the outcome depends on what the model cannot know: a device with
//!   no `attributes` entry whose posture decides; an `ip:` attribute (computed by the server);
//!   SCIM groups (`group:x@domain`); `svc:` destinations; `autogroup:shared` sources outside the
//!   device list; role autogroups without a user list; `via` toward an exit node or a device's
//!   own address; a rule field, selector or autogroup this engine does not know (named); traffic
//!   that never crosses the tailnet (to itself, to a router's own subnet); a device shared in
//!   from another tailnet as destination (its own tailnet decides); an unparsable policy.
//! - **Postures.** `srcPosture` (any listed posture) replaces `defaultSrcPosture`;
//!   `srcPosture: []` is read as absent (a warning says so where a default exists). A key absent
//!   from a device's `attributes` entry is unset. Shared-in devices and hosts behind subnet
//!   routers are exempt.
//! - **`runTests`.** The file's `tests` and `sshTests` (or the given tests, ACL tests only).
//!   Failure lines are SaaS's (`[acl test error]: address "tag:prod:443" (protocol "tcp"): want:
//!   Accept, got: Drop`; `[ssh test error]: src ... want: "accept" got: "deny"`), one entry per
//!   `src` in order of first appearance; malformed tests fail with our own line
//!   (`[acl test error]: address "x": <why>`); an undecidable assertion is a warning
//!   `indeterminate: <why>` and makes `ok` false with `message: "warning(s) found"`. A refused
//!   file answers `{ ok: false, message: <its first issue> }`.
//! - **`diff`.** Devices are matched by `nodeId`. One change per destination, protocol and set
//!   of sources, with every port range where that set gains (or loses); `dst` is the device when
//!   both of its addresses change alike, else the address; routed destinations are address
//!   ranges (`10.0.0.0/24`, or `first-last`). Sources are devices only. `indeterminate: true`
//!   marks a change one side cannot confirm. A side whose text does not parse is refused (`Err`,
//!   a `TailscaleValidationError` in JS) with its parse error under `before` or `after`, rather
//!   than read as every rule gone.
//! - **Issues** carry SaaS's words where the captures recorded them (every refused acl, grant,
//!   ssh and nodeAttrs capture but five domain checks), our words otherwise, a `field` such as
//!   `grants[0].dst[1]` and the place in the text. A rule that refers to something undefined is
//!   left out; the others still answer. `warnings` hold what SaaS accepts but the model cannot
//!   judge (a domain's association, an unknown field) or what looks wrong (an ipset whose order
//!   matters).
//! - **`whoCanReach`** lists each source device once: `accept`, `indeterminate`, or `drop` with
//!   `blockedBy` (only a posture stops it). The destination itself and devices whose traffic to
//!   it never crosses the tailnet (a router to its own subnet) are not listed.
//! - **`gated`** answers `accept` when no device without the posture reaches the destination
//!   through any rule (with `proto`/`port`, else any traffic), `drop` with the `leaks` (devices,
//!   and source ranges that are no device, such as approved subnets, which postures never
//!   check), `indeterminate` when only `unknown` sources (attributes not given) stand between.
//!
//! # Decisions where Tailscale's documentation is silent
//!
//! - `app`-only grants admit no packets (SaaS delivers no filter for them: capture grant-a1).
//! - `user:*@domain` is the domain's users (grant-k20, grant-k21), with a warning that the
//!   domain must be the tailnet's.
//! - `ipsets` apply their operations in order from the empty set (kb/1387: "processed in
//!   order"); bare entries only in a set of adds. A host in an IP set is written bare or as
//!   `host:<name>` (kb/1387 says only "host"): both are read alike.
//! - `autogroup:admin` includes the owner (nodeattrs-target-a10); the other roles are exact.
//! - `via` is modelled for subnet routers only (a via grant goes to the routers carrying one
//!   of its tags: all 40 via captures); exit nodes and a device's own address are
//!   indeterminate.
//! - An address no device has and no approved route covers goes through an approved exit node
//!   if there is one (then `*` admits it, `autogroup:internet` only public space), else nowhere.

mod addr;
mod checks;
mod defs;
mod diff;
mod inventory;
mod issues;
mod model;
mod output;
mod ports;
mod postures;
mod query;
mod rules;
mod selectors;
mod ssh;
mod tailnet;

pub use checks::{CheckEntry, PolicyCheck};
pub use inventory::{Device, Inventory, User};
pub use model::AccessModel;
pub use output::{
    AccessChange, Blocked, Change, DeviceRef, Endpoint, Failures, Gated, Leak, Outcome, Reacher,
    Verdict,
};
pub use postures::FailedCondition;
pub use query::{Query, QueryKind};
pub use rules::{RuleRef, Section};

use tailscale_wire::error::Issue;
use tailscale_wire::json::Json;

impl AccessModel {
    /// `AccessModel.build`: the policy text (HuJSON), the devices, and optionally the users and
    /// the posture attributes, as the API returns them. `Err` lists every problem with the
    /// arguments; a policy that does not parse or refers to what it does not define is a model
    /// whose [`AccessModel::issues`] say so.
    pub fn build<J: Json>(
        policy: &str,
        devices: &J,
        users: Option<&J>,
        attributes: Option<&J>,
    ) -> Result<AccessModel, Vec<Issue>> {
        let inventory = Inventory::read(devices, users, attributes)?;
        Ok(AccessModel::new(policy, inventory))
    }
}
