//! src/hujson.rs: round trips, standardization, edits that keep every comment, exact output of
//! each edit on a commented policy, syntax errors with their place, and agreement with
//! Microsoft's jsonc-parser (npm) as an independent reader.

use proptest::prelude::*;
use proptest::sample::Index;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, TestRunner};
use serde_json::Value;
use std::io::Write;
use std::process::{Command, Stdio};
use tailscale_policy::hujson::{Document, Kind, Node, MAX_DEPTH};
use tailscale_wire::error::Error;
use tailscale_wire::json::Json;

// ---- a generated value and how it is written ------------------------------------------------

/// A JSON value as the generator builds it: numbers keep their text.
#[derive(Clone, Debug)]
enum G {
    Null,
    Bool(bool),
    Num(String),
    Str(String),
    Arr(Vec<G>),
    Obj(Vec<(String, G)>),
}

impl G {
    fn value(&self) -> Value {
        match self {
            G::Null => Value::Null,
            G::Bool(b) => Value::Bool(*b),
            G::Num(n) => serde_json::from_str(n).unwrap(),
            G::Str(s) => Value::String(s.clone()),
            G::Arr(items) => Value::Array(items.iter().map(G::value).collect()),
            G::Obj(members) => Value::Object(
                members
                    .iter()
                    .map(|(k, v)| (k.clone(), v.value()))
                    .collect(),
            ),
        }
    }
}

fn obj(members: Vec<(String, G)>) -> G {
    // Duplicate names are tested on their own; generated objects keep the first of each.
    let mut seen = Vec::new();
    G::Obj(
        members
            .into_iter()
            .filter(|(k, _)| {
                let fresh = !seen.contains(k);
                seen.push(k.clone());
                fresh
            })
            .collect(),
    )
}

/// The choices the writer makes: comments, space, escapes, trailing commas, line endings.
#[derive(Clone, Debug)]
struct Style {
    choices: Vec<u8>,
    crlf: bool,
    indent: &'static str,
}

struct Writer<'s> {
    style: &'s Style,
    at: usize,
    out: String,
}

const COMMENT_TEXT: &[&str] = &[
    "note",
    "é ✓ 😀",
    "\"quoted\", 'single'",
    "a * b / c",
    "// inner",
    "/* not nested",
    "{ [ , : ] }",
    "\\u0041 \\",
    "",
];

impl Writer<'_> {
    fn pick(&mut self) -> u8 {
        let c = self
            .style
            .choices
            .get(self.at % self.style.choices.len().max(1))
            .copied()
            .unwrap_or(0);
        self.at += 1;
        c
    }

    fn nl(&mut self) {
        self.out
            .push_str(if self.style.crlf { "\r\n" } else { "\n" });
    }

    fn text(&mut self) -> &'static str {
        COMMENT_TEXT[self.pick() as usize % COMMENT_TEXT.len()]
    }

    /// Space and comments, as HuJSON allows between any two tokens.
    fn gap(&mut self, depth: usize) {
        for _ in 0..(self.pick() % 3) {
            match self.pick() % 12 {
                0..=2 => {}
                3 => self.out.push(' '),
                4 => self.out.push('\t'),
                5 | 6 => {
                    self.nl();
                    self.out.push_str(&self.style.indent.repeat(depth));
                }
                7 | 8 => {
                    let t = self.text();
                    self.out.push_str("// ");
                    self.out.push_str(t);
                    self.nl();
                    self.out.push_str(&self.style.indent.repeat(depth));
                }
                9 | 10 => {
                    let t = self.text();
                    self.out.push_str("/* ");
                    self.out.push_str(t);
                    self.out.push_str(" */");
                }
                _ => {
                    let t = self.text();
                    self.out.push_str("/*");
                    self.nl();
                    self.out.push_str(" * ");
                    self.out.push_str(t);
                    self.nl();
                    self.out.push_str(" */");
                }
            }
        }
    }

    fn string(&mut self, s: &str) {
        self.out.push('"');
        for c in s.chars() {
            let choice = self.pick() % 4;
            match c {
                '"' => self.out.push_str("\\\""),
                '\\' => self.out.push_str("\\\\"),
                '\n' if choice < 2 => self.out.push_str("\\n"),
                '\t' if choice < 2 => self.out.push_str("\\t"),
                '/' if choice == 0 => self.out.push_str("\\/"),
                c if (c as u32) < 0x20 || choice == 3 => {
                    let mut units = [0u16; 2];
                    for u in c.encode_utf16(&mut units) {
                        self.out.push_str(&format!("\\u{:04x}", u));
                    }
                }
                c => self.out.push(c),
            }
        }
        self.out.push('"');
    }

    fn value(&mut self, g: &G, depth: usize) {
        match g {
            G::Null => self.out.push_str("null"),
            G::Bool(b) => self.out.push_str(if *b { "true" } else { "false" }),
            G::Num(n) => self.out.push_str(n),
            G::Str(s) => self.string(s),
            G::Arr(items) => {
                self.out.push('[');
                for (i, item) in items.iter().enumerate() {
                    self.gap(depth + 1);
                    self.value(item, depth + 1);
                    self.gap(depth + 1);
                    if i + 1 < items.len() || self.pick() % 2 == 0 {
                        self.out.push(',');
                    }
                }
                self.gap(depth);
                self.out.push(']');
            }
            G::Obj(members) => {
                self.out.push('{');
                for (i, (k, v)) in members.iter().enumerate() {
                    self.gap(depth + 1);
                    self.string(k);
                    self.gap(depth + 1);
                    self.out.push(':');
                    self.gap(depth + 1);
                    self.value(v, depth + 1);
                    self.gap(depth + 1);
                    if i + 1 < members.len() || self.pick() % 2 == 0 {
                        self.out.push(',');
                    }
                }
                self.gap(depth);
                self.out.push('}');
            }
        }
    }
}

fn write(g: &G, style: &Style) -> String {
    let mut w = Writer {
        style,
        at: 0,
        out: String::new(),
    };
    w.gap(0);
    w.value(g, 0);
    w.gap(0);
    w.out
}

// ---- strategies --------------------------------------------------------------------------------

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "*",
            "group:eng",
            "tag:prod",
            "autogroup:member",
            "alice@example.com",
            "100.101.102.103:443",
            "tcp:22",
            "node:os IN ['macos', 'linux']",
            "node:tsVersion >= '1.60'",
            "custom:tier == 'prod'",
            "",
        ])
        .prop_map(String::from),
        prop::collection::vec(
            prop::sample::select(vec![
                'a', 'Z', ' ', 'é', '中', '😀', '"', '\\', '/', '~', '\n', '\t', '\u{1}', '\u{7f}',
                '\u{2028}', ':', '*', '\'',
            ]),
            0..8
        )
        .prop_map(String::from_iter),
    ]
}

fn number() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<u32>().prop_map(|n| n.to_string()),
        any::<i32>().prop_map(|n| n.to_string()),
        (any::<i16>(), 0u16..1000, -20i8..20, any::<bool>()).prop_map(|(i, f, e, upper)| {
            format!("{i}.{f}{}{e}", if upper { "E" } else { "e" })
        }),
        Just("-0".to_string()),
        Just("0.5".to_string()),
    ]
}

fn scalar() -> impl Strategy<Value = G> {
    prop_oneof![
        Just(G::Null),
        any::<bool>().prop_map(G::Bool),
        number().prop_map(G::Num),
        text().prop_map(G::Str),
    ]
}

fn any_value() -> impl Strategy<Value = G> {
    scalar().prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(G::Arr),
            prop::collection::vec((text(), inner), 0..4).prop_map(obj),
        ]
    })
}

fn strs() -> impl Strategy<Value = G> {
    prop::collection::vec(text().prop_map(G::Str), 0..4).prop_map(G::Arr)
}

