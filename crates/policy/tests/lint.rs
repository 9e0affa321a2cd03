//! The local checks of a policy document (`PolicyDocument.check`), what it defines, and the
//! readers behind `evaluatePosture`, `setPosture` and the posture report's devices.

use serde_json::{json, Value};
use tailscale_policy::hujson::Document;
use tailscale_policy::{lint, posture};
use tailscale_wire::attribute::AttributeValue;
use tailscale_wire::error::Error;

fn fields(issues: &[tailscale_wire::error::Issue]) -> Vec<&str> {
    issues.iter().map(|i| i.field.as_str()).collect()
}

const POLICY: &str = r#"// The tailnet's policy.
{
  "postures": {
    "posture:ok": ["custom:tier == 'gold'", "node:tsVersion >= '1.60'"],
    "bad": ["node:os == 'linux'"],
    "posture:empty": [],
    "posture:broken": ["custom:tier = 'gold'", "weird:x IS SET", "custom:bad-name == 1", "custom:tier >= 'gold'"],
    "posture:\"q\"": ["custom:x IS SET"],
  },
  "defaultSrcPosture": ["posture:ok", "posture:missing"],
  "grants": [{"src": ["*"], "dst": ["*"], "ip": ["*"], "srcPosture": ["posture:ok", "posture:gone"]}],
  "acls": [{"action": "accept", "src": ["*"], "dst": ["*:*"], "srcPosture": ["posture:nope"]}],
  "ssh": [{"action": "check", "src": ["*"], "dst": ["*"], "users": ["root"], "srcPosture": "posture:ok"}],
  "hosts": {"a": "1.2.3.4", "a": "5.6.7.8"},
}"#;

