//! What the model finds wrong with a policy while compiling it: errors (what the server would
//! refuse, in SaaS's words where the captures recorded them) and warnings (what it accepts but
//! the model cannot judge, or what looks wrong), each with its field and place in the text.

use crate::hujson::Node;
use tailscale_wire::error::Issue;

/// Errors and warnings, in the order found; placed in the text once, at the end (one pass over
/// the text for all of them, however many there are).
#[derive(Debug, Default, Clone)]
pub struct Found {
    errors: Vec<(Option<usize>, Issue)>,
    warnings: Vec<(Option<usize>, Issue)>,
}

impl Found {
    pub fn error(&mut self, field: &str, node: &Node<'_>, message: impl Into<String>) {
        self.errors
            .push((Some(node.span().0), Issue::new(field, message)));
    }

    pub fn warn(&mut self, field: &str, node: &Node<'_>, message: impl Into<String>) {
        self.warnings
            .push((Some(node.span().0), Issue::new(field, message)));
    }

    pub fn warn_plain(&mut self, field: &str, message: impl Into<String>) {
        self.warnings.push((None, Issue::new(field, message)));
    }

    /// The errors and the warnings, each with its line and column in `text`.
    pub fn finish(self, text: &str) -> (Vec<Issue>, Vec<Issue>) {
        let mut offsets: Vec<usize> = self
            .errors
            .iter()
            .chain(&self.warnings)
            .filter_map(|(o, _)| *o)
            .collect();
        offsets.sort_unstable();
        offsets.dedup();
        let places = line_columns(text, &offsets);
        let place = |(o, issue): (Option<usize>, Issue)| match o {
            Some(o) => match offsets.binary_search(&o).ok().and_then(|i| places.get(i)) {
                Some(&(line, column)) => issue.at(line, column),
                None => issue,
            },
            None => issue,
        };
        (
            self.errors.into_iter().map(place).collect(),
            self.warnings.into_iter().map(place).collect(),
        )
    }
}

/// The 1-based line and column (in characters) of each sorted byte offset, in one pass.
pub fn line_columns(text: &str, sorted_offsets: &[usize]) -> Vec<(usize, usize)> {
    let mut out = Vec::with_capacity(sorted_offsets.len());
    let (mut line, mut column) = (1, 1);
    let mut chars = text.char_indices().peekable();
    for &target in sorted_offsets {
        while let Some(&(i, c)) = chars.peek() {
            if i >= target {
                break;
            }
            if c == '\n' {
                line += 1;
                column = 1;
            } else {
                column += 1;
            }
            chars.next();
        }
        out.push((line, column));
    }
    out
}
