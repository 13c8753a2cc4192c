//! One case per problem kind: a small file, and the exact problem lines it must produce.
//! When a message changes on purpose, `UPDATE_EXPECT=1 cargo test -p detente-scenario --test
//! problems` rewrites the expected lines in place (then `cargo fmt`, and review the diff).

use detente_scenario::{Format, ProblemKind, parse};

/// A small valid scenario; each case edits it.
const BASE: &str = r#"version = 1
[scenario]
name = "t"
title = "T"

[[parties]]
id = "a"
name = "A"
role = "principal"

[[issues]]
id = "x"
name = "X"
options = [{ id = "x0", label = "X0" }, { id = "x1", label = "X1" }]

[[issues]]
id = "s"
name = "S"
scale = { unit = "u", min = 0, max = 100, step = 10 }

[[stances]]
party = "a"
issue = "x"
weight = 1
values = { x0 = 0.0, x1 = 1.0 }

[[stances]]
party = "a"
issue = "s"
weight = 1
ideal = 50
tolerance = 50

[[proposals]]
id = "p"
title = "P"
terms = { x = "x0", s = 20 }

[[sources]]
id = "S1"
title = "Source"

[[parties]]
id = "b"
name = "B"
role = "principal"
"#;

/// BASE with each `(from, to)` replaced once (each `from` must occur).
fn edit(edits: &[(&str, &str)]) -> String {
    let mut text = BASE.to_string();
    for (from, to) in edits {
        assert!(text.contains(from), "{from:?} not in the file");
        text = text.replacen(from, to, 1);
    }
    text
}

/// Parses as TOML (or JSON for `.json` names) and compares the rendered problems with
/// `expect`; with `UPDATE_EXPECT=1`, a case whose problems differ rewrites its `expect` in
/// this file instead (review the diff, then run `cargo fmt`).
#[track_caller]
fn check_file(file: &str, text: &str, kind: ProblemKind, expect: &[&str]) {
    let format = Format::from_path(file).unwrap();
    let err = match parse(file, text.as_bytes(), format) {
        Ok(_) => panic!("{file} was accepted"),
        Err(e) => e,
    };
    let lines: Vec<String> = err.problems().iter().map(|p| p.to_string()).collect();
    if lines != expect && std::env::var_os("UPDATE_EXPECT").is_some() {
        expect::update(std::panic::Location::caller().line(), &lines);
    } else {
        assert_eq!(lines, expect, "\n{err}\n(refresh with UPDATE_EXPECT=1 if intended)");
    }
    assert!(err.problems().iter().any(|p| p.kind == kind), "no {kind:?} in\n{err}");
}

#[track_caller]
fn check(text: &str, kind: ProblemKind, expect: &[&str]) {
    check_file("t.toml", text, kind, expect);
}

/// Update-in-place expectations: the `expect` argument of a `check` call is rewritten in
/// this file, found from the line of the call.
mod expect {
    use std::path::Path;
    use std::sync::Mutex;

    /// The rewrites made so far by this test run: (line of the call in the compiled source,
    /// lines the rewrite added), so that later calls are found where they now are.
    static EDITS: Mutex<Vec<(u32, isize)>> = Mutex::new(Vec::new());

    /// Rewrites the expectation of the call at `line` (of the compiled source) to `actual`.
    pub fn update(line: u32, actual: &[String]) {
        let mut edits = EDITS.lock().unwrap_or_else(|e| e.into_inner());
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/problems.rs");
        let text = std::fs::read_to_string(&path).expect("the test's source is readable");
        let shift: isize = edits.iter().filter(|(l, _)| *l < line).map(|(_, d)| d).sum();
        let now = usize::try_from(line as isize + shift).expect("a line number");
        let (new, added) = rewrite(&text, now, actual)
            .unwrap_or_else(|| panic!("no expectation found for the call at line {now}"));
        std::fs::write(&path, new).expect("the test's source is writable");
        edits.push((line, added));
        eprintln!("updated the expectation of the call at line {now}");
    }

    /// `text` with the expectation of the call starting at 1-based `line` (the first `&[`
    /// after the first `ProblemKind::` from that line) replaced by `actual`, and the number
    /// of lines that added (negative when it removed some).
    pub fn rewrite(text: &str, line: usize, actual: &[String]) -> Option<(String, isize)> {
        let call = text.split_inclusive('\n').take(line.checked_sub(1)?).map(str::len).sum();
        let kind = call + text.get(call..)?.find("ProblemKind::")?;
        let open = kind + text.get(kind..)?.find("&[")?;
        // The matching `]`, skipping string literals (problem paths hold brackets).
        let mut close = None;
        let (mut depth, mut in_str, mut escaped) = (0usize, false, false);
        for (k, c) in text.get(open + 1..)?.char_indices() {
            match (in_str, escaped, c) {
                (true, true, _) => escaped = false,
                (true, false, '\\') => escaped = true,
                (true, false, '"') => in_str = false,
                (true, false, _) => {}
                (false, _, '"') => in_str = true,
                (false, _, '[') => depth += 1,
                (false, _, ']') => {
                    depth -= 1;
                    if depth == 0 {
                        close = Some(open + 1 + k);
                        break;
                    }
                }
                _ => {}
            }
        }
        let close = close?;
        let line_start = text.get(..open)?.rfind('\n').map_or(0, |k| k + 1);
        let indent: String =
            text.get(line_start..open)?.chars().take_while(|c| *c == ' ').collect();
        let mut new = String::from("&[");
        if !actual.is_empty() {
            new.push('\n');
            for l in actual {
                new.push_str(&format!("{indent}    {l:?},\n"));
            }
            new.push_str(&indent);
        }
        new.push(']');
        let old = text.get(open..=close)?;
        let added = new.matches('\n').count() as isize - old.matches('\n').count() as isize;
        Some((format!("{}{new}{}", text.get(..open)?, text.get(close + 1..)?), added))
    }
}

