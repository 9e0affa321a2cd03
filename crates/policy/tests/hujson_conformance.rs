//! tailscale/hujson's own test tables (../shared/conformance/hujson, read at test time, never
//! copied) against `Document`: every accept/reject, every `Standardize` byte, `Find`, and each
//! `Patch` vector applied through set/append/remove, agreeing in value, and in text except
//! where README.md's HuJSON paragraph documents another layout (`LAYOUT` below says which).
//! The figures go to CONFORMANCE.md. Without ../shared the suite says so in one line and passes.

use serde_json::Value;
use std::collections::BTreeMap;
use std::path::PathBuf;
use tailscale_policy::hujson::{Document, Kind, Node};

/// Patch vectors whose text differs from hujson's, and why; every other one is byte-equal.
const LAYOUT: &[(&str, Differs)] = &[
    ("patch_test.go/testdataPatch[0]", Differs::Space),
    // An insert at an index: the array set anew, which prints it on one line.
    ("patch_test.go/testdataPatch[1]", Differs::Space),
    ("patch_test.go/testdataPatch[5]", Differs::Space),
    ("patch_test.go/testdataPatch[6]", Differs::Space),
    ("patch_test.go/testdataPatch[9]", Differs::Space),
    ("patch_test.go/testdataPatch[10]", Differs::Space),
    ("patch_test.go/testdataPatch[15]", Differs::Space),
    ("patch_test.go/testdataPatch[25]", Differs::Space),
    ("patch_test.go/testdataPatch[48]", Differs::Value),
    ("patch_test.go/testdataPatch[49]", Differs::Value),
];

/// How a patch result's text differs from hujson's.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Differs {
    /// Only in space between tokens: a new value is laid out (a space after `:` and `,`, the
    /// siblings' indentation) where hujson's `Patch` writes it minimized and leaves the rest to
    /// `Format`.
    Space,
    /// In more than space, with the same value: comments carried in from the patch (`set`
    /// takes plain JSON, so they are not written).
    Value,
}

fn dir() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/conformance/hujson");
    dir.is_dir().then_some(dir)
}

fn table(name: &str) -> (Vec<Value>, String) {
    let path = dir().unwrap().join(name);
    let file: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let commit = file["_meta"]["commit"].as_str().unwrap().to_owned();
    let vectors = match &file["vectors"] {
        Value::Array(items) => items.clone(),
        one => vec![one.clone()],
    };
    (vectors, commit)
}

/// A `{ hex, text }` byte string's bytes.
fn bytes(v: &Value) -> Vec<u8> {
    let hex = v["hex"].as_str().unwrap().as_bytes();
    hex.chunks(2)
        .map(|pair| u8::from_str_radix(std::str::from_utf8(pair).unwrap(), 16).unwrap())
        .collect()
}

/// The value as Go's `json.Unmarshal` into `interface{}` reads it: numbers as float64, the
/// last of duplicate names; `None` where it fails (a number beyond float64).
fn go_value(doc: &Document) -> Option<Value> {
    let v: Value = serde_json::from_str(&doc.standardize()).ok()?;
    Some(floats(v))
}

fn floats(v: Value) -> Value {
    match v {
        Value::Number(n) => serde_json::json!(n.as_f64().unwrap()),
        Value::Array(items) => Value::Array(items.into_iter().map(floats).collect()),
        Value::Object(map) => Value::Object(map.into_iter().map(|(k, v)| (k, floats(v))).collect()),
        v => v,
    }
}

/// The text without space between tokens (outside strings; comments keep theirs).
fn tokens_only(text: &str) -> String {
    let (mut out, mut in_string, mut escaped) = (String::new(), false, false);
    let mut comment: Option<&str> = None;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if let Some(end) = comment {
            out.push(c);
            if text[..=i].ends_with(end) {
                comment = None;
            }
            continue;
        }
        if in_string {
            out.push(c);
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match (c, chars.peek().map(|&(_, n)| n)) {
            (' ' | '\t' | '\n' | '\r', _) => continue,
            ('"', _) => in_string = true,
            ('/', Some('/')) => comment = Some("\n"),
            ('/', Some('*')) => comment = Some("*/"),
            _ => {}
        }
        out.push(c);
    }
    out
}

