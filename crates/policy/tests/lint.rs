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
        message("postures[\"posture:broken\"][3]").starts_with(">= compares numbers or versions")
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