#[test]
fn expectations_update_in_place() {
    let source = "fn t() {\n    check(\n        &edit(&[(\"a\", \"[b]\")]),\n        ProblemKind::Syntax,\n        &[\"old ] \\\" [x]\"],\n    );\n}\n";
    let new = ["t.toml:1:1: a[0]: \"q\" ]".to_string(), "two".to_string()];
    let (text, added) = expect::rewrite(source, 2, &new).unwrap();
    assert_eq!(
        text,
        "fn t() {\n    check(\n        &edit(&[(\"a\", \"[b]\")]),\n        ProblemKind::Syntax,\n        &[\n            \"t.toml:1:1: a[0]: \\\"q\\\" ]\",\n            \"two\",\n        ],\n    );\n}\n"
    );
    assert_eq!(added, 3);
    let (back, removed) = expect::rewrite(&text, 2, &[]).unwrap();
    assert_eq!(back, source.replace("[\"old ] \\\" [x]\"]", "[]"));
    assert_eq!(removed, -3);
    assert!(expect::rewrite(source, 7, &new).is_none());
}

#[test]
fn base_is_valid() {
    let s = parse("t.toml", BASE.as_bytes(), Format::Toml).unwrap();
    assert_eq!(s.parties()[0].capability, 1.0);
    assert_eq!(s.proposals()[0].stated, [true, true]);
}

#[test]
fn syntax() {
    check(
        &edit(&[("title = \"T\"", "title = ")]),
        ProblemKind::Syntax,
        &["t.toml:4:9: string values must be quoted, expected literal string"],
    );
    check_file(
        "t.json",
        "{\"version\": 1,\n  \"scenario\": {,}}",
        ProblemKind::Syntax,
        &["t.json:2:16: expected a key in double quotes, found ','"],
    );
    check_file(
        "t.json",
        "{\"version\": 1,",
        ProblemKind::Syntax,
        &["t.json:1:15: expected a key in double quotes: unexpected end of file"],
    );
}

#[test]
fn encoding() {
    let mut bytes = b"version = 1\n# caf".to_vec();
    bytes.extend([0xC3, 0x28]);
    let err = parse("t.toml", &bytes, Format::Toml).unwrap_err();
    assert_eq!(
        err.to_string(),
        "t.toml:2:6: not UTF-8: invalid byte 0xc3 (save the file as UTF-8)"
    );
    assert_eq!(err.problems()[0].kind, ProblemKind::Encoding);
}

#[test]
fn empty() {
    for text in ["", " \n\t\n"] {
        check(
            text,
            ProblemKind::Empty,
            &[
                "t.toml:1:1: empty file: a scenario needs `version = 1`, [scenario], [[parties]] and [[issues]]",
            ],
        );
    }
    check(
        &edit(&[(
            "options = [{ id = \"x0\", label = \"X0\" }, { id = \"x1\", label = \"X1\" }]",
            "options = []",
        )]),
        ProblemKind::Empty,
        &["t.toml:14:11: issues[0].options: needs at least one option, found none"],
    );
}

#[test]
fn version() {
    check(
        &edit(&[("version = 1\n", "")]),
        ProblemKind::Version,
        &["t.toml:1:1: missing field \"version\" (write `version = 1`)"],
    );
    check(
        &edit(&[("version = 1", "version = 2")]),
        ProblemKind::Version,
        &["t.toml:1:11: version: unsupported format version 2 (this program reads version 1)"],
    );
    check(
        &edit(&[("version = 1", "version = \"1\"")]),
        ProblemKind::Version,
        &["t.toml:1:11: version: must be the integer 1, found \"1\""],
    );
}

#[test]
fn missing_field() {
    check(
        &edit(&[("name = \"A\"\n", "")]),
        ProblemKind::MissingField,
        &["t.toml:6:1: parties[0]: missing field \"name\""],
    );
}

#[test]
fn unknown_field() {
    check(
        &edit(&[("role = \"principal\"", "role = \"principal\"\nreservaton = 0.5\ncolour = 1")]),
        ProblemKind::UnknownField,
        &[
            "t.toml:10:1: parties[0].reservaton: unknown field \"reservaton\" (did you mean \"reservation\"?)",
            "t.toml:11:1: parties[0].colour: unknown field \"colour\" (fields: id, name, role, capability, reservation, bias, discount, description, aliases)",
        ],
    );
}

#[test]
fn wrong_type() {
    check(
        &edit(&[("title = \"T\"", "title = 3"), ("weight = 1\nideal", "weight = \"1\"\nideal")]),
        ProblemKind::WrongType,
        &[
            "t.toml:4:9: scenario.title: must be a string, found 3",
            "t.toml:30:10: stances[1].weight: must be a finite number >= 0, found \"1\"",
        ],
    );
}

#[test]
fn invalid_id() {
    check(
        &edit(&[
            ("id = \"a\"", "id = \"a b\""),
            ("party = \"a\"\nissue = \"x\"", "party = \"a b\"\nissue = \"x\""),
            ("party = \"a\"\nissue = \"s\"", "party = \"a b\"\nissue = \"s\""),
            ("name = \"t\"", "name = \"t.1\""),
        ]),
        ProblemKind::InvalidId,
        &[
            "t.toml:3:8: scenario.name: invalid name \"t.1\": use only letters, digits, '-' and '_'",
            "t.toml:7:6: parties[0].id: invalid id \"a b\": use only letters, digits, '-', '_' and '.'",
        ],
    );
    check(
        &edit(&[("id = \"S1\"", "id = \"\"")]),
        ProblemKind::InvalidId,
        &["t.toml:40:6: sources[0].id: id must not be empty"],
    );
}

