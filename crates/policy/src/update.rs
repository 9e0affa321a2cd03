//! The decisions of `policy.update`'s read-modify-write loop: how many rounds, and what to do
//! after the edit ran and after a write failed. Every write carries `If-Match`, so a change made
//! meanwhile is never overwritten, and a write whose answer was lost is recognised on the next
//! read instead of being sent twice.

use tailscale_wire::error::Issue;
use tailscale_wire::http::Failure;
use tailscale_wire::json::Json;
use tailscale_wire::validate::{self, Input};

/// `update`'s default number of read-edit-write rounds before a 412 is given up on.
pub const DEFAULT_MAX_ATTEMPTS: u32 = 5;
const MAX_ATTEMPTS_LIMIT: u32 = 100;

/// Where `policy.update`'s loop stands: how many rounds it has run and whether a write of its
/// own may have landed unseen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpdateLoop {
    pub max_attempts: u32,
    pub attempts: u32,
    /// A write's answer was lost (a dropped connection, a timeout, a 502-504): it may have
    /// been applied, which the next read shows.
    pub maybe_written: bool,
    /// `dryRun`: the edit runs on a fresh read, and what it would change is answered instead
    /// of written.
    pub dry_run: bool,
}

/// What the loop does after the edit ran on a fresh read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterEdit {
    /// The edit changed nothing: send nothing. `changed` when an earlier write whose answer
    /// was lost has evidently landed.
    Done { changed: bool },
    /// Send the edited text with `If-Match`.
    Write,
}

/// What the loop does after a write failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterFailure {
    /// Read the file again and run the edit on it.
    Reread,
    /// Give up with this error.
    Fail,
}

impl UpdateLoop {
    /// Reads `{ maxAttempts?, dryRun?, signal? }`.
    pub fn parse<J: Json>(options: J) -> Result<UpdateLoop, Vec<Issue>> {
        let mut input = Input::new(options, "");
        input.allow("signal");
        let max = input.integer("maxAttempts");
        let dry_run = input.bool("dryRun").unwrap_or(false);
        let max_attempts = match max {
            None => DEFAULT_MAX_ATTEMPTS,
            Some(n) if (1..=i64::from(MAX_ATTEMPTS_LIMIT)).contains(&n) => n as u32,
            Some(_) => {
                input.issue("maxAttempts", "must be from 1 to 100");
                DEFAULT_MAX_ATTEMPTS
            }
        };
        validate::finish(
            input,
            UpdateLoop {
                max_attempts,
                attempts: 0,
                maybe_written: false,
                dry_run,
            },
        )
    }

    /// A new round begins with a read.
    pub fn begin_round(&mut self) {
        self.attempts = self.attempts.saturating_add(1);
    }

    pub fn after_edit(&self, unchanged: bool) -> AfterEdit {
        match unchanged {
            true => AfterEdit::Done {
                changed: self.maybe_written,
            },
            false => AfterEdit::Write,
        }
    }

    /// A 412 means someone else wrote first; a lost answer means ours may have landed. Either
    /// way the next read decides, since every write carries `If-Match` and so can never apply
    /// twice or over a change it has not seen.
    /// `failure` is what the write's error was, as far as retrying goes (`Failure::of`).
    pub fn after_failure(&mut self, failure: Option<Failure>) -> AfterFailure {
        let lost = match failure {
            Some(Failure::Status { status: 412, .. }) => false,
            Some(Failure::Status { status, .. }) if (502..=504).contains(&status) => true,
            Some(Failure::Network | Failure::Timeout) => true,
            _ => return AfterFailure::Fail,
        };
        self.maybe_written |= lost;
        match self.attempts < self.max_attempts {
            true => AfterFailure::Reread,
            false => AfterFailure::Fail,
        }
    }
}