fn rule(names: &'static [&'static str]) -> impl Strategy<Value = G> {
    (
        prop::collection::vec(strs(), names.len()),
        prop::option::of(strs()),
    )
        .prop_map(move |(lists, posture)| {
            let mut members: Vec<(String, G)> =
                names.iter().map(|n| n.to_string()).zip(lists).collect();
            if let Some(p) = posture {
                members.push(("srcPosture".into(), p));
            }
            obj(members)
        })
}

fn named_lists(prefix: &'static str) -> impl Strategy<Value = G> {
    prop::collection::vec((text(), strs()), 0..4).prop_map(move |v| {
        obj(v
            .into_iter()
            .map(|(k, l)| (format!("{prefix}{k}"), l))
            .collect())
    })
}

fn test_case() -> impl Strategy<Value = G> {
    (
        text(),
        strs(),
        prop::option::of(prop::collection::vec((text(), scalar()), 0..3)),
    )
        .prop_map(|(src, accept, attrs)| {
            let mut m = vec![("src".to_string(), G::Str(src)), ("accept".into(), accept)];
            if let Some(a) = attrs {
                m.push(("srcPostureAttrs".into(), obj(a)));
            }
            obj(m)
        })
}

/// A policy file's shape: acls, grants with srcPosture, postures, tagOwners, tests, and more.
fn policy() -> impl Strategy<Value = G> {
    (
        prop::collection::vec(rule(&["src", "dst"]), 0..3),
        prop::collection::vec(rule(&["src", "dst", "ip"]), 0..3),
        named_lists("posture:"),
        named_lists("tag:"),
        prop::collection::vec(test_case(), 0..3),
        prop::collection::vec((text(), any_value()), 0..3),
        any::<u8>(),
    )
        .prop_map(|(acls, grants, postures, tags, tests, extra, mask)| {
            let mut m = Vec::new();
            let sections = [
                ("acls", G::Arr(acls)),
                ("grants", G::Arr(grants)),
                ("postures", postures),
                ("tagOwners", tags),
                ("tests", G::Arr(tests)),
            ];
            for (i, (k, v)) in sections.into_iter().enumerate() {
                if mask & (1 << i) != 0 {
                    m.push((k.to_string(), v));
                }
            }
            m.extend(extra);
            obj(m)
        })
}

fn style() -> impl Strategy<Value = Style> {
    (
        prop::collection::vec(any::<u8>(), 1..64),
        any::<bool>(),
        prop::sample::select(vec!["\t", "  ", "    "]),
    )
        .prop_map(|(choices, crlf, indent)| Style {
            choices,
            crlf,
            indent,
        })
}

fn document() -> impl Strategy<Value = (G, String)> {
    (prop_oneof![4 => policy(), 1 => any_value()], style()).prop_map(|(g, s)| {
        let text = write(&g, &s);
        (g, text)
    })
}

// ---- helpers -----------------------------------------------------------------------------------

/// The comments of a text, in order (a lexer of its own, not the module's).
fn comments(text: &str) -> Vec<(usize, usize)> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'"' => {
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
            }
            b'/' if b.get(i + 1) == Some(&b'/') => {
                let end = (i..b.len())
                    .find(|&j| b[j] == b'\n' || b[j] == b'\r')
                    .unwrap_or(b.len());
                out.push((i, end));
                i = end;
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                let end = text[i + 2..].find("*/").unwrap() + i + 4;
                out.push((i, end));
                i = end;
            }
            _ => i += 1,
        }
    }
    out
}

/// The offsets of `{ } [ ] , :` outside strings and comments.
fn structure(text: &str) -> Vec<(usize, u8)> {
    let b = text.as_bytes();
    let skip = comments(text);
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if let Some(&(_, end)) = skip.iter().find(|(a, _)| *a == i) {
            i = end;
            continue;
        }
        match b[i] {
            b'"' => {
                i += 1;
                while b[i] != b'"' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
            }
            c if b"{}[],:".contains(&c) => out.push((i, c)),
            _ => {}
        }
        i += 1;
    }
    out
}

fn comment_texts(text: &str) -> Vec<&str> {
    comments(text)
        .into_iter()
        .map(|(a, b)| &text[a..b])
        .collect()
}

/// Whether `small` occurs in `big` in order (not necessarily together).
fn subsequence<T: PartialEq>(small: &[T], big: &[T]) -> bool {
    let mut it = big.iter();
    small.iter().all(|s| it.any(|b| b == s))
}

/// The value a node reads as, through the module's accessors only.
fn read(node: Node<'_>) -> Value {
    match node.kind() {
        Kind::Null => Value::Null,
        Kind::Bool => Value::Bool(node.as_bool().unwrap()),
        Kind::Number => serde_json::from_str(node.raw()).unwrap(),
        Kind::String => Value::String(node.as_str().unwrap()),
        Kind::Array => Value::Array(node.items().map(read).collect()),
        Kind::Object => Value::Object(node.members().map(|(k, v)| (k, read(v))).collect()),
        Kind::Other => unreachable!("a document holds only JSON values"),
    }
}