#[test]
fn duplicate_id() {
    check(
        &format!(
            "{BASE}\n[[issues]]\nid = \"x\"\nname = \"X again\"\noptions = [{{ id = \"y\", label = \"Y\" }}]\n"
        ),
        ProblemKind::DuplicateId,
        &["t.toml:49:6: issues[2].id: duplicate issue id \"x\" (first at line 12)"],
    );
    check(
        &edit(&[("{ id = \"x1\"", "{ id = \"x0\"")]),
        ProblemKind::DuplicateId,
        &[
            "t.toml:14:48: issues[0].options[1].id: duplicate option id \"x0\" in issue x (first at line 14)",
        ],
    );
}

#[test]
fn unknown_reference() {
    check(
        &edit(&[
            ("party = \"a\"", "party = \"c\""),
            ("x = \"x0\"", "x = \"x9\", y = 1"),
            ("title = \"P\"", "title = \"P\"\namends = \"q\""),
        ]),
        ProblemKind::UnknownReference,
        &[
            "t.toml:22:9: stances[0].party: unknown party \"c\" (parties: a, b)",
            "t.toml:37:10: proposals[0].amends: unknown proposal \"q\" (proposals: p)",
            "t.toml:38:15: proposals[0].terms.x: unknown option \"x9\" of issue x (options: x0, x1)",
            "t.toml:38:21: proposals[0].terms.y: unknown issue \"y\" (issues: x, s)",
        ],
    );
}

#[test]
fn not_finite() {
    check(
        &edit(&[
            ("weight = 1\nvalues", "weight = nan\nvalues"),
            ("x1 = 1.0", "x1 = inf"),
            ("ideal = 50", "ideal = -inf"),
        ]),
        ProblemKind::NotFinite,
        &[
            "t.toml:24:10: stances[0].weight: must be a finite number >= 0, found nan",
            "t.toml:25:27: stances[0].values.x1: must be a finite number in [0, 1], found inf",
            "t.toml:31:9: stances[1].ideal: must be a finite number in [0, 100], found -inf",
        ],
    );
}

#[test]
fn out_of_range() {
    check(
        &edit(&[
            ("role = \"principal\"", "role = \"principal\"\ncapability = -1\nreservation = 1.5"),
            ("x1 = 1.0", "x1 = 2"),
            ("ideal = 50", "ideal = 150"),
            ("tolerance = 50", "tolerance = 0"),
        ]),
        ProblemKind::OutOfRange,
        &[
            "t.toml:10:14: parties[0].capability: must be a finite number >= 0, found -1",
            "t.toml:11:15: parties[0].reservation: must be a finite number in [0, 1], found 1.5",
            "t.toml:27:27: stances[0].values.x1: must be a finite number in [0, 1], found 2",
            "t.toml:33:9: stances[1].ideal: must be a finite number in [0, 100], found 150",
            "t.toml:34:13: stances[1].tolerance: must be a finite number > 0, found 0",
        ],
    );
}

#[test]
fn scale() {
    check(
        &edit(&[("step = 10", "step = 7")]),
        ProblemKind::Scale,
        &[
            "t.toml:19:50: issues[1].scale.step: must divide max - min (100) into whole steps, found step 7 (14.286 steps)",
        ],
    );
    check(
        &edit(&[("min = 0, max = 100", "min = 100, max = 0")]),
        ProblemKind::Scale,
        &["t.toml:19:40: issues[1].scale.max: must be >= min (100), found 0"],
    );
    check(
        &edit(&[("max = 100, step = 10", "max = 1000000, step = 1")]),
        ProblemKind::Scale,
        &[
            "t.toml:19:54: issues[1].scale.step: makes 1000000 steps from 0 to 1000000; at most 100000 are allowed",
        ],
    );
    check(
        &edit(&[("step = 10", "step = 0")]),
        ProblemKind::OutOfRange,
        &["t.toml:19:50: issues[1].scale.step: must be a finite number > 0, found 0"],
    );
}

#[test]
fn duplicate_stance() {
    check(
        &format!(
            "{BASE}\n[[stances]]\nparty = \"a\"\nissue = \"x\"\nweight = 2\nvalues = {{ x0 = 1, x1 = 0 }}\n"
        ),
        ProblemKind::DuplicateStance,
        &["t.toml:48:1: stances[2]: second stance of party a on issue x (first at line 21)"],
    );
}

#[test]
fn missing_value() {
    check(
        &edit(&[("values = { x0 = 0.0, x1 = 1.0 }", "values = { x0 = 0.0 }")]),
        ProblemKind::MissingValue,
        &[
            "t.toml:25:10: stances[0].values: no value for option \"x1\" of issue x (every option needs a value)",
        ],
    );
}

#[test]
fn preference_mismatch() {
    check(
        &edit(&[
            ("values = { x0 = 0.0, x1 = 1.0 }", "values = { x0 = 0.0, x1 = 1.0 }\nideal = 1"),
            ("tolerance = 50", "tolerance = 50\nvalues = { a = 1 }"),
        ]),
        ProblemKind::PreferenceMismatch,
        &[
            "t.toml:26:1: stances[0].ideal: ideal is for scale issues; issue x has options (give values)",
            "t.toml:34:1: stances[1].values: values is for issues with options; issue s is a scale (give ideal and tolerance)",
        ],
    );
}