#[test]
fn the_local_checks_name_each_place() {
    let doc = Document::parse(POLICY).unwrap();
    let issues = lint::check(&doc);
    assert_eq!(
        fields(&issues),
        [
            "hosts.a",
            "postures.bad",
            "postures[\"posture:empty\"]",
            "postures[\"posture:broken\"][0]",
            "postures[\"posture:broken\"][1]",
            "postures[\"posture:broken\"][2]",
            "postures[\"posture:broken\"][3]",
            "defaultSrcPosture[1]",
            "grants[0].srcPosture[1]",
            "acls[0].srcPosture[0]",
            "ssh[0].srcPosture",
        ]
    );
    let message = |field: &str| {
        issues
            .iter()
            .find(|i| i.field == field)
            .map(|i| i.message.as_str())
            .unwrap()
    };
    assert!(
        message("hosts.a").contains("line 14"),
        "{}",
        message("hosts.a")
    );
    assert!(message("postures[\"posture:broken\"][0]").starts_with("does not parse at column 13"));
    assert!(message("postures[\"posture:broken\"][1]").contains("\"weird:\""));
    assert!(
        message("postures[\"posture:broken\"][3]").starts_with(">= compares numbers, or versions")
    );
    assert!(message("grants[0].srcPosture[1]").contains("\"posture:gone\""));
    // A name with a quote is written as JSON quotes it.
    let doc = Document::parse(r#"{"postures": {"posture:\"q\"": []}}"#).unwrap();
    assert_eq!(fields(&lint::check(&doc)), [r#"postures["posture:\"q\""]"#]);
}

#[test]
fn the_file_is_an_object_and_its_known_sections_have_their_types() {
    let issues = |text: &str| -> Vec<(String, String)> {
        lint::check(&Document::parse(text).unwrap())
            .into_iter()
            .map(|i| (i.field, i.message))
            .collect()
    };
    for (text, noun) in [
        ("[]", "a list"),
        ("[{\"grants\": 1}]", "a list"),
        ("5", "a number"),
        ("\"{}\"", "a string"),
        ("null", "null"),
        ("true", "a boolean"),
    ] {
        let want = "the policy file must be an object of sections, not ".to_string() + noun;
        assert_eq!(issues(text), [(String::new(), want)], "{text}");
    }
    let got = issues(
        r#"{
          "grants": {}, "acls": {"a": 1}, "ssh": "x", "tests": null, "sshTests": 1,
          "nodeAttrs": {}, "defaultSrcPosture": "posture:a",
          "groups": [], "hosts": "1.2.3.4", "tagOwners": [], "postures": [], "ipsets": 1,
          "autoApprovers": [], "derpMap": true,
          "randomizeClientPort": "yes", "disableIPv4": 0,
          "someFutureSection": 1
        }"#,
    );
    let want: Vec<(String, String)> = [
        ("grants", "must be a list of grants, not an object"),
        ("acls", "must be a list of rules, not an object"),
        ("ssh", "must be a list of rules, not a string"),
        ("tests", "must be a list of tests, not null"),
        ("sshTests", "must be a list of tests, not a number"),
        ("nodeAttrs", "must be a list of rules, not an object"),
        (
            "defaultSrcPosture",
            "must be a list of posture names, not a string",
        ),
        (
            "groups",
            "must be an object of group names to members, not a list",
        ),
        (
            "hosts",
            "must be an object of host names to addresses, not a string",
        ),
        (
            "tagOwners",
            "must be an object of tags to owners, not a list",
        ),
        (
            "postures",
            "must be an object of posture names to conditions, not a list",
        ),
        (
            "ipsets",
            "must be an object of IP set names to addresses, not a number",
        ),
        ("autoApprovers", "must be an object, not a list"),
        ("derpMap", "must be an object, not a boolean"),
        ("randomizeClientPort", "must be true or false, not a string"),
        ("disableIPv4", "must be true or false, not a number"),
    ]
    .map(|(f, m)| (f.to_string(), m.to_string()))
    .to_vec();
    assert_eq!(got, want);
    // The last of a duplicated section is the one JSON reads.
    let got = issues(r#"{"grants": {}, "grants": []}"#);
    assert_eq!(got.len(), 1, "{got:?}");
    assert!(got[0].1.contains("defined again"), "{got:?}");
}

#[test]
fn documented_attributes_meet_values_of_their_type() {
    // `node:tsVersion >= 1.60` compares a string with the number 1.6: it never matches.
    let doc = Document::parse(
        r#"{"postures": {"posture:latest": [
          "node:tsVersion >= 1.60",
          "node:tsVersion >= '1.60'",
          "node:tsAutoUpdate == 'true'",
          "node:os IN ['linux', 5]",
          "node:osVersion != 14",
          "ip:country == true",
          "node:hostname == 'x'",
          "node:os >= 'linux'",
        ]}}"#,
    )
    .unwrap();
    let got: Vec<(String, String)> = lint::check(&doc)
        .into_iter()
        .map(|i| (i.field, i.message))
        .collect();
    let at = |i: usize| format!("postures[\"posture:latest\"][{i}]");
    let want: Vec<(String, String)> = vec![
        (at(0), "node:tsVersion is a version, a string: quote the value, as in '1.60'".into()),
        (at(2), "node:tsAutoUpdate is a boolean: write true or false, without quotes".into()),
        (at(3), "node:os is a string: quote the value, as in 'macos'".into()),
        (at(4), "node:osVersion is a version, a string: quote the value, as in '14.2'".into()),
        (at(5), "ip:country is a string: quote the value, as in 'US'".into()),
        (at(6), "\"node:hostname\" is not a documented attribute (node: holds node:os, node:osVersion, node:tsVersion, node:tsReleaseTrack, node:tsAutoUpdate and node:tsStateEncrypted)".into()),
        (at(7), ">= compares numbers, or versions of node:osVersion and node:tsVersion (such as '1.60'), not this value".into()),
    ];
    assert_eq!(got, want);
    // setPosture checks the same, before it writes.
    let issues = lint::check_set_posture("posture:latest", &["node:tsVersion >= 1.60".into()]);
    assert_eq!(fields(&issues), ["conditions[0]"]);
    assert_eq!(
        posture::attribute_type("node:tsVersion"),
        Some((posture::AttributeType::Version, "'1.60'"))
    );
    assert_eq!(posture::attribute_type("custom:tsVersion"), None);
}