/// Equal as JSON values, numbers compared as f64 (a JS reader prints `1.5e3` as `1500`).
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        // serde_json's default float reading can be off by an ulp or two.
        (Value::Number(x), Value::Number(y)) => {
            let (x, y) = (x.as_f64().unwrap(), y.as_f64().unwrap());
            (x - y).abs() <= 1e-15 * x.abs().max(y.abs())
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

fn standardized(doc: &Document) -> Value {
    let s = doc.standardize();
    assert_eq!(s.len(), doc.as_str().len(), "standardize keeps offsets");
    let breaks = |t: &str| {
        t.bytes()
            .enumerate()
            .filter(|(_, b)| *b == b'\n' || *b == b'\r')
            .map(|(i, _)| i)
            .collect::<Vec<_>>()
    };
    assert_eq!(breaks(&s), breaks(doc.as_str()), "standardize keeps lines");
    serde_json::from_str(&s).unwrap_or_else(|e| panic!("not JSON ({e}): {s}"))
}

/// Every pointer in a value, with what is there.
fn pointers(g: &G, at: String, out: &mut Vec<(String, G)>) {
    out.push((at.clone(), g.clone()));
    match g {
        G::Arr(items) => {
            for (i, item) in items.iter().enumerate() {
                pointers(item, format!("{at}/{i}"), out);
            }
        }
        G::Obj(members) => {
            for (k, v) in members {
                let token = k.replace('~', "~0").replace('/', "~1");
                pointers(v, format!("{at}/{token}"), out);
            }
        }
        _ => {}
    }
}

fn pick<T: Clone>(items: &[T], i: &Index) -> T {
    items[i.index(items.len())].clone()
}

fn validation_field(e: &Error) -> &str {
    match e {
        Error::Validation(issues) => &issues[0].field,
        other => panic!("not a validation error: {other:?}"),
    }
}

// ---- round trips -------------------------------------------------------------------------------

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn round_trip_and_standardize((g, text) in document()) {
        let doc = Document::parse(&text).unwrap_or_else(|e| panic!("{e:?} in {text}"));
        prop_assert_eq!(doc.as_str(), text.as_str());
        prop_assert_eq!(standardized(&doc), g.value());
        prop_assert_eq!(read(doc.root()), g.value());
        // A text without comments or trailing commas is JSON: serde_json agrees on the value.
        if comments(&text).is_empty() {
            if let Ok(v) = serde_json::from_str::<Value>(&text) {
                prop_assert_eq!(v, g.value());
            }
        }
    }

    #[test]
    fn find_reaches_every_value((g, text) in document()) {
        let doc = Document::parse(&text).unwrap();
        let mut all = Vec::new();
        pointers(&g, String::new(), &mut all);
        for (pointer, sub) in all {
            let node = doc.find(&pointer).unwrap().unwrap_or_else(|| panic!("{pointer} not found"));
            prop_assert_eq!(read(node), sub.value());
            let (start, end) = node.span();
            prop_assert_eq!(&text[start..end], node.raw());
            let standardized: Value = serde_json::from_str(&doc.standardize()[start..end]).unwrap();
            prop_assert_eq!(standardized, sub.value());
            if let G::Num(n) = &sub {
                prop_assert!(close(node.as_f64().unwrap(), n.parse::<f64>().unwrap()), "{n}");
            }
        }
    }

    #[test]
    fn set_replaces_only_the_value((g, text) in document(), i in any::<Index>(), new in any_value()) {
        let mut all = Vec::new();
        pointers(&g, String::new(), &mut all);
        let (pointer, _) = pick(&all, &i);
        let mut doc = Document::parse(&text).unwrap();
        let (start, end) = doc.find(&pointer).unwrap().unwrap().span();
        let json = serde_json::to_string(&new.value()).unwrap();
        doc.set(&pointer, &json).unwrap();
        let after = doc.as_str();
        prop_assert!(after.starts_with(&text[..start]) && after.ends_with(&text[end..]));
        let mut expected = g.value();
        // The text given, read again: serde_json's float reading is not exact both ways.
        *expected.pointer_mut(&pointer).unwrap() = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(standardized(&doc), expected);
        let kept: Vec<&str> = comments(&text).into_iter()
            .filter(|&(a, b)| b <= start || a >= end)
            .map(|(a, b)| &text[a..b]).collect();
        prop_assert_eq!(comment_texts(after), kept);
    }

    #[test]
    fn set_adds_a_member((g, text) in document(), i in any::<Index>(), name in text(), depth in 0usize..3, new in any_value()) {
        let mut all = Vec::new();
        pointers(&g, String::new(), &mut all);
        let objects: Vec<_> = all.into_iter().filter(|(_, v)| matches!(v, G::Obj(_))).collect();
        prop_assume!(!objects.is_empty());
        let (parent, G::Obj(members)) = pick(&objects, &i) else { unreachable!() };
        prop_assume!(!members.iter().any(|(k, _)| *k == name));
        // Missing parents (`depth` of them) are made as objects.
        let mut pointer = parent.clone();
        let mut tokens = vec![name.clone()];
        tokens.extend((0..depth).map(|d| format!("made{d}")));
        for t in &tokens {
            pointer.push('/');
            pointer.push_str(&t.replace('~', "~0").replace('/', "~1"));
        }
        let mut doc = Document::parse(&text).unwrap();
        let json = serde_json::to_string(&new.value()).unwrap();
        doc.set(&pointer, &json).unwrap();
        let mut expected = g.value();
        let mut wrapped: Value = serde_json::from_str(&json).unwrap();
        for t in tokens[1..].iter().rev() {
            wrapped = serde_json::json!({ t.clone(): wrapped });
        }
        expected.pointer_mut(&parent).unwrap().as_object_mut().unwrap().insert(name, wrapped);
        prop_assert_eq!(standardized(&doc), expected);
        prop_assert!(subsequence(text.as_bytes(), doc.as_str().as_bytes()), "only additions");
        prop_assert_eq!(comment_texts(doc.as_str()), comment_texts(&text));
    }

    #[test]
    fn append_pushes_or_makes_the_array((g, text) in document(), i in any::<Index>(), new in any_value(), name in text()) {
        let mut all = Vec::new();
        pointers(&g, String::new(), &mut all);
        let targets: Vec<_> = all.into_iter().filter(|(_, v)| matches!(v, G::Arr(_) | G::Obj(_))).collect();
        prop_assume!(!targets.is_empty());
        let (at, target) = pick(&targets, &i);
        let pointer = match target {
            G::Arr(_) => at.clone(),
            _ => {
                let G::Obj(members) = &target else { unreachable!() };
                prop_assume!(!members.iter().any(|(k, _)| *k == name));
                format!("{at}/{}", name.replace('~', "~0").replace('/', "~1"))
            }
        };
        let mut doc = Document::parse(&text).unwrap();
        let json = serde_json::to_string(&new.value()).unwrap();
        doc.append(&pointer, &json).unwrap();
        let new: Value = serde_json::from_str(&json).unwrap();
        let mut expected = g.value();
        match expected.pointer_mut(&pointer) {
            Some(Value::Array(items)) => items.push(new),
            _ => {
                expected.pointer_mut(&at).unwrap().as_object_mut().unwrap()
                    .insert(name, Value::Array(vec![new]));
            }
        }
        prop_assert_eq!(standardized(&doc), expected);
        prop_assert!(subsequence(text.as_bytes(), doc.as_str().as_bytes()), "only additions");
        prop_assert_eq!(comment_texts(doc.as_str()), comment_texts(&text));
    }

    #[test]
    fn remove_takes_the_member_and_comments_around_it((g, text) in document(), i in any::<Index>()) {
        let mut all = Vec::new();
        pointers(&g, String::new(), &mut all);
        all.remove(0);
        prop_assume!(!all.is_empty());
        let (pointer, _) = pick(&all, &i);
        let mut doc = Document::parse(&text).unwrap();
        let node = doc.find(&pointer).unwrap().unwrap();
        let (start, end) = node.span();
        // What may go: the member (name included), its comma, the comma before it, and one
        // run of comments around it, from the gaps on either side.
        let tokens = structure(&text);
        let member_start = tokens.iter().rev().find(|(p, b)| *p < start && b"{[,".contains(b)).unwrap().0;
        let after = match tokens.iter().find(|(p, _)| *p >= end) {
            Some(&(p, b',')) => p + 1,
            _ => end,
        };
        let next = tokens.iter().find(|(p, _)| *p >= after).map_or(text.len(), |&(p, _)| p);
        prop_assert!(doc.remove(&pointer).unwrap());
        let mut expected = g.value();
        let (parent, last) = pointer.rsplit_once('/').unwrap();
        let last = last.replace("~1", "/").replace("~0", "~");
        match expected.pointer_mut(parent).unwrap() {
            Value::Array(items) => { items.remove(last.parse::<usize>().unwrap()); }
            Value::Object(members) => { members.remove(&last); }
            _ => unreachable!(),
        }
        prop_assert_eq!(standardized(&doc), expected);
        prop_assert!(subsequence(doc.as_str().as_bytes(), text.as_bytes()), "only removals");
        let all: Vec<(usize, usize)> = comments(&text);
        let texts = |spans: &[(usize, usize)]| spans.iter().map(|&(a, b)| &text[a..b]).collect::<Vec<&str>>();
        let before = texts(&all.iter().copied().filter(|&(_, b)| b <= member_start).collect::<Vec<_>>());
        let around = texts(&all.iter().copied().filter(|&(a, b)| b > member_start && a < next).collect::<Vec<_>>());
        let beyond = texts(&all.iter().copied().filter(|&(a, _)| a >= next).collect::<Vec<_>>());
        let left = comment_texts(doc.as_str());
        prop_assert!(left.len() >= before.len() + beyond.len(), "{:?} lost from {}", around, doc.as_str());
        prop_assert_eq!(&left[..before.len()], &before[..]);
        prop_assert_eq!(&left[left.len() - beyond.len()..], &beyond[..]);
        let mid = &left[before.len()..left.len() - beyond.len()];
        let one_run = (0..=mid.len()).any(|k| {
            around.len() >= mid.len()
                && around[..k] == mid[..k]
                && around[around.len() - (mid.len() - k)..] == mid[k..]
        });
        prop_assert!(one_run, "{:?} left of {:?} in {}", mid, around, doc.as_str());
    }
}

/// Within the 8 ulps `Node::as_f64` promises beyond its exact range (`10f64.powi` rounds at
/// each step: 7 ulps at worst in 2 million random mantissas and exponents).
fn close(a: f64, b: f64) -> bool {
    a == b || (a - b).abs() <= 8.0 * f64::EPSILON * a.abs().max(b.abs())
}