#[test]
fn red_line() {
    check(
        &edit(&[
            (
                "values = { x0 = 0.0, x1 = 1.0 }",
                "values = { x0 = 0.0, x1 = 1.0 }\nred_lines = [{ forbid = [\"x0\"] }, { require = [\"x0\"] }, { forbid = [] }, { min = 1 }, {}, { forbid = [\"x1\"], max = 3 }]",
            ),
            (
                "tolerance = 50",
                "tolerance = 50\nred_lines = [{ min = 60, max = 55, reason = \"r\" }, { forbid = [\"x0\"] }]",
            ),
        ]),
        ProblemKind::RedLine,
        &[
            "t.toml:26:68: stances[0].red_lines[2].forbid: forbid must name at least one option, found []",
            "t.toml:26:74: stances[0].red_lines[3]: min/max bounds need a scale issue; issue x has options (use forbid or require)",
            "t.toml:26:87: stances[0].red_lines[4]: needs forbid, require, or min/max bounds",
            "t.toml:26:91: stances[0].red_lines[5]: has both an option list (forbid/require) and bounds (min/max); a red line is one of them",
            "t.toml:34:52: stances[1].red_lines[1]: forbid needs an issue with options; issue s is a scale (use min and max)",
        ],
    );
    check(
        &edit(&[
            (
                "values = { x0 = 0.0, x1 = 1.0 }",
                "values = { x0 = 0.0, x1 = 1.0 }\nred_lines = [{ forbid = [\"x0\"] }, { require = [\"x0\"] }]",
            ),
            (
                "tolerance = 50",
                "tolerance = 50\nred_lines = [{ min = 61, max = 69, reason = \"r\" }]",
            ),
        ]),
        ProblemKind::RedLine,
        &[
            "t.toml:26:13: stances[0].red_lines: the red lines of party a on issue x leave no acceptable option",
            "t.toml:34:13: stances[1].red_lines: the red lines of party a on issue s leave no acceptable option",
        ],
    );
}

#[test]
fn all_weights_zero() {
    check(
        &edit(&[
            ("weight = 1\nvalues", "weight = 0\nvalues"),
            ("weight = 1\nideal", "weight = 0.0\nideal"),
        ]),
        ProblemKind::AllWeightsZero,
        &[
            "t.toml:6:1: parties[0]: every weight of party a is 0 in its 2 stances (it would be indifferent to everything)",
        ],
    );
}

#[test]
fn term() {
    check(
        &edit(&[("s = 20", "s = 25")]),
        ProblemKind::Term,
        &[
            "t.toml:37:25: proposals[0].terms.s: must be a grid value of issue s (0 to 100 in steps of 10), found 25; nearest: 20, 30",
        ],
    );
    check(
        &edit(&[("s = 20", "s = 120")]),
        ProblemKind::Term,
        &[
            "t.toml:37:25: proposals[0].terms.s: must be on the scale of issue s [0, 100], found 120",
        ],
    );
    check(
        &edit(&[("terms = { x = \"x0\", s = 20 }", "terms = { x = \"x0\" }")]),
        ProblemKind::Term,
        &[
            "t.toml:37:9: proposals[0].terms: issue s neither set nor open (a proposal that amends nothing settles or opens every issue)",
        ],
    );
    check(
        &edit(&[(
            "terms = { x = \"x0\", s = 20 }",
            "terms = { x = \"x0\", s = 20 }\nopen = [\"s\"]",
        )]),
        ProblemKind::Term,
        &["t.toml:38:9: proposals[0].open[0]: issue s is both set in terms and open"],
    );
    check(
        &edit(&[("terms = { x = \"x0\", s = 20 }\n", "")]),
        ProblemKind::Term,
        &[
            "t.toml:34:1: proposals[0]: issues x, s neither set nor open (a proposal that amends nothing settles or opens every issue)",
        ],
    );
}

#[test]
fn circular_amendment() {
    let text = format!(
        "{BASE}\n[[proposals]]\nid = \"q\"\ntitle = \"Q\"\namends = \"r\"\n\n[[proposals]]\nid = \"r\"\ntitle = \"R\"\namends = \"q\"\n\n[[proposals]]\nid = \"t\"\ntitle = \"T\"\namends = \"t\"\n"
    );
    check(
        &text,
        ProblemKind::CircularAmendment,
        &[
            "t.toml:51:10: proposals[1].amends: circular amendment: q -> r -> q",
            "t.toml:61:10: proposals[3].amends: circular amendment: t -> t",
        ],
    );
}

#[test]
fn date() {
    check(
        &edit(&[
            ("title = \"T\"", "title = \"T\"\nas_of = \"2025-02-30\""),
            ("title = \"P\"", "title = \"P\"\ndate = 2025-11-20T10:00:00"),
            ("title = \"Source\"", "title = \"Source\"\ndate = \"11/2025\""),
        ]),
        ProblemKind::Date,
        &[
            "t.toml:5:9: scenario.as_of: must be a date YYYY-MM-DD, found \"2025-02-30\"",
            "t.toml:38:8: proposals[0].date: must be a date YYYY-MM-DD, YYYY-MM or YYYY, found the datetime 2025-11-20T10:00:00 (write the day alone)",
            "t.toml:44:8: sources[0].date: must be a date YYYY-MM-DD, YYYY-MM or YYYY, found \"11/2025\"",
        ],
    );
}

#[test]
fn invalid_value() {
    check(
        &edit(&[
            ("role = \"principal\"", "role = \"boss\""),
            ("weight = 1\nvalues", "weight = 1\nconfidence = \"D\"\nvalues"),
            ("title = \"Source\"", "title = \"Source\"\nquality = \"X\""),
        ]),
        ProblemKind::InvalidValue,
        &[
            "t.toml:9:8: parties[0].role: must be \"principal\", \"mediator\" or \"stakeholder\", found \"boss\"",
            "t.toml:25:14: stances[0].confidence: must be \"A\", \"B\" or \"C\", found \"D\"",
            "t.toml:43:11: sources[0].quality: must be \"H\", \"M\" or \"L\", found \"X\"",
        ],
    );
}

#[test]
fn conflict() {
    check(
        &edit(&[(
            "options = [",
            "scale = { unit = \"u\", min = 0, max = 1, step = 1 }\noptions = [",
        )]),
        ProblemKind::Conflict,
        &["t.toml:14:1: issues[0].scale: an issue has either options or a scale, found both"],
    );
}

