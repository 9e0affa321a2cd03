//! Posture conditions (crates/policy/src/posture/): parse, print, cmpver, evaluate, evaluate_posture and
//! the report, against the contract and the examples of Tailscale's device posture docs.

use proptest::prelude::*;
use std::cmp::Ordering;
use tailscale_policy::posture::{
    cmpver, evaluate, evaluate_posture, is_version, known_namespace, parse, prepare, report,
    Condition, DeviceInput, Operand, Operator, PostureDef,
};
use tailscale_wire::attribute::AttributeValue;

fn s(v: &str) -> AttributeValue {
    AttributeValue::String(v.into())
}
fn n(v: f64) -> AttributeValue {
    AttributeValue::Number(v)
}
fn b(v: bool) -> AttributeValue {
    AttributeValue::Boolean(v)
}

/// (condition, the device's value, matches, reason when it does not)
type EvalCase = (&'static str, Option<AttributeValue>, bool, &'static str);

#[test]
fn evaluation_table() {
    let cases: Vec<EvalCase> = vec![
        // == and !=
        ("node:os == 'linux'", Some(s("linux")), true, ""),
        ("node:os == 'linux'", Some(s("windows")), false, "node:os is 'windows', not 'linux'"),
        ("node:os == 'linux'", Some(s("Linux")), false, "node:os is 'Linux', not 'linux'"),
        ("node:os == 'linux'", None, false, "node:os is not set"),
        ("custom:tier == 'gold'", Some(n(5.0)), false, "custom:tier is 5 (a number), not the string 'gold'"),
        ("custom:tier == 5", Some(s("5")), false, "custom:tier is '5' (a string), not the number 5"),
        ("custom:ok == true", Some(s("true")), false, "custom:ok is 'true' (a string), not the boolean true"),
        ("custom:ok == true", Some(b(true)), true, ""),
        ("custom:ok == false", Some(b(true)), false, "custom:ok is true, not false"),
        ("custom:n == -2.5", Some(n(-2.5)), true, ""),
        ("custom:n == 1e3", Some(n(1000.0)), true, ""),
        ("custom:tier != 'prod'", Some(s("dev")), true, ""),
        ("custom:tier != 'prod'", Some(s("prod")), false, "custom:tier is 'prod', which != 'prod' excludes"),
        // The docs: unset does not match, "irrespective of the operator".
        ("custom:tier != 'prod'", None, false, "custom:tier is not set"),
        ("custom:tier != 'prod'", Some(n(3.0)), true, ""),
        ("custom:tier != 3", Some(b(false)), true, ""),
        // IN and NOT IN
        ("node:os IN ['macos', 'linux']", Some(s("linux")), true, ""),
        ("node:os IN ['macos', 'linux']", Some(s("windows")), false, "node:os is 'windows', not in ['macos', 'linux']"),
        ("node:os IN ['macos', 'linux']", None, false, "node:os is not set"),
        ("custom:tier IN ['gold', 'silver']", Some(n(5.0)), false, "custom:tier is 5 (a number), and ['gold', 'silver'] holds no number"),
        ("custom:tier IN ['gold', 5]", Some(n(5.0)), true, ""),
        ("custom:tier IN ['gold', 4]", Some(n(5.0)), false, "custom:tier is 5, not in ['gold', 4]"),
        ("ip:country in ['CA', 'US']", Some(s("US")), true, ""),
        ("node:os NOT IN ['windows']", Some(s("linux")), true, ""),
        ("node:os NOT IN ['windows', 'linux']", Some(s("linux")), false, "node:os is 'linux', which NOT IN ['windows', 'linux'] excludes"),
        ("node:os NOT IN ['windows']", None, false, "node:os is not set"),
        ("custom:n NOT IN ['5']", Some(n(5.0)), true, ""),
        // IS SET and NOT SET
        ("custom:tier IS SET", Some(s("gold")), true, ""),
        ("custom:tier IS SET", Some(b(false)), true, ""),
        ("custom:tier IS SET", None, false, "custom:tier is not set"),
        ("custom:tier NOT SET", None, true, ""),
        ("custom:tier NOT SET", Some(s("gold")), false, "custom:tier is set (to 'gold')"),
        ("custom:tier NOT SET", Some(n(7.0)), false, "custom:tier is set (to 7)"),
        // Ordering: numbers
        ("falcon:ztaScore >= 70", Some(n(70.0)), true, ""),
        ("falcon:ztaScore >= 70", Some(n(69.0)), false, "falcon:ztaScore is 69, not >= 70"),
        ("falcon:ztaScore > 70", Some(n(70.0)), false, "falcon:ztaScore is 70, not > 70"),
        ("falcon:ztaScore < 70", Some(n(-1.5)), true, ""),
        ("falcon:ztaScore <= 70", Some(n(70.5)), false, "falcon:ztaScore is 70.5, not <= 70"),
        ("falcon:ztaScore < 0.5", Some(n(0.25)), true, ""),
        ("falcon:ztaScore >= 70", None, false, "falcon:ztaScore is not set"),
        ("falcon:ztaScore < 70", None, false, "falcon:ztaScore is not set"),
        ("custom:tier >= 70", Some(s("gold")), false, "custom:tier is 'gold' (a string); >= 70 compares numbers"),
        ("custom:tier >= 70", Some(b(true)), false, "custom:tier is true (a boolean); >= 70 compares numbers"),
        ("node:tsVersion >= '1.60'", Some(n(2.0)), false, "node:tsVersion is 2 (a number); >= '1.60' compares versions, which are strings"),
        ("custom:n > true", Some(n(2.0)), false, "custom:n is 2 (a number); > true orders nothing: ordering takes a number or a quoted version"),
        // Ordering: versions by cmpver
        ("node:tsVersion >= '1.60'", Some(s("1.58.2")), false, "node:tsVersion is 1.58.2, not >= 1.60"),
        ("node:tsVersion >= '1.60'", Some(s("1.60.0")), true, ""),
        ("node:tsVersion >= '1.9'", Some(s("1.86.2")), true, ""),
        ("node:tsVersion <= '1.40'", Some(s("1.40.0")), false, "node:tsVersion is 1.40.0, not <= 1.40"),
        ("node:tsVersion < '1.40.0'", Some(s("1.40")), true, ""),
        ("node:tsVersion > '1.40.0'", Some(s("1.40.0-pre")), true, ""),
        ("node:osVersion >= '14.2'", Some(s("14.2")), true, ""),
        ("node:osVersion < '14.2'", Some(s("14.2")), false, "node:osVersion is 14.2, not < 14.2"),
        ("node:tsVersion >= '1.60'", None, false, "node:tsVersion is not set"),
        // Versions read bare, other strings (the empty one included) in quotes.
        ("node:tsVersion > '1.2'", Some(s("")), false, "node:tsVersion is '', not > 1.2"),
        ("node:tsVersion < ''", Some(s("")), false, "node:tsVersion is '', not < ''"),
        ("node:osVersion < '14'", Some(s("Synology 6")), false, "node:osVersion is 'Synology 6', not < 14"),
        ("custom:tier >= 'gold'", Some(s("bronze")), false, "custom:tier is 'bronze', not >= 'gold'"),
        ("custom:tier == ''", Some(s("gold")), false, "custom:tier is 'gold', not ''"),
        ("custom:tier != ''", Some(s("")), false, "custom:tier is '', which != '' excludes"),
        ("custom:tier NOT SET", Some(s("")), false, "custom:tier is set (to '')"),
        // Keywords in any case
        ("node:os not in ['windows']", Some(s("linux")), true, ""),
        ("node:os Not In ['windows']", Some(s("windows")), false, "node:os is 'windows', which NOT IN ['windows'] excludes"),
        ("custom:x is set", Some(n(1.0)), true, ""),
        ("custom:x Not Set", None, true, ""),
    ];
    assert!(cases.len() >= 40);
    let mut failures = Vec::new();
    for (text, value, matches, reason) in &cases {
        let condition = parse(text).unwrap_or_else(|e| panic!("{text}: {e:?}"));
        let got = evaluate(&condition, value.as_ref());
        let want_reason = (!reason.is_empty()).then(|| reason.to_string());
        if got.matches != *matches || got.reason != want_reason {
            failures.push(format!(
                "{text} with {value:?}: got {} {:?}, want {matches} {want_reason:?}",
                got.matches, got.reason
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn parse_errors_name_the_column() {
    // (text, column, words the message carries)
    let cases: &[(&str, usize, &str)] = &[
        ("", 1, "empty condition"),
        ("   ", 4, "empty condition"),
        ("node:os", 8, "expected an operator such as == or IN"),
        (
            "node:os 'linux'",
            9,
            "expected an operator such as == or IN",
        ),
        ("node:os = 'linux'", 9, "equality is =="),
        ("node:os ==", 11, "expected a value after =="),
        ("node:os ==   ", 14, "expected a value after =="),
        ("node:os IN", 11, "expected a value after IN"),
        (
            "node:os == ['linux']",
            12,
            "== takes one value; only IN and NOT IN take a list",
        ),
        ("node:os IN 'linux'", 12, "IN takes a bracketed list"),
        (
            "node:os NOT IN 'linux'",
            16,
            "NOT IN takes a bracketed list",
        ),
        ("node:os == \"linux\"", 12, "values take single quotes"),
        (
            "node:os IN ['macos', \"linux\"]",
            22,
            "values take single quotes",
        ),
        ("node:os == 'linux", 12, "unterminated string starting here"),
        (
            "node:os IN ['linux', 'mac",
            22,
            "unterminated string starting here",
        ),
        ("node:os IN ['linux'", 12, "unterminated list starting here"),
        (
            "node:os IN ['linux',",
            12,
            "unterminated list starting here",
        ),
        ("node:os IN []", 13, "a list needs at least one value"),
        (
            "node:os IN ['a',]",
            16,
            "no comma after a list's last value",
        ),
        ("node:os IN ['a' 'b']", 17, "expected ',' or ']'"),
        ("node:os IN [['a']]", 13, "lists do not nest"),
        (
            "node:os == 'linux' x",
            20,
            "unexpected text after the value",
        ),
        ("node:os == 'linux''", 19, "unexpected text after the value"),
        ("custom:x IS SET 'a'", 17, "IS SET takes no value"),
        ("custom:x NOT SET true", 18, "NOT SET takes no value"),
        ("custom:x IS", 12, "expected SET after IS"),
        ("custom:x IS NOT SET", 13, "expected SET after IS"),
        ("custom:x NOT", 13, "expected IN or SET after NOT"),
        ("custom:x NOT EQUAL 'a'", 14, "expected IN or SET after NOT"),
        ("custom:x NOTIN ['a']", 10, "expected an operator"),
        ("custom:x ISSET", 10, "expected an operator"),
        ("custom:x === 1", 12, "expected a value"),
        ("custom:x == linux", 13, "text takes single quotes: 'linux'"),
        (
            "custom:x == True",
            13,
            "true and false are written in lower case",
        ),
        ("node:tsVersion >= 1.60.2", 19, "'1.60.2' is not a number"),
        ("custom:x == 01", 13, "'01' is not a number"),
        ("custom:x == -", 13, "'-' is not a number"),
        ("custom:x == 1.", 13, "'1.' is not a number"),
        ("custom:x == 5abc", 13, "'5abc' is not a number"),
        ("custom:x == 1e400", 13, "number out of range"),
        (
            "tier == 'gold'",
            5,
            "expected ':' after the namespace 'tier'",
        ),
        (
            "custom: == 'gold'",
            8,
            "expected an attribute name after 'custom:'",
        ),
        (
            "1node:os == 'x'",
            1,
            "expected an attribute such as node:os",
        ),
        (":os == 'x'", 1, "expected an attribute such as node:os"),
        ("node:os$ == 'x'", 8, "expected an operator"),
        ("node:os\n== 'x'", 8, "expected an operator"),
        // Columns count characters, not bytes.
        ("node:os == 'é' é", 16, "unexpected text after the value"),
        (
            "node:é == 'x'",
            6,
            "expected an attribute name after 'node:'",
        ),
    ];
    let mut failures = Vec::new();
    for (text, column, words) in cases {
        match parse(text) {
            Ok(c) => failures.push(format!("{text:?} parsed as {c:?}")),
            Err(e) if e.column != *column || !e.message.contains(words) => failures.push(format!(
                "{text:?}: got column {} {:?}, want column {column} with {words:?}",
                e.column, e.message
            )),
            Err(_) => {}
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn parse_reads_the_parts() {
    let c = parse("node:tsVersion >= '1.60'").unwrap();
    assert_eq!(c.attribute, "node:tsVersion");
    assert_eq!(c.operator, Operator::Ge);
    assert_eq!(c.value, Operand::One(s("1.60")));
    assert_eq!(c.namespace(), "node");

    let c = parse("  node:os   not\t in['macos','linux']  ").unwrap();
    assert_eq!(c.operator, Operator::NotIn);
    assert_eq!(c.value, Operand::List(vec![s("macos"), s("linux")]));
    assert_eq!(c.print(), "node:os NOT IN ['macos', 'linux']");

    let c = parse("node:os=='linux'").unwrap();
    assert_eq!(
        (c.operator, c.print().as_str()),
        (Operator::Eq, "node:os == 'linux'")
    );
    let c = parse("custom:n<-5").unwrap();
    assert_eq!(
        (c.operator, &c.value),
        (Operator::Lt, &Operand::One(n(-5.0)))
    );
    let c = parse("custom:n>=1.5E-2").unwrap();
    assert_eq!(c.value, Operand::One(n(0.015)));
    assert_eq!(c.print(), "custom:n >= 1.5E-2");
    let c = parse("custom:x is  set").unwrap();
    assert_eq!((c.operator, &c.value), (Operator::IsSet, &Operand::None));
    assert_eq!(c.print(), "custom:x IS SET");
    let c = parse("fleetPolicy:disk-encryption.v2:on == ''").unwrap();
    assert_eq!(c.attribute, "fleetPolicy:disk-encryption.v2:on");
    assert_eq!(c.namespace(), "fleetPolicy");
    assert_eq!(c.value, Operand::One(s("")));
    // A string runs to the next quote; no escapes, so other quotes and brackets are text.
    let c = parse("custom:x IN ['a\"b', '[c]', 'd,e']").unwrap();
    assert_eq!(c.value, Operand::List(vec![s("a\"b"), s("[c]"), s("d,e")]));

    for op in [
        "==", "!=", "<", "<=", ">", ">=", "IN", "NOT IN", "IS SET", "NOT SET",
    ] {
        let value = match op {
            "IN" | "NOT IN" => " [1]",
            "IS SET" | "NOT SET" => "",
            _ => " 1",
        };
        let c = parse(&format!("custom:x {op}{value}")).unwrap();
        assert_eq!(c.operator.as_str(), op);
    }
}

#[test]
fn documented_examples_parse() {
    // The examples of Tailscale's device posture docs.
    for (text, canonical) in [
        (
            "node:os IN ['macos', 'linux']",
            "node:os IN ['macos', 'linux']",
        ),
        ("node:tsVersion >= '1.42.2'", "node:tsVersion >= '1.42.2'"),
        ("node:tsAutoUpdate == true", "node:tsAutoUpdate == true"),
        ("falcon:ztaScore >= 70", "falcon:ztaScore >= 70"),
        ("custom:attr IS SET", "custom:attr IS SET"),
        ("ip:country in ['CA', 'US']", "ip:country IN ['CA', 'US']"),
        ("custom:tier != 'prod'", "custom:tier != 'prod'"),
        ("custom:provisioned == true", "custom:provisioned == true"),
        ("node:tsVersion >= '1.60'", "node:tsVersion >= '1.60'"),
    ] {
        let c = parse(text).unwrap_or_else(|e| panic!("{text}: {e:?}"));
        assert_eq!(c.print(), canonical);
        assert!(known_namespace(c.namespace()), "{text}");
    }
}

#[test]
fn namespaces_and_versions() {
    for ns in [
        "node",
        "ip",
        "custom",
        "falcon",
        "sentinelOne",
        "intune",
        "jamfPro",
        "kandji",
        "kolide",
        "fleet",
        "fleetPolicy",
        "huntress",
    ] {
        assert!(known_namespace(ns), "{ns}");
    }
    for ns in ["Node", "sentinelone", "posture", "", "customs"] {
        assert!(!known_namespace(ns), "{ns}");
    }
    for v in ["1.60", "14.2.1", "6.5.0-14-generic", "0"] {
        assert!(is_version(v), "{v}");
    }
    for v in ["gold", "v1.2", "", " 1.2", ".5"] {
        assert!(!is_version(v), "{v}");
    }
}

#[test]
fn cmpver_table() {
    use Ordering::*;
    let huge = "1.".to_string() + &"9".repeat(40);
    let huger = "1.1".to_string() + &"0".repeat(40);
    let cases: Vec<(&str, &str, Ordering)> = vec![
        ("1.40.0", "1.40.0", Equal),
        ("1.9", "1.86.2", Less),
        ("1.40", "1.40.0", Less),
        ("1.58.2", "1.60", Less),
        ("1.60.0", "1.60", Greater),
        ("2", "10", Less),
        // A trailing "-pre" is more text, so the pre-release sorts after the release.
        ("1.40.0-pre", "1.40.0", Greater),
        ("1.40.0-pre", "1.40.1", Less),
        ("1.40.0-pre1", "1.40.0-pre2", Less),
        ("1.40.0-pre10", "1.40.0-pre9", Greater),
        ("1.40.0-beta", "1.40.0-alpha", Greater),
        // Digit runs compare as integers: leading zeros do not count.
        ("1.01", "1.1", Equal),
        ("1.010", "1.9", Greater),
        ("007", "7", Equal),
        // A missing digit run is 0, as in the Go code.
        ("1.", "1.0", Equal),
        ("", "0", Equal),
        ("", "", Equal),
        ("", "1", Less),
        ("a", "b", Less),
        ("1a", "1b", Less),
        // Text runs compare by bytes: upper case before lower case.
        ("1.0B", "1.0a", Less),
        // Digit runs past u64 still compare.
        (
            "99999999999999999999999",
            "99999999999999999999998",
            Greater,
        ),
        (&huge, &huger, Less),
        (&huge, &huge, Equal),
        ("1.2.3.4.5.6.7.8.9", "1.2.3.4.5.6.7.8.10", Less),
        // Only ASCII digits are digits: '٣' (Arabic-Indic three) is text, after every ASCII byte.
        ("1.٣", "1.9", Greater),
    ];
    for (a, b, want) in cases {
        assert_eq!(cmpver(a, b), want, "cmpver({a:?}, {b:?})");
        assert_eq!(cmpver(b, a), want.reverse(), "cmpver({b:?}, {a:?})");
    }
}

#[test]
fn evaluate_posture_ands_and_reports_each_condition() {
    let conditions: Vec<String> = [
        "node:os IN ['macos', 'linux']",
        "node:tsVersion >= '1.60'",
        "custom:tier IS SET",
    ]
    .map(String::from)
    .to_vec();
    let good = vec![
        ("node:os".to_string(), s("linux")),
        ("node:tsVersion".to_string(), s("1.62.0")),
        ("custom:tier".to_string(), s("gold")),
    ];
    let (matches, results) = evaluate_posture(&conditions, &good).unwrap();
    assert!(matches);
    assert!(results.iter().all(|r| r.matches && r.reason.is_none()));

    let bad = vec![
        ("node:os".to_string(), s("linux")),
        ("node:tsVersion".to_string(), s("1.58.2")),
    ];
    let (matches, results) = evaluate_posture(&conditions, &bad).unwrap();
    assert!(!matches);
    let got: Vec<(&str, bool, Option<&str>)> = results
        .iter()
        .map(|r| (r.condition.as_str(), r.matches, r.reason.as_deref()))
        .collect();
    assert_eq!(
        got,
        vec![
            ("node:os IN ['macos', 'linux']", true, None),
            (
                "node:tsVersion >= '1.60'",
                false,
                Some("node:tsVersion is 1.58.2, not >= 1.60")
            ),
            ("custom:tier IS SET", false, Some("custom:tier is not set")),
        ]
    );

    // One failing condition is enough to refuse.
    let one_bad = vec![
        ("node:os".to_string(), s("windows")),
        ("node:tsVersion".to_string(), s("1.62.0")),
        ("custom:tier".to_string(), s("gold")),
    ];
    assert!(!evaluate_posture(&conditions, &one_bad).unwrap().0);
    // No conditions: nothing to fail.
    assert_eq!(evaluate_posture(&[], &good).unwrap(), (true, vec![]));

    // Every condition that does not parse is listed, with its column; nothing is evaluated.
    let broken: Vec<String> = ["node:os == 'linux'", "node:os", "custom:x == \"a\""]
        .map(String::from)
        .to_vec();
    let issues = evaluate_posture(&broken, &good).unwrap_err();
    let got: Vec<(&str, &str)> = issues
        .iter()
        .map(|i| (i.field.as_str(), i.message.as_str()))
        .collect();
    assert_eq!(
        got,
        vec![
            (
                "conditions[1]",
                "column 8: expected an operator such as == or IN"
            ),
            (
                "conditions[2]",
                "column 13: values take single quotes, as in 'macos'"
            ),
        ]
    );
}

fn device(id: &str, attributes: &[(&str, AttributeValue)]) -> DeviceInput {
    DeviceInput {
        node_id: id.into(),
        name: format!("{id}.example.ts.net"),
        attributes: attributes
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect(),
    }
}

/// A device's verdict as (node id, matches, failed (condition, reason)).
type Row = (String, bool, Vec<(String, String)>);

#[test]
fn report_gives_each_posture_its_devices() {
    let postures = vec![
        PostureDef {
            name: "posture:latest".into(),
            conditions: vec![
                "node:tsVersion >= '1.60'".into(),
                "node:os IN ['macos', 'linux']".into(),
            ],
        },
        PostureDef {
            name: "posture:provisioned".into(),
            conditions: vec!["custom:provisioned == true".into()],
        },
        PostureDef {
            name: "posture:untiered".into(),
            conditions: vec!["custom:tier NOT SET".into()],
        },
    ];
    let devices = vec![
        device(
            "n1",
            &[
                ("node:os", s("linux")),
                ("node:tsVersion", s("1.62.1")),
                ("custom:provisioned", b(true)),
            ],
        ),
        device(
            "n2",
            &[
                ("node:os", s("windows")),
                ("node:tsVersion", s("1.58.2")),
                ("custom:provisioned", s("true")),
                ("custom:tier", s("gold")),
            ],
        ),
        device("n3", &[]),
    ];
    let verdicts = report(&postures, &devices);
    let got: Vec<(String, Vec<Row>)> = verdicts
        .into_iter()
        .map(|p| {
            assert_eq!(p.devices.len(), 3);
            (
                p.name,
                p.devices
                    .into_iter()
                    .map(|d| {
                        assert_eq!(d.name, format!("{}.example.ts.net", d.node_id));
                        (d.node_id, d.matches, d.failed)
                    })
                    .collect(),
            )
        })
        .collect();
    let f = |c: &str, r: &str| (c.to_string(), r.to_string());
    let want = vec![
        (
            "posture:latest".to_string(),
            vec![
                ("n1".to_string(), true, vec![]),
                (
                    "n2".to_string(),
                    false,
                    vec![
                        f(
                            "node:tsVersion >= '1.60'",
                            "node:tsVersion is 1.58.2, not >= 1.60",
                        ),
                        f(
                            "node:os IN ['macos', 'linux']",
                            "node:os is 'windows', not in ['macos', 'linux']",
                        ),
                    ],
                ),
                (
                    "n3".to_string(),
                    false,
                    vec![
                        f("node:tsVersion >= '1.60'", "node:tsVersion is not set"),
                        f("node:os IN ['macos', 'linux']", "node:os is not set"),
                    ],
                ),
            ],
        ),
        (
            "posture:provisioned".to_string(),
            vec![
                ("n1".to_string(), true, vec![]),
                (
                    "n2".to_string(),
                    false,
                    vec![f(
                        "custom:provisioned == true",
                        "custom:provisioned is 'true' (a string), not the boolean true",
                    )],
                ),
                (
                    "n3".to_string(),
                    false,
                    vec![f(
                        "custom:provisioned == true",
                        "custom:provisioned is not set",
                    )],
                ),
            ],
        ),
        (
            "posture:untiered".to_string(),
            vec![
                ("n1".to_string(), true, vec![]),
                (
                    "n2".to_string(),
                    false,
                    vec![f("custom:tier NOT SET", "custom:tier is set (to 'gold')")],
                ),
                ("n3".to_string(), true, vec![]),
            ],
        ),
    ];
    assert_eq!(got, want);
}

#[test]
fn a_posture_that_does_not_parse_is_reported_as_its_error_and_the_others_still_evaluate() {
    let postures = vec![
        PostureDef {
            name: "posture:a".into(),
            conditions: vec![
                "node:os == 'linux'".into(),
                "node:os ==".into(),
                "custom:x = 1".into(),
            ],
        },
        PostureDef {
            name: "posture:b".into(),
            conditions: vec!["custom:x IN 'a'".into()],
        },
        PostureDef {
            name: "posture:ok".into(),
            conditions: vec!["custom:x NOT SET".into()],
        },
    ];
    // Parsed once, before any device is known.
    let prepared = prepare(&postures);
    let verdicts = prepared.report(&[device("n1", &[])]);
    let got: Vec<(&str, Option<&str>, usize)> = verdicts
        .iter()
        .map(|v| (v.name.as_str(), v.error.as_deref(), v.devices.len()))
        .collect();
    assert_eq!(
        got,
        vec![
            (
                "posture:a",
                Some(
                    "conditions[1] does not parse at column 11: expected a value after ==; \
                     conditions[2] does not parse at column 10: expected an operator such as == \
                     or IN (equality is ==)"
                ),
                0
            ),
            (
                "posture:b",
                Some(
                    "conditions[0] does not parse at column 13: IN takes a bracketed list, as in \
                     ['macos', 'linux']"
                ),
                0
            ),
            ("posture:ok", None, 1),
        ]
    );
    assert_eq!(verdicts[0].conditions, postures[0].conditions);
    assert!(verdicts[2].devices[0].matches);
    assert_eq!(report(&postures, &[device("n1", &[])]), verdicts);
    // No devices, or no postures: an answer.
    assert_eq!(report(&postures[..0], &[]), vec![]);
}

#[test]
fn hand_made_conditions_evaluate_without_text() {
    // A Condition built without parse (no value_text) still gives reasons in words.
    let c = Condition {
        attribute: "custom:n".into(),
        operator: Operator::In,
        value: Operand::List(vec![n(1.0), n(0.1), n(-2.5e-9), n(1e21), s("x")]),
        value_text: String::new(),
    };
    assert_eq!(
        evaluate(&c, Some(&n(3.0))).reason.as_deref(),
        Some("custom:n is 3, not in [1, 0.1, -2.5e-9, 1e+21, 'x']")
    );
    // Shapes parse never makes do not panic, and do not match.
    for (operator, value) in [
        (Operator::Eq, Operand::None),
        (Operator::Ge, Operand::List(vec![n(1.0)])),
        (Operator::In, Operand::None),
    ] {
        let c = Condition {
            attribute: "custom:n".into(),
            operator,
            value,
            value_text: String::new(),
        };
        let got = evaluate(&c, Some(&n(1.0)));
        assert!(!got.matches && got.reason.is_some(), "{c:?}");
    }
    // Device numbers that are not integers below 2^64 read in JS's notation, to 15 significant
    // digits (JS writes 2^64 as 18446744073709552000).
    let c = parse("custom:n == 'x'").unwrap();
    for (value, text) in [
        (0.5, "0.5"),
        (123.456, "123.456"),
        (-0.000001, "-0.000001"),
        (1e-7, "1e-7"),
        (f64::NAN, "NaN"),
        (f64::NEG_INFINITY, "-Infinity"),
        (1.8446744073709552e19, "18446744073709600000"),
        (1e300, "1e+300"),
        (5e-324, "4.94065645841247e-324"),
        (9007199254740991.0, "9007199254740991"),
    ] {
        let reason = evaluate(&c, Some(&n(value))).reason.unwrap();
        assert_eq!(
            reason,
            format!("custom:n is {text} (a number), not the string 'x'")
        );
    }
    // NaN orders with nothing.
    let c = parse("custom:n >= 0").unwrap();
    assert!(!evaluate(&c, Some(&n(f64::NAN))).matches);
}

// ---- Properties ----

fn attribute() -> impl Strategy<Value = String> {
    ("[a-zA-Z][a-zA-Z0-9]{0,6}", "[a-zA-Z0-9_:.-]{1,10}").prop_map(|(ns, name)| ns + ":" + &name)
}

fn number_text() -> impl Strategy<Value = String> {
    (
        any::<bool>(),
        "0|[1-9][0-9]{0,20}",
        proptest::option::of("[0-9]{1,8}"),
        proptest::option::of(("[eE]", "[+-]?", "[0-9]{1,2}")),
    )
        .prop_map(|(neg, int, frac, exp)| {
            let mut t = if neg { "-".to_string() } else { String::new() };
            t += &int;
            if let Some(f) = frac {
                t += ".";
                t += &f;
            }
            if let Some((e, sign, d)) = exp {
                t += &e;
                t += &sign;
                t += &d;
            }
            t
        })
}

fn value_text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[^']{0,12}".prop_map(|s| format!("'{s}'")),
        number_text(),
        Just("true".to_string()),
        Just("false".to_string()),
    ]
}

fn space() -> impl Strategy<Value = String> {
    "[ \t]{0,3}"
}

fn space1() -> impl Strategy<Value = String> {
    "[ \t]{1,3}"
}

/// A keyword in a random mix of cases.
fn cased(word: &'static str) -> impl Strategy<Value = String> {
    proptest::collection::vec(any::<bool>(), word.len()).prop_map(move |upper| {
        word.chars()
            .zip(upper)
            .map(|(c, u)| {
                if u {
                    c.to_ascii_uppercase()
                } else {
                    c.to_ascii_lowercase()
                }
            })
            .collect()
    })
}

/// Valid condition texts, spaced and cased at random.
fn condition_text() -> impl Strategy<Value = String> {
    let symbol = prop_oneof![
        Just("=="),
        Just("!="),
        Just("<"),
        Just("<="),
        Just(">"),
        Just(">=")
    ];
    let one = (attribute(), space(), symbol, space(), value_text(), space())
        .prop_map(|(a, s1, op, s2, v, s3)| format!("{a}{s1}{op}{s2}{v}{s3}"));
    let list = (
        attribute(),
        space1(),
        prop_oneof![
            cased("in").boxed(),
            (cased("not"), space1(), cased("in"))
                .prop_map(|(a, s, b)| format!("{a}{s}{b}"))
                .boxed(),
        ],
        space(),
        proptest::collection::vec((space(), value_text(), space()), 1..5),
    )
        .prop_map(|(a, s1, op, s2, items)| {
            let items: Vec<String> = items
                .into_iter()
                .map(|(x, v, y)| format!("{x}{v}{y}"))
                .collect();
            format!("{a}{s1}{op}{s2}[{}]", items.join(","))
        });
    let set = (
        space(),
        attribute(),
        space1(),
        prop_oneof![cased("is"), cased("not")],
        space1(),
        cased("set"),
        space(),
    )
        .prop_map(|(s0, a, s1, k, s2, set, s3)| format!("{s0}{a}{s1}{k}{s2}{set}{s3}"));
    prop_oneof![one, list, set]
}

proptest! {
    #[test]
    fn parse_print_parse_is_the_same_condition(text in condition_text()) {
        let first = parse(&text).map_err(|e| TestCaseError::fail(format!("{text:?}: {e:?}")))?;
        let printed = first.print();
        let second = parse(&printed).map_err(|e| TestCaseError::fail(format!("{printed:?}: {e:?}")))?;
        prop_assert_eq!(&second, &first);
        prop_assert_eq!(second.print(), printed);
    }

    #[test]
    fn cmpver_is_a_total_order(a in "[0-9a.-]{0,8}", b in "[0-9a.-]{0,8}", c in "[0-9a.-]{0,8}") {
        prop_assert_eq!(cmpver(&a, &b), cmpver(&b, &a).reverse());
        prop_assert_eq!(cmpver(&a, &a), Ordering::Equal);
        if cmpver(&a, &b) != Ordering::Greater && cmpver(&b, &c) != Ordering::Greater {
            prop_assert_ne!(cmpver(&a, &c), Ordering::Greater);
        }
    }

    #[test]
    fn no_input_panics(text in ".{0,40}", noise in "[a-zA-Z:'\"\\[\\], =!<>.0-9-]{0,30}", value in prop_oneof![
        Just(None),
        ".{0,8}".prop_map(|s| Some(AttributeValue::String(s))),
        any::<f64>().prop_map(|n| Some(AttributeValue::Number(n))),
        any::<bool>().prop_map(|b| Some(AttributeValue::Boolean(b))),
    ]) {
        for t in [&text, &noise] {
            if let Ok(c) = parse(t) {
                let _ = evaluate(&c, value.as_ref());
                prop_assert_eq!(parse(&c.print()), Ok(c));
            }
        }
    }
}

// ---- Conformance ----

/// `../shared/conformance/<rest>` beside the repository (or beside a worktree's parent), if
/// present: the data is never copied in, and a clone without it skips.
fn conformance(rest: &str) -> Option<std::path::PathBuf> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    root.ancestors()
        .skip(1)
        .map(|dir| dir.join("shared/conformance").join(rest))
        .find(|p| p.is_file())
}

#[test]
fn cmpver_agrees_with_tailscale_s_own_table() {
    let Some(path) = conformance("cmpver/cmpver.json") else {
        println!(
            "cmpver conformance: ../shared/conformance/cmpver/cmpver.json is not present; skipped"
        );
        return;
    };
    let table: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let vectors = table["vectors"].as_array().unwrap();
    let mut failures = Vec::new();
    for v in vectors {
        let (a, b) = (v["v1"].as_str().unwrap(), v["v2"].as_str().unwrap());
        let want = v["want"].as_i64().unwrap().cmp(&0);
        // Go checks both directions too.
        if cmpver(a, b) != want || cmpver(b, a) != want.reverse() {
            failures.push(format!(
                "{}: cmpver({a:?}, {b:?}) is {:?}, Go's {want:?}",
                v["name"],
                cmpver(a, b)
            ));
        }
    }
    println!(
        "cmpver conformance: {} of {} vectors of Tailscale's util/cmpver table agree",
        vectors.len() - failures.len(),
        vectors.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