#[derive(Default)]
struct Figures(BTreeMap<String, (usize, usize)>);

impl Figures {
    /// Counts one check under `what`, and whether it agreed.
    fn count(&mut self, what: impl Into<String>, agrees: bool) {
        let e = self.0.entry(what.into()).or_default();
        e.0 += usize::from(agrees);
        e.1 += 1;
    }
    fn print(&self, commit: &str) {
        eprintln!("hujson conformance, Rust (tailscale/hujson {commit}):");
        for (k, (a, n)) in &self.0 {
            eprintln!("  {k}: {a}/{n}");
        }
    }
}

#[test]
fn tailscale_hujson_tables() {
    let Some(_) = dir() else {
        eprintln!("SKIPPED: ../shared/conformance/hujson is not present");
        return;
    };
    let mut f = Figures::default();
    let (parse, commit) = table("hujson-parse.json");
    for v in &parse {
        let id = v["id"].as_str().unwrap();
        let doc = Document::parse_bytes(&bytes(&v["in"]));
        let accepts = v["go_accepts"].as_bool().unwrap();
        assert_eq!(doc.is_ok(), accepts, "{id}: {doc:?}");
        f.count("parse: accept/reject", true);
        if std::str::from_utf8(&bytes(&v["in"])).is_err() {
            f.count("parse: of which not UTF-8", true);
        }
        let Ok(doc) = doc else { continue };
        let std = doc.standardize();
        assert_eq!(std.as_bytes(), bytes(&v["wantStd"]), "{id}: Standardize");
        f.count("parse: Standardize bytes", true);
        let min = Document::parse_bytes(&bytes(&v["wantMin"])).unwrap();
        assert_eq!(
            go_value(&doc),
            go_value(&min),
            "{id}: the value of Minimize"
        );
        f.count("parse: value (as Minimize's)", true);
    }
    for name in [
        "hujson-format.json",
        "hujson-format-errors.json",
        "hujson-types-all.json",
        "tailscale-files.json",
    ] {
        for v in table(name).0 {
            let id = v["id"].as_str().unwrap();
            let doc = Document::parse_bytes(&bytes(&v["in"]));
            assert_eq!(
                doc.is_ok(),
                v["go_accepts"].as_bool().unwrap(),
                "{id}: {doc:?}"
            );
            f.count(label(name, "accept/reject"), true);
            if let (Ok(doc), Some(want)) = (&doc, v.get("wantFormat")) {
                // Format is not this API's; its output must read as the same value.
                let formatted = Document::parse_bytes(&bytes(want)).unwrap();
                assert_eq!(go_value(doc), go_value(&formatted), "{id}");
                f.count("format: output accepted, same value", true);
            }
        }
    }
    find(&mut f);
    for v in table("hujson-patch.json").0 {
        patch_vector(&v, &mut f);
    }
    f.print(&commit);
}

fn label(file: &str, what: &str) -> String {
    let table = match file {
        "hujson-format.json" => "format",
        "hujson-format-errors.json" => "format errors",
        "hujson-types-all.json" => "types All",
        _ => "tailscale files",
    };
    format!("{table}: {what}")
}

fn find(f: &mut Figures) {
    let v = &table("hujson-find.json").0[0];
    let doc = Document::parse_bytes(&bytes(&v["doc"])).unwrap();
    let root = doc.root();
    let members: Vec<Node<'_>> = root.members().map(|(_, n)| n).collect();
    for case in v["cases"].as_array().unwrap() {
        let pointer = case["pointer"].as_str().unwrap();
        // An invalid pointer is an error here and nothing in hujson's Find.
        let found = doc.find(pointer).ok().flatten().map(|n| n.span());
        let want = &case["go_want"];
        let expected = match want["kind"].as_str() {
            None => None,
            Some("root") => Some(root.span()),
            Some(_) => {
                let member = members[want["member_index"].as_u64().unwrap() as usize];
                match want.get("element_index") {
                    Some(i) => member
                        .items()
                        .nth(i.as_u64().unwrap() as usize)
                        .map(|n| n.span()),
                    None => Some(member.span()),
                }
            }
        };
        assert_eq!(found, expected, "Find {pointer:?}");
        f.count("find: same value or none", true);
    }
}