#[test]
fn every_problem_is_reported_at_once() {
    let text = edit(&[
        ("version = 1", "version = 3"),
        ("role = \"principal\"", "role = \"principal\"\nreservaton = 0.5"),
        ("weight = 1\nvalues", "weight = nan\nvalues"),
        ("x1 = 1.0", "x1 = 1.0, x2 = 0.5"),
        ("s = 20", "s = 25"),
        ("title = \"Source\"", "title = \"Source\"\ndate = \"2025-13\""),
    ]);
    let err = parse("t.toml", text.as_bytes(), Format::Toml).unwrap_err();
    let kinds: Vec<ProblemKind> = err.problems().iter().map(|p| p.kind).collect();
    assert_eq!(
        kinds,
        [
            ProblemKind::Version,
            ProblemKind::UnknownField,
            ProblemKind::NotFinite,
            ProblemKind::UnknownReference,
            ProblemKind::Term,
            ProblemKind::Date,
        ]
    );
    assert_eq!(err.to_string().lines().count(), 6);
    assert!(!err.to_string().ends_with('\n'));
}

#[test]
fn json_problems_are_located() {
    let text = r#"{
  "version": 1,
  "scenario": { "name": "t", "title": "T", "title": "again" },
  "parties": [{ "id": "a", "name": "A", "role": "principal", "capability": 1e400 }, { "id": "b", "name": "B", "role": "principal" }],
  "issues": [{ "id": "x", "name": "X", "options": [{ "id": "x0", "label": "X0" }] }],
  "stances": [{ "party": "a", "issue": "x", "weight": -1, "values": { "x0": null } }]
}"#;
    check_file(
        "t.json",
        text,
        ProblemKind::DuplicateId,
        &[
            "t.json:3:44: duplicate key \"title\"",
            "t.json:4:76: parties[0].capability: must be a finite number >= 0, found 1e400",
            "t.json:6:55: stances[0].weight: must be a finite number >= 0, found -1",
            "t.json:6:77: stances[0].values.x0: must be a finite number in [0, 1], found null",
        ],
    );
    // Non-finite numbers as some writers spell them (as the NegMAS reader says too).
    check_file(
        "t.json",
        "{\"version\": 1, \"scenario\": {\"name\": NaN}}",
        ProblemKind::NotFinite,
        &["t.json:1:37: NaN is not a JSON number: every number must be finite"],
    );
    check_file(
        "t.json",
        "[1, 2]",
        ProblemKind::WrongType,
        &["t.json:1:1: the top level must be a table (a JSON object), found an array"],
    );
}

#[test]
fn amendments_resolve_in_any_order() {
    // The mark-up is listed before the draft it amends, and a second mark-up amends it.
    let text = edit(&[(
        "[[proposals]]\nid = \"p\"",
        "[[proposals]]\nid = \"m2\"\ntitle = \"M2\"\namends = \"m1\"\nterms = { s = 40 }\n\n\
         [[proposals]]\nid = \"m1\"\ntitle = \"M1\"\namends = \"p\"\nopen = [\"x\"]\n\n\
         [[proposals]]\nid = \"p\"",
    )]);
    let s = parse("t.toml", text.as_bytes(), Format::Toml).unwrap();
    let ids: Vec<&str> = s.proposals().iter().map(|p| p.id.as_str()).collect();
    assert_eq!(ids, ["p", "m1", "m2"]);
    use detente_core::Term;
    assert_eq!(s.proposals()[0].terms, [Term::Set(0), Term::Set(2)]);
    assert_eq!(s.proposals()[1].amends, Some(0));
    assert_eq!(s.proposals()[1].terms, [Term::Open, Term::Set(2)]);
    assert_eq!(s.proposals()[1].stated, [true, false]);
    assert_eq!(s.proposals()[2].amends, Some(1));
    assert_eq!(s.proposals()[2].terms, [Term::Open, Term::Set(4)]);
    assert_eq!(s.proposals()[2].stated, [false, true]);
}

#[test]
fn local_dates_are_accepted_unquoted() {
    let text = edit(&[("title = \"P\"", "title = \"P\"\ndate = 2025-11-20")]);
    let s = parse("t.toml", text.as_bytes(), Format::Toml).unwrap();
    assert_eq!(s.proposals()[0].date.as_deref(), Some("2025-11-20"));
}

#[test]
fn raw_utilities_take_any_finite_number() {
    let text = edit(&[
        ("title = \"T\"", "title = \"T\"\nutility = \"raw\""),
        (
            "role = \"principal\"",
            "role = \"principal\"\nreservation = -30.5\nbias = 2.5\ndiscount = 0.9",
        ),
        ("values = { x0 = 0.0, x1 = 1.0 }", "values = { x0 = -4.0, x1 = 12.5 }"),
    ]);
    let s = parse("t.toml", text.as_bytes(), Format::Toml).unwrap();
    assert_eq!(s.meta().utility, detente_core::UtilityForm::Raw);
    assert_eq!((s.parties()[0].reservation, s.parties()[0].bias), (-30.5, 2.5));
    assert_eq!(s.parties()[0].discount, Some(0.9));
    assert_eq!(s.value(0, 0, 1), 12.5);
    assert_eq!(s.weight(0, 0), 1.0); // as written, not normalised
    // A party whose weights are all 0 has the utility of its bias: allowed when raw.
    let zero = text.replace("weight = 1", "weight = 0");
    assert!(parse("t.toml", zero.as_bytes(), Format::Toml).is_ok());
}

#[test]
fn raw_utilities_still_need_finite_numbers() {
    check(
        &edit(&[
            ("title = \"T\"", "title = \"T\"\nutility = \"raw\""),
            ("role = \"principal\"", "role = \"principal\"\nreservation = nan\nbias = inf"),
            ("values = { x0 = 0.0, x1 = 1.0 }", "values = { x0 = -inf, x1 = 1.0 }"),
        ]),
        ProblemKind::NotFinite,
        &[
            "t.toml:11:15: parties[0].reservation: must be a finite number, found nan",
            "t.toml:12:8: parties[0].bias: must be a finite number, found inf",
            "t.toml:28:17: stances[0].values.x0: must be a finite number, found -inf",
        ],
    );
}