fn digits(n: std::ops::Range<usize>) -> impl Strategy<Value = String> {
    prop::collection::vec(0u8..10, n).prop_map(|d| d.iter().map(|d| (b'0' + d) as char).collect())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, failure_persistence: None, ..ProptestConfig::default() })]

    /// `as_f64` against Rust's correctly rounded reader: equal in the fast path (what policies
    /// hold), within a few ulps elsewhere.
    #[test]
    fn numbers_read_as_f64(
        negative in any::<bool>(),
        int in prop_oneof![Just("0".to_string()), (1u8..10, digits(0..22)).prop_map(|(h, t)| format!("{h}{t}"))],
        frac in prop::option::of(digits(1..22)),
        exp in prop::option::of(prop_oneof![-30i32..30, -400i32..400]),
    ) {
        let text = format!(
            "{}{int}{}{}",
            if negative { "-" } else { "" },
            frac.as_ref().map(|f| format!(".{f}")).unwrap_or_default(),
            exp.map(|e| format!("e{e}")).unwrap_or_default(),
        );
        let doc = Document::parse(&text).unwrap();
        let ours = doc.root().as_f64().unwrap();
        let exact: f64 = text.parse().unwrap();
        let all = format!("{int}{}", frac.clone().unwrap_or_default());
        let significant = all.trim_start_matches('0').trim_end_matches('0').len();
        let zeros = (all.len() - all.trim_end_matches('0').len()) as i64;
        let power = exp.unwrap_or(0) as i64 - frac.map_or(0, |f| f.len()) as i64 + zeros;
        if significant <= 15 && (-22..=22).contains(&power) {
            prop_assert_eq!(ours, exact, "{}", text);
        } else {
            prop_assert!(close(ours, exact) || (exact.abs() < 1e-290 && (ours - exact).abs() < 1e-300), "{} read {} not {}", text, ours, exact);
        }
    }
}

#[test]
fn numbers_at_the_edges() {
    for (text, value) in [
        ("0", 0.0),
        ("-0", -0.0),
        ("9007199254740993", 9007199254740992.0),
        ("1e400", f64::INFINITY),
        ("-1e400", f64::NEG_INFINITY),
        ("1e-400", 0.0),
        ("0.1", 0.1),
        ("1.5e3", 1500.0),
        ("123456789012345678901234567890", 1.2345678901234568e29),
    ] {
        let got = Document::parse(text).unwrap().root().as_f64().unwrap();
        assert!(
            close(got, value) && got.is_sign_negative() == value.is_sign_negative(),
            "{text}: {got}"
        );
    }
}

// ---- exact output on a commented policy ----------------------------------------------------------

/// The default policy file's shape (tabs, trailing commas, commented-out sections).
const POLICY: &str = r#"// Example/default ACLs for unrestricted connections.
{
	// Declare static groups of users.
	// "groups": {
	//  	"group:example": ["alice@example.com", "bob@example.com"],
	// },

	// Define the tags which can be applied to devices and by which users.
	"tagOwners": {
		"tag:example": ["autogroup:admin"], // who may tag
	},

	"grants": [
		// Allow all connections.
		{"src": ["*"], "dst": ["*"], "ip": ["*"]},

		// {"src": ["group:prod"], "dst": ["tag:production"], "ip": ["443"]},
	],

	"ssh": [
		{
			"action": "check",
			"src":    ["autogroup:member"],
			"dst":    ["autogroup:self"],
			"users":  ["autogroup:nonroot", "root"],
		},
	],

	// "tests": [
	// ],
}
"#;

fn edited(text: &str, edit: impl FnOnce(&mut Document)) -> String {
    let mut doc = Document::parse(text).unwrap();
    edit(&mut doc);
    doc.as_str().to_string()
}

/// `text` with `from` replaced by `to` exactly once.
fn with(text: &str, from: &str, to: &str) -> String {
    assert_eq!(text.matches(from).count(), 1, "{from:?}");
    text.replacen(from, to, 1)
}