#[test]
fn a_document_defines_its_postures_in_order() {
    let doc = Document::parse(POLICY).unwrap();
    let (postures, defaults) = lint::postures_of(&doc);
    let names: Vec<&str> = postures.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "posture:ok",
            "bad",
            "posture:empty",
            "posture:broken",
            "posture:\"q\""
        ]
    );
    assert_eq!(
        postures[0].conditions,
        ["custom:tier == 'gold'", "node:tsVersion >= '1.60'"]
    );
    assert_eq!(defaults, ["posture:ok", "posture:missing"]);
    let (none, no_defaults) = lint::postures_of(&Document::parse("{}").unwrap());
    assert!(none.is_empty() && no_defaults.is_empty());
}

#[test]
fn a_duplicated_posture_is_defined_once_by_its_last_definition() {
    // As JSON.parse reads it: the first one's place, the last one's value.
    let doc = Document::parse(
        r#"{"postures": {
          "posture:a": ["custom:x IS SET"],
          "posture:b": ["custom:y IS SET"],
          "posture:a": ["custom:z IS SET"],
          "posture:c": ["custom:c IS SET"],
          "posture:c": 5,
        }}"#,
    )
    .unwrap();
    let (postures, _) = lint::postures_of(&doc);
    let got: Vec<(&str, &[String])> = postures
        .iter()
        .map(|p| (p.name.as_str(), p.conditions.as_slice()))
        .collect();
    let (z, y) = (
        ["custom:z IS SET".to_string()],
        ["custom:y IS SET".to_string()],
    );
    assert_eq!(got, [("posture:a", &z[..]), ("posture:b", &y[..])]);
    // The report then has each posture once.
    let verdicts = posture::report(&postures, &[]);
    let names: Vec<&str> = verdicts.iter().map(|v| v.name.as_str()).collect();
    assert_eq!(names, ["posture:a", "posture:b"]);
    // check() names each duplicate.
    let issues = lint::check(&doc);
    assert!(fields(&issues).contains(&"postures[\"posture:a\"]"));
    assert!(fields(&issues).contains(&"postures[\"posture:c\"]"));
}

#[test]
fn set_posture_checks_its_name_and_every_condition_first() {
    assert!(lint::check_set_posture("posture:x", &["custom:x == true".into()]).is_empty());
    let issues = lint::check_set_posture(
        "x",
        &[
            "custom:x ==".into(),
            "custom:y == 1".into(),
            "bogus:z IS SET".into(),
        ],
    );
    assert_eq!(fields(&issues), ["name", "conditions[0]", "conditions[2]"]);
    assert_eq!(
        fields(&lint::check_set_posture("posture:", &[])),
        ["name", "conditions"]
    );
    let Err(Error::Validation(issues)) = lint::read_posture(&&json!(5), &&json!(["a", 1])) else {
        panic!()
    };
    assert_eq!(fields(&issues), ["name", "conditions[1]"]);
}

#[test]
fn the_report_reads_each_device_s_attributes_and_leaves_out_the_gone() {
    let chosen = vec![
        ("n1".to_string(), "a.ts.net".to_string()),
        ("n2".into(), "b".into()),
    ];
    let attributes = [
        json!({ "custom:tier": "gold", "node:os": "linux", "odd": [1] }),
        Value::Null,
    ];
    let inputs = posture::device_inputs(chosen, attributes.iter().collect());
    assert_eq!(
        inputs.len(),
        1,
        "the device whose read found it gone is left out"
    );
    assert_eq!(inputs[0].node_id, "n1");
    assert_eq!(
        inputs[0].attributes,
        [
            (
                "custom:tier".to_string(),
                AttributeValue::String("gold".into())
            ),
            ("node:os".into(), AttributeValue::String("linux".into()))
        ]
    );
}