#[test]
fn bias_discount_and_utility_are_checked() {
    check(
        &edit(&[
            ("title = \"T\"", "title = \"T\"\nutility = \"normalized\""),
            ("role = \"principal\"", "role = \"principal\"\nbias = 0.5\ndiscount = 0"),
            ("values = { x0 = 0.0, x1 = 1.0 }", "values = { x0 = 0.0, x1 = 1.5 }"),
        ]),
        ProblemKind::Conflict,
        &[
            "t.toml:5:11: scenario.utility: must be \"normalised\" or \"raw\", found \"normalized\"",
            "t.toml:11:1: parties[0].bias: a bias needs raw utilities (write `utility = \"raw\"` in [scenario])",
            "t.toml:12:12: parties[0].discount: must be a finite number in (0, 1], found 0",
            "t.toml:28:27: stances[0].values.x1: must be a finite number in [0, 1], found 1.5",
        ],
    );
}

#[test]
fn numbers_beyond_exact_arithmetic() {
    let digits = format!("1{}", "0".repeat(308));
    check(
        &edit(&[
            ("title = \"T\"", "title = \"T\"\nutility = \"raw\""),
            (
                "role = \"principal\"",
                "role = \"principal\"\ncapability = 1e10\nreservation = -1e12\nbias = 1e300",
            ),
            ("weight = 1\nvalues", "weight = 1e308\nvalues"),
            ("values = { x0 = 0.0, x1 = 1.0 }", &format!("values = {{ x0 = 0.5, x1 = {digits} }}")),
            ("min = 0, max = 100", "min = -2e9, max = 100"),
            ("tolerance = 50", "tolerance = 1e-12\nred_lines = [{ max = 1e10 }]"),
        ]),
        ProblemKind::OutOfRange,
        &[
            "t.toml:11:14: parties[0].capability: must be at most 1e9 in magnitude, found 1e10 (larger numbers make utilities overflow or lose precision)",
            "t.toml:12:15: parties[0].reservation: must be at most 1e9 in magnitude, found -1e12 (larger numbers make utilities overflow or lose precision)",
            "t.toml:13:8: parties[0].bias: must be at most 1e9 in magnitude, found 1e300 (larger numbers make utilities overflow or lose precision)",
            "t.toml:23:29: issues[1].scale.min: must be at most 1e9 in magnitude, found -2e9 (larger numbers make utilities overflow or lose precision)",
            "t.toml:28:10: stances[0].weight: must be at most 1e9 in magnitude, found 1e308 (larger numbers make utilities overflow or lose precision)",
            "t.toml:29:27: stances[0].values.x1: must be at most 1e9 in magnitude, found a number of 309 digits (larger numbers make utilities overflow or lose precision)",
            "t.toml:36:13: stances[1].tolerance: must be at least 1e-9, found 1e-12 (a smaller tolerance or step loses precision)",
            "t.toml:37:22: stances[1].red_lines[0].max: must be at most 1e9 in magnitude, found 1e10 (larger numbers make utilities overflow or lose precision)",
        ],
    );
    // Tiny weights, and a step too small for the scale's bounds.
    check(
        &edit(&[
            ("weight = 1\nvalues", "weight = 1e-12\nvalues"),
            ("min = 0, max = 100, step = 10", "min = 999999999, max = 1000000000, step = 0.001"),
            ("ideal = 50", "ideal = 999999999"),
            ("s = 20", "s = 999999999"),
        ]),
        ProblemKind::OutOfRange,
        &[
            "t.toml:19:65: issues[1].scale.step: must be at least a billionth of the largest bound (1000000000), found 0.001 (closer grid points could not be told apart)",
            "t.toml:24:10: stances[0].weight: must be 0 or at least 1e-9, found 1e-12 (smaller weights lose precision when the weights are normalised)",
        ],
    );
}

#[test]
fn too_few_parties() {
    let one = BASE.replace("\n[[parties]]\nid = \"b\"\nname = \"B\"\nrole = \"principal\"\n", "");
    assert_ne!(one, BASE);
    check(
        &one,
        ProblemKind::TooFewParties,
        &["t.toml:6:1: parties: a negotiation needs at least two parties, found one"],
    );
    let json = r#"{"version": 1, "scenario": {"name": "t", "title": "T"},
"parties": [{"id": "a", "name": "A", "role": "principal"}],
"issues": [{"id": "x", "name": "X", "options": [{"id": "x0", "label": "X0"}]}]}"#;
    check_file(
        "t.json",
        json,
        ProblemKind::TooFewParties,
        &["t.json:2:12: parties: a negotiation needs at least two parties, found one"],
    );
}

#[test]
fn too_large() {
    // A file of a few hundred kilobytes that would ask for 10^8 stance slots and values.
    let mut text = String::from("version = 1\n[scenario]\nname = \"t\"\ntitle = \"T\"\n");
    for p in 0..10_000 {
        text.push_str(&format!("[[parties]]\nid = \"p{p}\"\nname = \"P\"\nrole = \"principal\"\n"));
    }
    for i in 0..10_000 {
        text.push_str(&format!(
            "[[issues]]\nid = \"i{i}\"\nname = \"I\"\noptions = [{{ id = \"o\", label = \"O\" }}]\n"
        ));
    }
    text.push_str("[[proposals]]\nid = \"p\"\ntitle = \"P\"\n");
    let err = parse("t.toml", text.as_bytes(), Format::Toml).unwrap_err();
    let lines: Vec<String> = err.problems().iter().map(|p| p.to_string()).collect();
    assert_eq!(
        lines,
        [
            "t.toml:5:1: parties: too large: 10000 parties x 10000 issues make 100000000, at most 1000000 are read",
            "t.toml:5:1: parties: too large: 10000 parties x 10000 options (grid points included) make 100000000, at most 10000000 are read",
        ]
    );
    assert_eq!(err.problems()[0].kind, ProblemKind::TooLarge);
}