#[test]
fn golden_set_replaces_a_value() {
    let out = edited(POLICY, |d| d.set("/ssh/0/action", r#""accept""#).unwrap());
    assert_eq!(
        out,
        with(POLICY, r#""action": "check""#, r#""action": "accept""#)
    );
    let out = edited(POLICY, |d| {
        d.set(
            "/tagOwners/tag:example",
            r#"["group:eng","autogroup:admin"]"#,
        )
        .unwrap()
    });
    assert_eq!(
        out,
        with(
            POLICY,
            r#"["autogroup:admin"], // who may tag"#,
            r#"["group:eng", "autogroup:admin"], // who may tag"#
        )
    );
}

#[test]
fn golden_set_adds_members_with_sibling_indentation() {
    let out = edited(POLICY, |d| {
        d.set(
            "/postures",
            r#"{"posture:latest":["node:tsVersion >= '1.60'"]}"#,
        )
        .unwrap()
    });
    assert_eq!(
        out,
        with(
            POLICY,
            "\t\t},\n\t],\n",
            "\t\t},\n\t],\n\t\"postures\": {\"posture:latest\": [\"node:tsVersion >= '1.60'\"]},\n"
        )
    );
    // After the last member's same-line comment; trailing comma kept.
    let out = edited(POLICY, |d| {
        d.set("/tagOwners/tag:prod", r#"["group:ops"]"#).unwrap()
    });
    assert_eq!(
        out,
        with(
            POLICY,
            "// who may tag\n",
            "// who may tag\n\t\t\"tag:prod\": [\"group:ops\"],\n"
        )
    );
}

#[test]
fn golden_set_makes_missing_parents() {
    let out = edited(POLICY, |d| {
        d.set(
            "/postures/posture:mac",
            r#"["node:os == 'macos'","node:tsAutoUpdate == true"]"#,
        )
        .unwrap()
    });
    assert_eq!(
        out,
        with(
            POLICY,
            "\t\t},\n\t],\n",
            "\t\t},\n\t],\n\t\"postures\": {\n\t\t\"posture:mac\": [\"node:os == 'macos'\", \"node:tsAutoUpdate == true\"],\n\t},\n"
        )
    );
}

#[test]
fn golden_append() {
    let out = edited(POLICY, |d| {
        d.append(
            "/grants",
            r#"{"src":["group:eng"],"dst":["tag:prod"],"ip":["443"],"srcPosture":["posture:latest"]}"#,
        )
        .unwrap()
    });
    assert_eq!(
        out,
        with(
            POLICY,
            "\"ip\": [\"*\"]},\n",
            "\"ip\": [\"*\"]},\n\t\t{\n\t\t\t\"src\": [\"group:eng\"],\n\t\t\t\"dst\": [\"tag:prod\"],\n\t\t\t\"ip\": [\"443\"],\n\t\t\t\"srcPosture\": [\"posture:latest\"],\n\t\t},\n"
        )
    );
    // A one-line array stays on one line.
    let out = edited(POLICY, |d| d.append("/ssh/0/users", r#""ubuntu""#).unwrap());
    assert_eq!(
        out,
        with(
            POLICY,
            r#"["autogroup:nonroot", "root"]"#,
            r#"["autogroup:nonroot", "root", "ubuntu"]"#
        )
    );
    // A missing array is made; it holds an object, so it takes a line per element.
    let out = edited(POLICY, |d| {
        d.append(
            "/tests",
            r#"{"src":"alice@example.com","accept":["tag:example:22"]}"#,
        )
        .unwrap()
    });
    assert_eq!(
        out,
        with(
            POLICY,
            "\t\t},\n\t],\n",
            "\t\t},\n\t],\n\t\"tests\": [\n\t\t{\"src\": \"alice@example.com\", \"accept\": [\"tag:example:22\"]},\n\t],\n"
        )
    );
}

#[test]
fn golden_remove() {
    // The member, its comma and its same-line comment go with the line.
    let out = edited(POLICY, |d| {
        assert!(d.remove("/tagOwners/tag:example").unwrap())
    });
    assert_eq!(
        out,
        with(
            POLICY,
            "\t\t\"tag:example\": [\"autogroup:admin\"], // who may tag\n",
            ""
        )
    );
    // The comment block directly above goes with it (hujson's Patch reads it as the element's).
    let out = edited(POLICY, |d| assert!(d.remove("/grants/0").unwrap()));
    assert_eq!(
        out,
        with(
            POLICY,
            "\t\t// Allow all connections.\n\t\t{\"src\": [\"*\"], \"dst\": [\"*\"], \"ip\": [\"*\"]},\n",
            ""
        )
    );
    // In a one-line container, the element and the space after its comma.
    let out = edited(POLICY, |d| assert!(d.remove("/ssh/0/users/0").unwrap()));
    assert_eq!(
        out,
        with(POLICY, r#"["autogroup:nonroot", "root"]"#, r#"["root"]"#)
    );
    let out = edited(POLICY, |d| assert!(d.remove("/ssh/0/users/1").unwrap()));
    assert_eq!(
        out,
        with(
            POLICY,
            r#"["autogroup:nonroot", "root"]"#,
            r#"["autogroup:nonroot"]"#
        )
    );
    let out = edited(POLICY, |d| assert!(d.remove("/ssh").unwrap()));
    assert_eq!(
        out,
        with(
            POLICY,
            // Of the blank lines above and below, one is left.
            &POLICY
                [POLICY.find("\t\"ssh\"").unwrap()..POLICY.find("\n\n\t// \"tests\"").unwrap() + 2],
            ""
        )
    );
    // Nothing there: false, and nothing changes.
    let mut doc = Document::parse(POLICY).unwrap();
    assert!(!doc.remove("/nope").unwrap());
    assert!(!doc.remove("/grants/5").unwrap());
    assert!(!doc.remove("/grants/x").unwrap());
    assert!(!doc.remove("/ssh/0/action/x").unwrap());
    assert!(!doc.remove("/nope/deeper").unwrap());
    assert_eq!(doc.as_str(), POLICY);
    assert_eq!(validation_field(&doc.remove("").unwrap_err()), "pointer");
}

#[test]
fn golden_last_member_without_trailing_comma() {
    let text = "{\n  \"a\": 1, // one\n  \"b\": 2 // two\n}\n";
    assert_eq!(
        edited(text, |d| d.set("/c", "3").unwrap()),
        "{\n  \"a\": 1, // one\n  \"b\": 2, // two\n  \"c\": 3\n}\n"
    );
    // Removing the last takes the comma before it, not the comment on that line.
    assert_eq!(
        edited(text, |d| assert!(d.remove("/b").unwrap())),
        "{\n  \"a\": 1 // one\n}\n"
    );
    let plain = "{\n  \"a\": 1,\n  \"b\": 2\n}";
    assert_eq!(
        edited(plain, |d| assert!(d.remove("/b").unwrap())),
        "{\n  \"a\": 1\n}"
    );
    assert_eq!(
        edited(plain, |d| assert!(d.remove("/a").unwrap())),
        "{\n  \"b\": 2\n}"
    );
}

#[test]
fn golden_crlf_and_indentation() {
    let text = "{\r\n    \"acls\": [\r\n        {\"action\": \"accept\", \"src\": [\"*\"], \"dst\": [\"*:*\"]}\r\n    ]\r\n}\r\n";
    assert_eq!(
        edited(text, |d| d.set("/tagOwners", r#"{"tag:a":{"x":1}}"#).unwrap()),
        "{\r\n    \"acls\": [\r\n        {\"action\": \"accept\", \"src\": [\"*\"], \"dst\": [\"*:*\"]}\r\n    ],\r\n    \"tagOwners\": {\r\n        \"tag:a\": {\"x\": 1}\r\n    }\r\n}\r\n"
    );
    assert_eq!(
        edited(text, |d| assert!(d.remove("/acls/0").unwrap())),
        "{\r\n    \"acls\": [\r\n    ]\r\n}\r\n"
    );
    assert_eq!(
        edited(text, |d| d.append("/acls", r#"{"action":"accept","src":["a"],"dst":["b:*"]}"#).unwrap()),
        "{\r\n    \"acls\": [\r\n        {\"action\": \"accept\", \"src\": [\"*\"], \"dst\": [\"*:*\"]},\r\n        {\"action\": \"accept\", \"src\": [\"a\"], \"dst\": [\"b:*\"]}\r\n    ]\r\n}\r\n"
    );
}

#[test]
fn golden_empty_containers() {
    // `{}` on one line is printed afresh.
    assert_eq!(
        edited("{\"postures\": {}}", |d| d
            .set("/postures/posture:a", r#"["x"]"#)
            .unwrap()),
        "{\"postures\": {\"posture:a\": [\"x\"]}}"
    );
    // An empty container over lines gets a line indented one unit past its own, after the
    // comments inside it.
    assert_eq!(
        edited("{\n  \"tests\": [\n    // none yet\n  ],\n}", |d| d
            .append("/tests", "1")
            .unwrap()),
        "{\n  \"tests\": [\n    // none yet\n    1,\n  ],\n}"
    );
    assert_eq!(
        edited("[ /* c */ ]", |d| d.append("", "true").unwrap()),
        "[ /* c */ true ]"
    );
    // No indentation anywhere: two spaces.
    assert_eq!(
        edited("{\n}", |d| d.set("/a", "[{\"b\":1}]").unwrap()),
        "{\n  \"a\": [\n    {\"b\": 1}\n  ]\n}"
    );
}

#[test]
fn golden_root_and_arrays() {
    assert_eq!(
        edited("// head\n[1, 2] // tail\n", |d| d
            .set("", r#"{"a":null}"#)
            .unwrap()),
        "// head\n{\"a\": null} // tail\n"
    );
    assert_eq!(edited("[1, 2,]", |d| d.set("/1", "3").unwrap()), "[1, 3,]");
    assert_eq!(
        edited("[1, 2,]", |d| d.set("/-", "3").unwrap()),
        "[1, 2, 3,]"
    );
    assert_eq!(
        edited("[1, 2]", |d| d.set("/-", "\"\\u00e9\\n\"").unwrap()),
        "[1, 2, \"\\u00e9\\n\"]"
    );
    let mut doc = Document::parse("[1, 2]").unwrap();
    for bad in ["/2", "/02", "/x", "/-/a"] {
        assert_eq!(
            validation_field(&doc.set(bad, "1").unwrap_err()),
            "pointer",
            "{bad}"
        );
    }
    assert_eq!(
        validation_field(&doc.set("/0/a", "1").unwrap_err()),
        "pointer"
    );
    assert_eq!(
        validation_field(&doc.append("/0", "1").unwrap_err()),
        "pointer"
    );
    assert_eq!(doc.as_str(), "[1, 2]");
}

#[test]
fn edit_values_must_be_json() {
    let mut doc = Document::parse(POLICY).unwrap();
    for bad in [
        "", "{a:1}", "[1,]", "1 // c", "'x'", "1 2", "NaN", "[1],[2]",
    ] {
        assert_eq!(
            validation_field(&doc.set("/x", bad).unwrap_err()),
            "value",
            "{bad:?}"
        );
        assert_eq!(
            validation_field(&doc.append("/grants", bad).unwrap_err()),
            "value",
            "{bad:?}"
        );
    }
    assert_eq!(doc.as_str(), POLICY);
    // Nesting past the limit through an edit is refused, and the document stays.
    let deep = format!("{}{}", "[".repeat(MAX_DEPTH - 1), "]".repeat(MAX_DEPTH - 1));
    assert_eq!(
        validation_field(&doc.set("/grants/0/src", &deep).unwrap_err()),
        "value"
    );
    assert_eq!(doc.as_str(), POLICY);
}

// ---- reading -----------------------------------------------------------------------------------

#[test]
fn nodes_read_values() {
    let doc = Document::parse(
        "{\"a\": 1, \"b\": \"x\\u00e9\\ud83d\\ude00\\ud800\", \"a\": [true, null, -1.5e2], \"c\\/d\": {}}",
    )
    .unwrap();
    let root = doc.root();
    assert_eq!(root.kind(), Kind::Object);
    let names: Vec<String> = root.members().map(|(k, _)| k).collect();
    assert_eq!(names, ["a", "b", "a", "c/d"]);
    // The last member of a name, as JSON.parse keeps.
    assert_eq!(root.get("a").unwrap().kind(), Kind::Array);
    assert_eq!(root.get("b").unwrap().as_str().unwrap(), "xé😀\u{fffd}");
    assert_eq!(root.get("c/d").unwrap().raw(), "{}");
    let items: Vec<_> = root.get("a").unwrap().items().collect();
    assert_eq!(items[0].as_bool(), Some(true));
    assert_eq!(items[1].kind(), Kind::Null);
    assert_eq!(items[2].as_f64(), Some(-150.0));
    assert_eq!(items[2].as_str(), None);
    assert_eq!(doc.find("/a/2").unwrap().unwrap().span(), (61, 67));
    assert_eq!(doc.find("/c~1d").unwrap().unwrap().line_column(), (1, 79));
    assert!(doc.find("/a/3").unwrap().is_none());
    assert!(doc.find("/a/-").unwrap().is_none());
    assert!(doc.find("/a/01").unwrap().is_none());
    assert!(doc.find("/nope/x").unwrap().is_none());
    assert!(doc.find("/b/x").unwrap().is_none());
    assert_eq!(
        doc.find("").unwrap().unwrap().span(),
        (0, doc.as_str().len())
    );
    for bad in ["a", "/~2", "/a~", "/~a"] {
        assert_eq!(
            validation_field(&doc.find(bad).unwrap_err()),
            "pointer",
            "{bad}"
        );
    }
    // The core's reader trait.
    assert!(Json::is_record(&root));
    assert_eq!(Json::keys(&root), ["a", "b", "a", "c/d"]);
    assert_eq!(
        Json::get(&root, "b").and_then(|b| b.as_string()).unwrap(),
        "xé😀\u{fffd}"
    );
    assert_eq!(Json::items(&Json::get(&root, "a").unwrap()).len(), 3);
    let n = doc.find("/a/0").unwrap().unwrap();
    assert_eq!(Json::as_bool(&n), Some(true));
}

#[test]
fn line_columns_count_characters() {
    let doc = Document::parse("// é✓\r\n{\"é\": \"✓\", \"x\": 1}").unwrap();
    assert_eq!(doc.find("/x").unwrap().unwrap().line_column(), (2, 17));
    assert_eq!(doc.find("/é").unwrap().unwrap().line_column(), (2, 7));
}

// ---- errors ------------------------------------------------------------------------------------

#[test]
fn syntax_errors_say_where_and_what() {
    let cases: &[(&str, usize, usize, &str)] = &[
        ("", 1, 1, "expected a value, found the end of the text"),
        (
            "// only a comment\n/* and */",
            2,
            10,
            "expected a value, found the end of the text",
        ),
        ("{\"a\": \"x\ty\"}", 1, 9, "control character in a string"),
        ("[\"a\nb\"]", 1, 4, "control character in a string"),
        ("[01]", 1, 2, "a number cannot start with a leading zero"),
        ("[-01]", 1, 3, "a number cannot start with a leading zero"),
        (
            "[1.]",
            1,
            4,
            "expected a digit after the decimal point, found ']'",
        ),
        ("[.5]", 1, 2, "expected a value, found '.5'"),
        ("[+1]", 1, 2, "expected a value, found '+1'"),
        ("[-]", 1, 3, "expected a digit after '-', found ']'"),
        ("[1e]", 1, 4, "expected a digit in the exponent, found ']'"),
        ("[1e+]", 1, 5, "expected a digit in the exponent, found ']'"),
        (
            "['a']",
            1,
            2,
            "expected a value, found a single quote (strings take double quotes)",
        ),
        (
            "{a: 1}",
            1,
            2,
            "expected a member name in double quotes or '}', found 'a'",
        ),
        ("[0x1F]", 1, 2, "expected a number, found '0x1F'"),
        ("[NaN]", 1, 2, "expected a value, found 'NaN'"),
        ("[Infinity]", 1, 2, "expected a value, found 'Infinity'"),
        (
            "[-Infinity]",
            1,
            3,
            "expected a digit after '-', found 'Infinity'",
        ),
        ("[\"\\x41\"]", 1, 3, "invalid escape in a string"),
        ("[\"\\v\"]", 1, 3, "invalid escape in a string"),
        ("[\"\\'\"]", 1, 3, "invalid escape in a string"),
        ("[\"\\u12\"]", 1, 3, "expected four hex digits after '\\u'"),
        (
            "[1 2]",
            1,
            4,
            "expected ',' or ']' after an array element, found '2'",
        ),
        (
            "{\"a\": 1\n \"b\": 2}",
            2,
            2,
            "expected ',' or '}' after an object member, found '\"'",
        ),
        (
            "{\"a\" 1}",
            1,
            6,
            "expected ':' after a member name, found '1'",
        ),
        (
            "{} {}",
            1,
            4,
            "expected the end of the text after the value, found '{'",
        ),
        (
            "1 2",
            1,
            3,
            "expected the end of the text after the value, found '2'",
        ),
        (",", 1, 1, "expected a value, found ','"),
        ("[,]", 1, 2, "expected a value or ']', found ','"),
        ("[1,,]", 1, 4, "expected a value or ']', found ','"),
        (
            "{,}",
            1,
            2,
            "expected a member name in double quotes or '}', found ','",
        ),
        (
            "{\"a\": 1,,}",
            1,
            9,
            "expected a member name in double quotes or '}', found ','",
        ),
        ("[1] /* open\n", 1, 5, "unterminated block comment"),
        ("[\n  \"abc", 2, 3, "unterminated string"),
        ("[\"abc\\", 1, 2, "unterminated string"),
        (
            "[1] / x",
            1,
            5,
            "expected '//' or '/*' to start a comment, found '/'",
        ),
        (
            "[1] # x",
            1,
            5,
            "expected the end of the text after the value, found '#'",
        ),
        (
            "\u{feff}{}",
            1,
            1,
            "a byte order mark (U+FEFF) is not allowed; remove it",
        ),
        ("[truex]", 1, 2, "expected a value, found 'truex'"),
        ("[True]", 1, 2, "expected a value, found 'True'"),
        ("[undefined]", 1, 2, "expected a value, found 'undefined'"),
        ("[1,\u{a0}2]", 1, 4, "expected a value, found '\u{a0}'"),
        (
            "[1,\u{c}2]",
            1,
            4,
            "expected a value, found a control character",
        ),
        ("{\"é✓\": ]", 1, 8, "expected a value, found ']'"),
    ];
    for (text, line, column, message) in cases {
        let e = Document::parse(text)
            .err()
            .unwrap_or_else(|| panic!("accepted {text:?}"));
        assert_eq!(
            (e.line, e.column),
            (*line, *column),
            "{text:?}: {}",
            e.message
        );
        assert!(e.message.starts_with(message), "{text:?}: {}", e.message);
        let head = &text[..e.offset];
        assert_eq!(head.matches('\n').count() + 1, e.line, "{text:?}");
    }
}

#[test]
fn valid_oddities_are_accepted() {
    for text in [
        "[-0, 0.0, 1E5, 1e-5, -1.5E+3, 0]",
        "\"\\ud800\"",
        "[\"\\/\\b\\f\\n\\r\\t\\\"\\\\\"]",
        "{\"\": \"\"}",
        "[1,]",
        "{\"a\": 1,}",
        " \t\r\n1\r\n",
        "/**/1/**/",
        "1//\n",
        "[\"\u{2028}\u{7f}é\"]",
    ] {
        let doc = Document::parse(text).unwrap_or_else(|e| panic!("{text:?}: {e:?}"));
        assert_eq!(doc.as_str(), text);
    }
}

#[test]
fn deep_nesting_is_refused_not_a_crash() {
    for open in ["[", "{\"a\":"] {
        let close = if open == "[" { "]" } else { "}" };
        let text = format!("{}0{}", open.repeat(10_000), close.repeat(10_000));
        let e = Document::parse(&text).unwrap_err();
        assert_eq!(e.message, "nesting deeper than 1000 levels");
        assert_eq!(e.offset, MAX_DEPTH * open.len());
        let ok = format!("{}0{}", open.repeat(MAX_DEPTH), close.repeat(MAX_DEPTH));
        assert!(Document::parse(&ok).is_ok());
    }
}

#[test]
fn ten_megabytes_parse_and_edit() {
    let member = "\t\"tag:t\": [\"group:g\", /* é */ \"autogroup:admin\"], // owners\n";
    let mut text = String::from("{\n\t\"tagOwners\": {\n");
    let mut n = 0;
    while text.len() < 10_000_000 {
        text.push_str(&member.replace("tag:t", &format!("tag:t{n}")));
        n += 1;
    }
    text.push_str("\t},\n}\n");
    let mut doc = Document::parse(&text).unwrap();
    assert_eq!(doc.root().get("tagOwners").unwrap().members().count(), n);
    doc.set("/postures/posture:a", "[\"node:os == 'linux'\"]")
        .unwrap();
    assert!(doc.remove("/tagOwners/tag:t0").unwrap());
    assert_eq!(
        standardized(&doc)["tagOwners"].as_object().unwrap().len(),
        n - 1
    );
}

#[test]
fn one_long_line_edits() {
    // 300,000 values on one line: nothing may scan back to the line start per value.
    let text = format!("[{}1]", "1, ".repeat(300_000));
    let mut doc = Document::parse(&text).unwrap();
    doc.append("", "2").unwrap();
    assert!(doc.as_str().ends_with("1, 1, 2]"));
    assert!(doc.remove("/0").unwrap());
    assert!(doc.as_str().starts_with("[1, 1"));
    assert_eq!(doc.root().items().count(), 300_001);
}

#[test]
fn no_panic_on_truncations_and_mutations_of_a_policy() {
    // Every prefix, and every single-byte change to punctuation, is either parsed or refused.
    for end in (0..=POLICY.len()).filter(|&i| POLICY.is_char_boundary(i)) {
        let _ = Document::parse(&POLICY[..end]);
    }
    let bytes = POLICY.as_bytes();
    for i in 0..bytes.len() {
        for b in [
            b'{', b'}', b'[', b']', b',', b':', b'"', b'/', b'*', b'\\', b'\n', b' ',
        ] {
            let mut m = bytes.to_vec();
            m[i] = b;
            if let Ok(s) = String::from_utf8(m) {
                if let Ok(mut doc) = Document::parse(&s) {
                    let _ = doc.standardize();
                    let _ = doc.remove("/grants/0");
                    let _ = doc.set("/x/y", "[1]");
                }
            }
        }
    }
}

// ---- Microsoft's jsonc-parser as an oracle ---------------------------------------------------

/// Values from the npm oracle for each text, or `None` when node or the package is missing
/// (a plain `cargo test` on a machine without them); `make test`, which installs both, sets
/// ORACLE_REQUIRED so that a missing oracle fails instead.
fn oracle(texts: &[String]) -> Option<Vec<Option<Value>>> {
    let dir = env!("CARGO_MANIFEST_DIR");
    if !std::path::Path::new(&format!("{dir}/../../node_modules/jsonc-parser")).exists() {
        assert!(
            std::env::var_os("ORACLE_REQUIRED").is_none(),
            "npm jsonc-parser is not installed (npm ci)"
        );
        eprintln!("SKIPPED: npm jsonc-parser is not installed (npm ci)");
        return None;
    }
    let mut child = Command::new("node")
        .arg(format!("{dir}/tests/hujson-oracle.mjs"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| eprintln!("SKIPPED: node not available ({e})"))
        .ok()?;
    let input = serde_json::to_vec(texts).unwrap();
    child.stdin.take().unwrap().write_all(&input).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "oracle failed");
    let results: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    Some(
        results
            .into_iter()
            .map(|r| r.get("value").cloned())
            .collect(),
    )
}

#[test]
fn agrees_with_microsofts_jsonc_parser() {
    let mut runner = TestRunner::new(Config {
        failure_persistence: None,
        ..Config::default()
    });
    let strategy = document();
    let mut texts: Vec<String> = (0..300)
        .map(|_| strategy.new_tree(&mut runner).unwrap().current().1)
        .collect();
    texts.push(POLICY.to_string());
    texts.push(POLICY.replace('\n', "\r\n"));
    let Some(values) = oracle(&texts) else {
        return;
    };
    for (text, theirs) in texts.iter().zip(values) {
        let ours = Document::parse(text).unwrap();
        let theirs = theirs.unwrap_or_else(|| panic!("the oracle refused {text}"));
        assert!(same(&standardized(&ours), &theirs), "{text}");
        assert!(same(&read(ours.root()), &theirs), "{text}");
    }
}

#[test]
fn set_with_a_last_dash_appends_only_to_an_array_that_is_there() {
    let out = edited("{\n  \"a\": [1]\n}\n", |d| d.set("/a/-", "2").unwrap());
    assert_eq!(out, "{\n  \"a\": [1, 2]\n}\n");
    // A missing array is not guessed from the '-'; append makes one.
    let mut doc = Document::parse("{\n  \"a\": 1\n}\n").unwrap();
    assert_eq!(
        validation_field(&doc.set("/grants/-", "{}").unwrap_err()),
        "pointer"
    );
    doc.append("/grants", r#"{"src":["*"]}"#).unwrap();
    let value: Value = serde_json::from_str(&doc.standardize()).unwrap();
    assert_eq!(
        value,
        serde_json::json!({"a": 1, "grants": [{"src": ["*"]}]})
    );
    // In an object, `-` is a name like any other (RFC 6901).
    let out = edited("{}", |d| d.set("/-", "1").unwrap());
    assert_eq!(out, r#"{"-": 1}"#);
}

// ---- the rules settled against tailscale/hujson ----------------------------------------------

fn validation_message(e: &Error) -> &str {
    match e {
        Error::Validation(issues) => &issues[0].message,
        other => panic!("not a validation error: {other:?}"),
    }
}

#[test]
fn a_line_comment_ends_at_lf_only() {
    // A lone CR is inside the comment, so the `2` after it is too.
    let doc = Document::parse("[1, // a\r2\n]").unwrap();
    assert_eq!(standardized(&doc), serde_json::json!([1]));
    assert_eq!(doc.root().items().count(), 1);
    let doc = Document::parse("// a\r\n{\"b\": 1}").unwrap();
    assert_eq!(standardized(&doc), serde_json::json!({"b": 1}));
    assert!(Document::parse("// a\rnull").is_err());
}

#[test]
fn a_line_comment_must_end_before_the_text_does() {
    for (text, offset) in [("null//", 4), ("null // note", 5), ("[1] //", 4), ("//", 0)] {
        let e = Document::parse(text).unwrap_err();
        assert_eq!(e.offset, offset, "{text:?}");
        assert!(
            e.message.starts_with("unterminated line comment"),
            "{text:?}: {e:?}"
        );
    }
    for text in ["null//\n", "null//\r\n", "[1] // x\n"] {
        assert!(Document::parse(text).is_ok(), "{text:?}");
    }
}

#[test]
fn standardize_keeps_tabs_and_line_breaks_in_comments() {
    let text = "[1, /*\ta\r\n\tb é*/ 2, // x\ty\r\n]";
    let doc = Document::parse(text).unwrap();
    // As hujson's Standardize: the other comment bytes (é's two included) and the trailing
    // comma become spaces.
    let want = [
        "[1, ",
        "  \t \r\n\t      ",
        " 2",
        " ",
        " ",
        "    \t ",
        "\r\n]",
    ]
    .concat();
    assert_eq!(doc.standardize(), want);
    assert_eq!(standardized(&doc), serde_json::json!([1, 2]));
}

/// The demo tailnet's grants (www/demo-tailnet/policy.mjs), shortened.
const GRANTS: &str = "{
    // Grants, the newer rule syntax.
    \"grants\": [
        {
            \"src\": [\"autogroup:member\"],
            \"srcPosture\": [\"posture:provisioned\"], // any listed posture admits
        },
        // CI deploys to production over SSH.
        {\"src\": [\"tag:ci\"], \"dst\": [\"tag:prod\"], \"ip\": [\"tcp:22\"]},
    ],
}
";

#[test]
fn remove_takes_the_comment_block_directly_above() {
    let out = edited(GRANTS, |d| assert!(d.remove("/grants/1").unwrap()));
    let ci = "        // CI deploys to production over SSH.\n        {\"src\": [\"tag:ci\"], \"dst\": [\"tag:prod\"], \"ip\": [\"tcp:22\"]},\n";
    assert_eq!(out, with(GRANTS, ci, ""));
    // With a blank line between, the comment is not the element's: it stays.
    let spaced = with(GRANTS, "SSH.\n", "SSH.\n\n");
    let out = edited(&spaced, |d| assert!(d.remove("/grants/1").unwrap()));
    assert_eq!(
        out,
        with(
            &spaced,
            "        {\"src\": [\"tag:ci\"], \"dst\": [\"tag:prod\"], \"ip\": [\"tcp:22\"]},\n",
            ""
        )
    );
    // A block right below the element's line is its own when a blank line follows it; of the
    // blank lines above and below, one is left.
    let text = "{\n  \"a\": 1,\n\n  // about b\n  \"b\": 2, // b\n  // more on b\n\n  // about c\n  \"c\": 3\n}";
    assert_eq!(
        edited(text, |d| assert!(d.remove("/b").unwrap())),
        "{\n  \"a\": 1,\n\n  // about c\n  \"c\": 3\n}"
    );
    // Without that blank line, only the comment on its own line goes.
    let text = "[\n  1, // one\n  // about two\n  2\n]";
    assert_eq!(
        edited(text, |d| assert!(d.remove("/0").unwrap())),
        "[\n  // about two\n  2\n]"
    );
    // A comment after the opening bracket that a blank line separates stays with the container.
    let text = "{\n  // the file\n\n  \"a\": 1,\n  \"b\": 2\n}";
    assert_eq!(
        edited(text, |d| assert!(d.remove("/a").unwrap())),
        "{\n  // the file\n\n  \"b\": 2\n}"
    );
}

#[test]
fn set_makes_missing_parents_only_for_names() {
    let text = "{\n  \"a\": 1\n}\n";
    let mut doc = Document::parse(text).unwrap();
    for (pointer, parent) in [
        ("/grants/0/srcPosture", "/grants"),
        ("/grants/-", "/grants"),
        ("/x/y/12/z", "/x/y"),
    ] {
        let e = doc.set(pointer, "[\"posture:p\"]").unwrap_err();
        assert_eq!(validation_field(&e), "pointer");
        let message = validation_message(&e);
        assert!(
            message.starts_with(&format!("\"{pointer}\": \"{parent}\" does not exist")),
            "{message}"
        );
        assert!(doc.append(pointer, "1").is_err(), "{pointer}");
    }
    assert_eq!(doc.as_str(), text);
    // Names, even odd ones, leave no doubt.
    doc.set("/b/x1/-1/", "true").unwrap();
    let value: Value = serde_json::from_str(&doc.standardize()).unwrap();
    assert_eq!(
        value,
        serde_json::json!({"a": 1, "b": {"x1": {"-1": {"": true}}}})
    );
}

#[test]
fn a_failed_insert_into_an_empty_container_is_an_error() {
    // A value nested to the limit fits alone, not inside anything.
    let deep = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
    for (text, pointer) in [
        ("{\"a\": {}}", "/a/b"),
        ("{}", "/b"),
        ("{\"a\": {\n}}", "/a/b"),
    ] {
        let mut doc = Document::parse(text).unwrap();
        let e = doc.set(pointer, &deep).unwrap_err();
        assert_eq!(validation_field(&e), "value", "{text}");
        assert_eq!(doc.as_str(), text);
    }
    for text in ["[]", "[\n]", "[1]"] {
        let mut doc = Document::parse(text).unwrap();
        assert!(doc.append("", &deep).is_err(), "{text}");
        assert_eq!(doc.as_str(), text);
    }
}

#[test]
fn pointers_from_tokens() {
    let text = "{\"postures\": {\"posture:a/b~c\": [\"x\"]}}";
    let mut doc = Document::parse(text).unwrap();
    let name = "posture:a/b~c";
    assert_eq!(
        doc.find(&["postures", name]).unwrap().unwrap().raw(),
        "[\"x\"]"
    );
    assert_eq!(
        doc.find("/postures/posture:a~1b~0c")
            .unwrap()
            .unwrap()
            .raw(),
        "[\"x\"]"
    );
    assert!(
        doc.find(&["postures", "posture:a~1b~0c"])
            .unwrap()
            .is_none(),
        "no unescaping"
    );
    let tokens = vec!["postures".to_string(), name.to_string()];
    doc.append(&tokens, "\"y\"").unwrap();
    doc.set(&tokens[..1], "{\"posture:~/\": []}").unwrap();
    assert_eq!(doc.as_str(), "{\"postures\": {\"posture:~/\": []}}");
    assert!(doc.remove(&["postures", "posture:~/"]).unwrap());
    assert_eq!(doc.as_str(), "{\"postures\": {}}");
    assert!(
        doc.find(&[] as &[&str; 0]).unwrap().is_some(),
        "[] is the root"
    );
    // An error names the pointer, escaped.
    let e = doc.set(&["grants/x", "0", "src"], "1").unwrap_err();
    assert!(
        validation_message(&e).starts_with("\"/grants~1x/0/src\""),
        "{e:?}"
    );
}

/// tests/data/hujson-grammar.json, which the demo tailnet's reader is held to as well.
#[test]
fn one_grammar_table_for_both_readers() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/data/hujson-grammar.json"
    );
    let table: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    assert_eq!(table["maxDepth"], MAX_DEPTH);
    for case in table["numbers"].as_array().unwrap() {
        let n = case["text"].as_str().unwrap();
        for text in [n.to_string(), format!("[{n}]"), format!("{{\"n\": {n}}}")] {
            let accepts = Document::parse(&text).is_ok();
            assert_eq!(accepts, case["accepts"].as_bool().unwrap(), "{text}");
            // JSON's number grammar exactly: serde_json agrees wherever it reads the value.
            if !accepts {
                assert!(serde_json::from_str::<Value>(&text).is_err(), "{text}");
            }
        }
    }
    for case in table["nesting"].as_array().unwrap() {
        let levels = case["levels"].as_u64().unwrap() as usize;
        let text = [
            case["open"].as_str().unwrap().repeat(levels),
            case["inside"].as_str().unwrap().to_string(),
            case["close"].as_str().unwrap().repeat(levels),
        ]
        .concat();
        let result = Document::parse(&text);
        assert_eq!(result.is_ok(), case["accepts"].as_bool().unwrap(), "{case}");
        if let Err(e) = result {
            assert_eq!(e.message, "nesting deeper than 1000 levels", "{case}");
        }
    }
}