fn patch_vector(v: &Value, f: &mut Figures) {
    let id = v["id"].as_str().unwrap();
    let mut doc = Document::parse_bytes(&bytes(&v["in"])).unwrap_or_else(|e| panic!("{id}: {e:?}"));
    f.count("patch: input accepted", true);
    if std::str::from_utf8(&bytes(&v["in"])).is_err() {
        f.count("patch: of which not UTF-8", true);
    }
    let result = apply_patch(&mut doc, &bytes(&v["patch"]));
    let ok = v["go_ok"].as_bool().unwrap();
    assert_eq!(
        result.is_ok(),
        ok,
        "{id}: {result:?} gave {:?}",
        doc.as_str()
    );
    f.count("patch: ok/error", true);
    let Some(want) = v.get("want").filter(|_| ok) else {
        return;
    };
    let want = Document::parse_bytes(&bytes(want)).unwrap();
    assert_eq!(
        go_value(&doc),
        go_value(&want),
        "{id}: value of {:?}",
        doc.as_str()
    );
    f.count("patch: value", true);
    let documented = LAYOUT.iter().find(|(i, _)| *i == id).map(|(_, d)| *d);
    let differs = if doc.as_str() == want.as_str() {
        None
    } else if tokens_only(doc.as_str()) == tokens_only(want.as_str()) {
        Some(Differs::Space)
    } else {
        Some(Differs::Value)
    };
    assert_eq!(
        differs,
        documented,
        "{id}: {:?} where hujson gives {:?}",
        doc.as_str(),
        want.as_str()
    );
    f.count("patch: text byte-equal", differs.is_none());
    f.count(
        "patch: text equal but for space",
        differs != Some(Differs::Value),
    );
}

// ---- an RFC 6902 patch, as hujson's Patch reads it, through the Document API ----------------

struct Op {
    op: String,
    path: String,
    from: Option<String>,
    /// The value as plain JSON (comments blanked).
    value: Option<String>,
}

fn apply_patch(doc: &mut Document, patch: &[u8]) -> Result<(), String> {
    for op in read_patch(patch)? {
        let done = match op.op.as_str() {
            "add" => add(doc, &op.path, op.value.as_deref().unwrap()),
            "remove" | "replace" => remove_or_replace(doc, &op),
            "move" | "copy" => move_or_copy(doc, &op),
            _ => test_op(doc, &op.path, op.value.as_deref().unwrap()),
        };
        done?;
    }
    Ok(())
}

fn read_patch(patch: &[u8]) -> Result<Vec<Op>, String> {
    let doc = Document::parse_bytes(patch).map_err(|e| e.message)?;
    let root = doc.root();
    if root.kind() != Kind::Array {
        return Err("patch must be a JSON array".into());
    }
    let mut ops = Vec::new();
    for item in root.items() {
        if item.kind() != Kind::Object {
            return Err("must be a JSON object".into());
        }
        let mut seen: Vec<String> = Vec::new();
        let mut op = Op {
            op: String::new(),
            path: String::new(),
            from: None,
            value: None,
        };
        for (name, node) in item.members() {
            if seen.contains(&name) {
                return Err(format!("duplicate name {name:?}"));
            }
            seen.push(name.clone());
            let text = || {
                node.as_str()
                    .ok_or(format!("member {name:?} must be a JSON string"))
            };
            match name.as_str() {
                "op" => {
                    op.op = text()?;
                    if !["add", "remove", "replace", "move", "copy", "test"]
                        .contains(&op.op.as_str())
                    {
                        return Err(format!("unknown operation {:?}", op.op));
                    }
                }
                "path" => op.path = text()?,
                "from" => op.from = Some(text()?),
                "value" => op.value = Some(Document::parse(node.raw()).unwrap().standardize()),
                _ => {}
            }
        }
        let has = |n: &str| seen.iter().any(|s| s == n);
        let needs_from = matches!(op.op.as_str(), "move" | "copy");
        let needs_value = matches!(op.op.as_str(), "add" | "replace" | "test");
        for (member, needed) in [
            ("op", true),
            ("path", true),
            ("from", needs_from),
            ("value", needs_value),
        ] {
            if needed && !has(member) {
                return Err(format!("missing required member {member:?}"));
            }
        }
        ops.push(op);
    }
    Ok(ops)
}