// --- Uncertainty (docs/scenario-format.md, "Uncertainty") ------------------------------

#[test]
fn uncertainty_ranges_hold_their_value() {
    // low > value, value > high: at the number at fault.
    check(
        &edit(&[("weight = 1\nvalues", "weight = { value = 1, low = 2, high = 3 }\nvalues")]),
        ProblemKind::OutOfRange,
        &[
            "t.toml:24:29: stances[0].weight.low: must be <= value (1), found 2 (a range holds its value: low <= value <= high)",
        ],
    );
    check(
        &edit(&[("ideal = 50", "ideal = { value = 50, low = 40, high = 45 }")]),
        ProblemKind::OutOfRange,
        &[
            "t.toml:31:40: stances[1].ideal.high: must be >= value (50), found 45 (a range holds its value: low <= value <= high)",
        ],
    );
    // Both at once, in a value of an option.
    check(
        &edit(&[("x1 = 1.0", "x1 = { value = 0.5, low = 0.6, high = 0.4 }")]),
        ProblemKind::OutOfRange,
        &[
            "t.toml:25:48: stances[0].values.x1.low: must be <= value (0.5), found 0.6 (a range holds its value: low <= value <= high)",
            "t.toml:25:60: stances[0].values.x1.high: must be >= value (0.5), found 0.4 (a range holds its value: low <= value <= high)",
        ],
    );
}

#[test]
fn uncertainty_ranges_stay_in_the_allowed_values() {
    // Each number of a range keeps the field's own rule, named at the number.
    check(
        &edit(&[("x1 = 1.0", "x1 = { value = 1.0, low = 0.5, high = 1.2 }")]),
        ProblemKind::OutOfRange,
        &["t.toml:25:60: stances[0].values.x1.high: must be a finite number in [0, 1], found 1.2"],
    );
    check(
        &edit(&[("ideal = 50", "ideal = { value = 50, low = -10, high = 60 }")]),
        ProblemKind::OutOfRange,
        &["t.toml:31:29: stances[1].ideal.low: must be a finite number in [0, 100], found -10"],
    );
    check(
        &edit(&[("tolerance = 50", "tolerance = { value = 50, low = 0, high = 60 }")]),
        ProblemKind::OutOfRange,
        &["t.toml:32:33: stances[1].tolerance.low: must be a finite number > 0, found 0"],
    );
    check(
        &edit(&[(
            "role = \"principal\"\n\n[[issues]]",
            "role = \"principal\"\nreservation = { value = 0.5, low = 0.2, high = 1.5 }\ncapability = { value = 1, low = -1, high = nan }\n\n[[issues]]",
        )]),
        ProblemKind::NotFinite,
        &[
            "t.toml:10:48: parties[0].reservation.high: must be a finite number in [0, 1], found 1.5",
            "t.toml:11:33: parties[0].capability.low: must be a finite number >= 0, found -1",
            "t.toml:11:44: parties[0].capability.high: must be a finite number >= 0, found nan",
        ],
    );
}

#[test]
fn uncertainty_range_tables_are_checked_like_every_table() {
    // An unknown key (with a suggestion), a missing bound, an unknown or mistyped dist.
    check(
        &edit(&[("weight = 1\nvalues", "weight = { value = 1, lo = 0.5, high = 2 }\nvalues")]),
        ProblemKind::UnknownField,
        &[
            "t.toml:24:10: stances[0].weight: missing field \"low\" (a range needs value, low and high)",
            "t.toml:24:23: stances[0].weight.lo: unknown field \"lo\" (did you mean \"low\"?)",
        ],
    );
    check(
        &edit(&[("ideal = 50", "ideal = { value = 50, high = 60, dist = \"normal\" }")]),
        ProblemKind::InvalidValue,
        &[
            "t.toml:31:9: stances[1].ideal: missing field \"low\" (a range needs value, low and high)",
            "t.toml:31:41: stances[1].ideal.dist: must be \"triangular\" or \"uniform\", found \"normal\"",
        ],
    );
    check(
        &edit(&[("tolerance = 50", "tolerance = { value = 50, low = 40, high = 60, dist = 1 }")]),
        ProblemKind::WrongType,
        &["t.toml:32:55: stances[1].tolerance.dist: must be a string, found 1"],
    );
    // A stance on an unknown issue still has its ranges checked.
    check(
        &edit(&[(
            "issue = \"x\"\nweight = 1",
            "issue = \"y\"\nweight = { value = 1, low = 2, high = 3 }",
        )]),
        ProblemKind::UnknownReference,
        &[
            "t.toml:23:9: stances[0].issue: unknown issue \"y\" (issues: x, s)",
            "t.toml:24:29: stances[0].weight.low: must be <= value (1), found 2 (a range holds its value: low <= value <= high)",
        ],
    );
}

#[test]
fn uncertainty_red_lines_hold_with_a_probability() {
    let text = edit(&[(
        "tolerance = 50",
        "tolerance = 50\nred_lines = [{ min = 10, holds = 1.5 }, { max = 90, holds = \"often\" }]",
    )]);
    check(
        &text,
        ProblemKind::OutOfRange,
        &[
            "t.toml:33:34: stances[1].red_lines[0].holds: must be a finite number in [0, 1], found 1.5",
            "t.toml:33:61: stances[1].red_lines[1].holds: must be a finite number in [0, 1], found \"often\"",
        ],
    );
    check(
        &edit(&[(
            "tolerance = 50",
            "tolerance = 50\nred_lines = [{ min = 10, holds = -0.1 }, { max = 90, holds = nan }]",
        )]),
        ProblemKind::NotFinite,
        &[
            "t.toml:33:34: stances[1].red_lines[0].holds: must be a finite number in [0, 1], found -0.1",
            "t.toml:33:62: stances[1].red_lines[1].holds: must be a finite number in [0, 1], found nan",
        ],
    );
}

