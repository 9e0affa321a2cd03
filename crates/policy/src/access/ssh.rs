//! `ssh` rules, read for `sshTests` (placeholder until the SSH model lands).

use super::defs::Defs;
use super::issues::Found;
use super::postures::Gates;
use super::tailnet::Tailnet;
use crate::hujson::Node;

#[derive(Debug, Default)]
pub struct SshPolicy {}

impl SshPolicy {
    pub fn read(
        _root: &Node<'_>,
        _defs: &Defs,
        _tailnet: &Tailnet,
        _gates: &mut Gates,
        _found: &mut Found,
    ) -> SshPolicy {
        SshPolicy {}
    }
}
