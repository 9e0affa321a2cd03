//! The access engine (`AccessModel`): who can reach what under a policy file, offline.

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
    AccessChange, Blocked, Change, DeviceRef, Endpoint, Gated, Leak, Outcome, Reacher, Verdict,
};
pub use postures::FailedCondition;
pub use query::{Kind3 as QueryKind, Query};
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