#[test]
fn uncertainty_table_widths_and_grades() {
    let table = |body: &str| {
        edit(&[("title = \"T\"\n", &format!("title = \"T\"\n\n[uncertainty]\n{body}\n"))])
    };
    check(
        &table("A = { weight = -0.1, value = nan }\nB = { tolerance = 1 }\nC = { weigth = 0.3 }"),
        ProblemKind::OutOfRange,
        &[
            "t.toml:7:16: uncertainty.A.weight: must be a finite number >= 0, found -0.1",
            "t.toml:7:30: uncertainty.A.value: must be a finite number >= 0, found nan",
            "t.toml:8:19: uncertainty.B.tolerance: must be a finite number in [0, 1), found 1",
            "t.toml:9:7: uncertainty.C.weigth: unknown field \"weigth\" (did you mean \"weight\"?)",
        ],
    );
    check(
        &table("ungraded = \"D\"\nD = { weight = 0.1 }\nA = 0.1"),
        ProblemKind::InvalidValue,
        &[
            "t.toml:7:12: uncertainty.ungraded: must be \"A\", \"B\", \"C\" or \"none\", found \"D\"",
            "t.toml:8:1: uncertainty.D: unknown field \"D\" (did you mean \"A\"?)",
            "t.toml:9:5: uncertainty.A: must be a table, found 0.1",
        ],
    );
    check_file(
        "t.json",
        "{\"version\": 1, \"scenario\": {\"name\": \"t\", \"title\": \"T\"},\n \"uncertainty\": {\"ungraded\": null, \"C\": {\"value\": -1}},\n \"parties\": [{\"id\": \"a\", \"name\": \"A\", \"role\": \"principal\", \"reservation\": {\"value\": 0.5, \"low\": 0.6, \"high\": 0.7}}, {\"id\": \"b\", \"name\": \"B\", \"role\": \"principal\"}],\n \"issues\": [{\"id\": \"x\", \"name\": \"X\", \"options\": [{\"id\": \"x0\", \"label\": \"X0\"}]}]}",
        ProblemKind::OutOfRange,
        &[
            "t.json:2:30: uncertainty.ungraded: must be a string, found null",
            "t.json:2:51: uncertainty.C.value: must be a finite number >= 0, found -1",
            "t.json:3:97: parties[0].reservation.low: must be <= value (0.5), found 0.6 (a range holds its value: low <= value <= high)",
        ],
    );
}

#[test]
fn axes() {
    let axis =
        |a: &str| edit(&[("label = \"X1\" }]\n", &format!("label = \"X1\" }}]\naxis = {a}\n"))]);
    // Both spellings read: the order listed, and a position per option.
    let s = parse("t.toml", axis("\"listed\"").as_bytes(), Format::Toml).unwrap();
    assert_eq!(s.issues()[0].axis(), Some(vec![0.0, 1.0]));
    let s = parse("t.toml", axis("{ x1 = -2.5, x0 = 7 }").as_bytes(), Format::Toml).unwrap();
    assert_eq!(s.issues()[0].axis(), Some(vec![7.0, -2.5]));
    assert_eq!(s.issues()[1].axis(), None);
    check(
        &axis("{ x0 = 0, x1 = 1, x2 = 2 }"),
        ProblemKind::UnknownReference,
        &["t.toml:15:26: issues[0].axis.x2: unknown option \"x2\" of issue x (options: x0, x1)"],
    );
    check(
        &axis("{ x0 = 0 }"),
        ProblemKind::MissingValue,
        &[
            "t.toml:15:8: issues[0].axis: the axis of issue x places no position for x1 (place every option, or write axis = \"listed\")",
        ],
    );
    check(
        &axis("{ x0 = nan, x1 = 1 }"),
        ProblemKind::NotFinite,
        &["t.toml:15:15: issues[0].axis.x0: must be a finite number, found nan"],
    );
    check(
        &axis("{ x0 = 1e300, x1 = 1 }"),
        ProblemKind::OutOfRange,
        &[
            "t.toml:15:15: issues[0].axis.x0: must be at most 1e9 in magnitude, found 1e300 (larger numbers make utilities overflow or lose precision)",
        ],
    );
    check(
        &axis("{ x0 = 1, x1 = 1.0 }"),
        ProblemKind::Conflict,
        &[
            "t.toml:15:23: issues[0].axis.x1: options \"x0\" and \"x1\" of issue x share the position 1 (an axis orders its options: give each its own)",
        ],
    );
    check(
        &axis("\"reversed\""),
        ProblemKind::WrongType,
        &[
            "t.toml:15:8: issues[0].axis: must be \"listed\" (the options in the order listed) or a table of a position per option, found \"reversed\"",
        ],
    );
    check(
        &edit(&[("step = 10 }\n", "step = 10 }\naxis = \"listed\"\n")]),
        ProblemKind::Conflict,
        &[
            "t.toml:20:1: issues[1].axis: an axis orders an issue's options; a scale issue is already ordered (drop `axis`)",
        ],
    );
    // JSON: a repeated option is a repeated key, reported once.
    let s = parse("t.toml", BASE.as_bytes(), Format::Toml).unwrap();
    let json = detente_scenario::to_json(&s).replacen(
        "\"name\": \"X\",",
        "\"name\": \"X\", \"axis\": {\"x0\": 0, \"x1\": 1, \"x0\": 2},",
        1,
    );
    assert!(json.contains("\"axis\""), "{json}");
    let err = parse("t.json", json.as_bytes(), Format::Json).unwrap_err();
    let lines: Vec<String> = err.problems().iter().map(|p| p.to_string()).collect();
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(lines[0].ends_with("duplicate key \"x0\""), "{lines:?}");
}
