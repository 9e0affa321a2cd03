//! Long answers written compactly for the package's JS to build (`pkg/answers.js`): a list of
//! ten thousand sources costs a few calls across the boundary, not a hundred thousand
//! (BENCHMARKS.md, whoCanReach). The layout is the decoder's; change both together.

use js_sys::{Array, Function, Uint32Array};
use std::cell::RefCell;
use tailscale_policy::access::{self, Failures, RuleRef, Section, Verdict};
use wasm_bindgen::prelude::*;

thread_local! {
    /// `(numbers, text, names) => Reacher[]`, from the entry's `__setup`.
    static REACHERS: RefCell<Option<Function>> = const { RefCell::new(None) };
}

pub fn set_decoders(reachers: Option<Function>) {
    REACHERS.with(|r| *r.borrow_mut() = reachers);
}

/// Numbers, and the strings' text back to back (each string's length, in UTF-16 units as JS
/// counts, is a number). A list of failed conditions the engine shares between sources (they
/// fail alike) is sent once: `2 * length` and its strings the first time, `2 * i + 1` for the
/// i-th list sent before; the decoder still makes fresh objects for each source.
#[derive(Default)]
struct Compact {
    numbers: Vec<u32>,
    text: String,
    /// The lists sent, by address (each held by the answer while it is written), sorted, with
    /// their place in the order sent.
    sent: Vec<(usize, u32)>,
}

impl Compact {
    fn failed(&mut self, failed: &Failures) {
        let at = Failures::as_ptr(failed) as usize;
        match self.sent.binary_search_by_key(&at, |(p, _)| *p) {
            Ok(found) => {
                let i = self.sent.get(found).map_or(0, |(_, i)| *i);
                self.numbers.push(i.saturating_mul(2).saturating_add(1));
            }
            Err(place) => {
                let i = u32::try_from(self.sent.len()).unwrap_or(u32::MAX);
                self.sent.insert(place, (at, i));
                self.count(failed.len().saturating_mul(2));
                for f in failed.iter() {
                    self.string(&f.posture);
                    self.string(&f.condition);
                    self.string(&f.reason);
                }
            }
        }
    }
    fn string(&mut self, s: &str) {
        let units = if s.is_ascii() {
            s.len()
        } else {
            s.encode_utf16().count()
        };
        self.count(units);
        self.text.push_str(s);
    }
    fn count(&mut self, n: usize) {
        self.numbers.push(u32::try_from(n).unwrap_or(u32::MAX));
    }
    fn rule(&mut self, r: &RuleRef) {
        self.numbers.push(match r.section {
            Section::Grants => 0,
            Section::Acls => 1,
            Section::Default => 2,
        });
        self.numbers.push(r.index);
        self.numbers.push(r.line);
    }
}

/// `whoCanReach`'s answer: per source, its device (an index into `names`), verdict, rules,
/// blockedBy (each with its failed conditions) and reason. `names` (the model's, empty until its
/// first answer) is filled by the decoder with each device's `nodeId` and name, sent once.
pub fn reachers(
    model: &access::AccessModel,
    names: &Array,
    list: &[(u32, Verdict)],
) -> Result<JsValue, JsValue> {
    let Some(decode) = REACHERS.with(|r| r.borrow().clone()) else {
        // The glue was loaded without the package's entry, which registers the decoder.
        return Err(js_sys::Error::new(
            "tailscale-wasm/policy: load it through the package's entry",
        )
        .into());
    };
    let mut out = Compact::default();
    let devices = model.devices().len();
    // Sent until the list is whole (an answer cut short by an error leaves it part-filled).
    if names.length() as usize != devices.saturating_mul(2) {
        out.numbers.push(1);
        out.count(devices);
        for d in 0..u32::try_from(devices).unwrap_or(u32::MAX) {
            let (node_id, name) = model.device_names(d);
            out.string(node_id);
            out.string(name);
        }
    } else {
        out.numbers.push(0);
    }
    // About what a source takes: a device, a verdict, a rule, a posture's failure.
    out.numbers.reserve(list.len().saturating_mul(10));
    out.count(list.len());
    for (s, v) in list {
        out.numbers.push(*s);
        out.numbers.push(match v.verdict {
            access::Outcome::Accept => 0,
            access::Outcome::Drop => 1,
            access::Outcome::Indeterminate => 2,
        });
        out.count(v.rules.len());
        for r in &v.rules {
            out.rule(r);
        }
        out.count(v.blocked_by.len());
        for b in &v.blocked_by {
            out.rule(&b.rule);
            out.failed(&b.failed);
        }
        match &v.reason {
            Some(reason) => {
                out.numbers.push(1);
                out.string(reason);
            }
            None => out.numbers.push(0),
        }
    }
    let numbers = Uint32Array::from(out.numbers.as_slice());
    decode.call3(
        &JsValue::NULL,
        &numbers,
        &JsValue::from_str(&out.text),
        names,
    )
}