#[test]
fn evaluate_posture_takes_strings_and_scalar_attributes() {
    let (conditions, attributes) = posture::evaluation_input(
        &&json!(["custom:x IS SET"]),
        &&json!({ "custom:x": 1, "custom:y": true }),
    )
    .unwrap();
    assert_eq!(conditions, ["custom:x IS SET"]);
    assert_eq!(attributes.len(), 2);
    let Err(Error::Validation(issues)) =
        posture::evaluation_input(&&json!("custom:x IS SET"), &&json!({ "custom:x": {} }))
    else {
        panic!()
    };
    assert_eq!(fields(&issues), ["conditions", "attributes"]);
}

#[test]
fn the_report_chooses_its_devices_by_node_id() {
    let listed = [
        json!({ "nodeId": "n1", "name": "a.ts.net" }),
        json!({ "nodeId": "n2", "hostname": "b" }),
        json!({ "id": "legacy-only" }),
    ];
    let listed: Vec<&Value> = listed.iter().collect();
    let all = posture::choose_devices(&listed, None).unwrap();
    assert_eq!(
        all,
        [
            ("n1".to_string(), "a.ts.net".to_string()),
            ("n2".into(), "b".into())
        ]
    );
    let chosen = posture::choose_devices(&listed, Some(&["n2".into()])).unwrap();
    assert_eq!(chosen, [("n2".to_string(), "b".to_string())]);
    let Err(Error::Validation(issues)) =
        posture::choose_devices(&listed, Some(&["n2".into(), "n9".into()]))
    else {
        panic!()
    };
    assert_eq!(fields(&issues), ["deviceIds[1]"]);

    let options =
        posture::report_options(&json!({ "text": "{}", "deviceIds": ["n1"], "signal": null }))
            .unwrap();
    assert_eq!(
        (options.text.as_deref(), options.device_ids),
        (Some("{}"), Some(vec!["n1".to_string()]))
    );
    assert!(posture::report_options(&json!({ "deviceIds": [""] })).is_err());
}

/// The value a table row gives, as the parser's.
fn table_value(v: &Value) -> Option<AttributeValue> {
    match v {
        Value::String(s) => Some(AttributeValue::String(s.clone())),
        Value::Number(n) => n.as_f64().map(AttributeValue::Number),
        Value::Bool(b) => Some(AttributeValue::Boolean(*b)),
        _ => None,
    }
}

/// tests/data/posture-grammar.json: one table for this crate and the demo tailnet's parser
/// (tests/js/posture-grammar.test.mjs reads it too).
#[test]
fn one_grammar_table_for_both_sides() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/data/posture-grammar.json"
    );
    let table: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let rows = table["conditions"].as_array().unwrap();
    assert!(rows.len() >= 80, "{}", rows.len());
    let mut failures = Vec::new();
    for row in rows {
        let text = row["condition"].as_str().unwrap();
        let accept = row["accept"].as_bool().unwrap();
        let issue = lint::condition_issues(text);
        if issue.is_some() == accept {
            failures.push(format!("{text:?}: want accept {accept}, got {issue:?}"));
            continue;
        }
        // setPosture checks as check() does.
        let set = lint::check_set_posture("posture:x", &[text.to_string()]);
        if set.is_empty() != accept {
            failures.push(format!("{text:?}: setPosture says {set:?}"));
        }
        if !accept {
            continue;
        }
        let parsed = &row["parsed"];
        let c = posture::parse(text).unwrap();
        let want_value = match &parsed["value"] {
            Value::Null => posture::Operand::None,
            Value::Array(items) => {
                posture::Operand::List(items.iter().filter_map(table_value).collect())
            }
            v => posture::Operand::One(table_value(v).unwrap()),
        };
        let got = (c.attribute.as_str(), c.operator.as_str(), &c.value);
        let want = (
            parsed["attribute"].as_str().unwrap(),
            parsed["operator"].as_str().unwrap(),
            &want_value,
        );
        if got != want {
            failures.push(format!("{text:?}: parsed {got:?}, want {want:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