/// RFC 6902 `add`, with hujson's reading of an index past the end (it appends).
fn add(doc: &mut Document, path: &str, json: &str) -> Result<(), String> {
    let Some((parent, last)) = path.rsplit_once('/') else {
        return match path {
            "" => doc.set("", json).map_err(|e| format!("{e:?}")),
            _ => Err("invalid pointer".into()),
        };
    };
    let token = last.replace("~1", "/").replace("~0", "~");
    let node = doc.find(parent).ok().flatten().ok_or("value not found")?;
    match node.kind() {
        Kind::Object => doc.set(path, json).map_err(|e| format!("{e:?}")),
        Kind::Array => {
            let len = node.items().count();
            let at = match token.as_str() {
                "-" => len,
                t => t.parse::<usize>().map_err(|_| "invalid array index")?,
            };
            if at >= len {
                return doc.append(parent, json).map_err(|e| format!("{e:?}"));
            }
            // No insert at an index: the array is set anew (a value, not a layout, to compare).
            let mut items: Vec<Value> = node
                .items()
                .map(|n| {
                    serde_json::from_str(&Document::parse(n.raw()).unwrap().standardize()).unwrap()
                })
                .collect();
            items.insert(at, serde_json::from_str(json).unwrap());
            doc.set(parent, &serde_json::to_string(&items).unwrap())
                .map_err(|e| format!("{e:?}"))
        }
        _ => Err("cannot index into literal".into()),
    }
}

fn remove_or_replace(doc: &mut Document, op: &Op) -> Result<(), String> {
    doc.find(&op.path).ok().flatten().ok_or("value not found")?;
    if op.path.is_empty() {
        return Err(format!("cannot {} root value", op.op));
    }
    match op.op.as_str() {
        "remove" => doc.remove(&op.path).map(drop).map_err(|e| format!("{e:?}")),
        _ => doc
            .set(&op.path, op.value.as_deref().unwrap())
            .map_err(|e| format!("{e:?}")),
    }
}

fn move_or_copy(doc: &mut Document, op: &Op) -> Result<(), String> {
    let from = op.from.as_deref().unwrap();
    let inside = op
        .path
        .strip_prefix(from)
        .is_some_and(|r| r.is_empty() || r.starts_with('/'));
    if from.is_empty() || (op.op == "move" && inside) {
        return Err(format!("cannot {} {from:?} into {:?}", op.op, op.path));
    }
    let node = doc.find(from).ok().flatten().ok_or("value not found")?;
    let json = Document::parse(node.raw()).unwrap().standardize();
    if op.op == "move" {
        doc.remove(from).map_err(|e| format!("{e:?}"))?;
    }
    add(doc, &op.path, &json)
}

fn test_op(doc: &Document, path: &str, json: &str) -> Result<(), String> {
    let node = doc.find(path).ok().flatten().ok_or("value not found")?;
    let have = go_value(&Document::parse(node.raw()).unwrap());
    let want = go_value(&Document::parse(json).unwrap());
    match have.is_some() && have == want {
        true => Ok(()),
        false => Err(format!("values differ at {path:?}")),
    }
}
