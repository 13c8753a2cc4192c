//! docs/cli.md is a contract, checked against the binary:
//!
//! - every flag that `detente ... --help` lists, for every command and subcommand (found by
//!   walking the `Commands:` sections of the help texts), is written in that command's row
//!   of the command table or in its `### \`command\`` section;
//! - every JSON key written in the shapes of "JSON output" is produced by its command on the
//!   tutorial (or on the test data named in [`RUNS`]); the keys of "Common pieces" by some
//!   command.
//!
//! How a shape is read (the doc states the same rule): in the ```` ```text ```` blocks under
//! "JSON output", a quoted word followed by `:` (alone or in a chain `"a" | "b":`), or
//! standing alone between `{`, `,` and `,`, `}`, is a key; quoted words after `:` or in a
//! chain joined by `|` are string values; a key followed by `?` is present only in some
//! outputs and not checked; `//` starts a comment.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn doc() -> String {
    std::fs::read_to_string(root().join("docs/cli.md")).unwrap()
}

fn detente(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_detente"))
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The lines of a help text's section (`Commands:`, `Options:`): the indented and blank
/// lines after its title (long help puts blank lines between options).
fn section<'a>(help: &'a str, title: &str) -> Vec<&'a str> {
    let mut lines = help.lines().skip_while(|l| l.trim() != title);
    lines.next();
    lines.take_while(|l| l.is_empty() || l.starts_with(' ')).collect()
}

/// The subcommands a help text lists (without `help`).
fn subcommands(help: &str) -> Vec<String> {
    section(help, "Commands:")
        .iter()
        .filter(|l| l.starts_with("  ") && !l.starts_with("   "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .map(str::to_string)
        .collect()
}

/// The flags a help text lists: `-p` and `--proposal` for `-p, --proposal <ID>`.
fn flags(help: &str) -> Vec<String> {
    let mut out = vec![];
    for line in section(help, "Options:") {
        let line = line.trim_start();
        if !line.starts_with('-') || line.starts_with("- ") {
            continue; // a description, or a list of possible values (`- smp: ...`)
        }
        for token in line.split_whitespace() {
            let token = token.trim_end_matches(',');
            let token = token.split('=').next().unwrap_or(token);
            if !token.starts_with('-') {
                break;
            }
            out.push(token.to_string());
        }
    }
    out
}

/// Every command path (`["tournament", "merge"]`) with its flags, by walking `--help`.
fn command_tree() -> Vec<(Vec<String>, Vec<String>)> {
    let mut out = vec![];
    let mut todo: Vec<Vec<String>> = vec![vec![]];
    while let Some(path) = todo.pop() {
        let mut args: Vec<&str> = path.iter().map(String::as_str).collect();
        args.push("--help");
        let (code, help, err) = detente(&args);
        assert_eq!(code, 0, "detente {args:?}: {err}");
        for sub in subcommands(&help) {
            let mut p = path.clone();
            p.push(sub);
            todo.push(p);
        }
        out.push((path, flags(&help)));
    }
    out.sort();
    out
}

/// Whether `text` holds `flag` as a whole word (`--max` does not match `--max-rounds`).
fn mentions(text: &str, flag: &str) -> bool {
    text.match_indices(flag).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + flag.len()..].chars().next();
        let word = |c: char| c.is_alphanumeric() || c == '-' || c == '_';
        !before.is_some_and(word) && !after.is_some_and(word)
    })
}

/// The text docs/cli.md gives a command: the rows of the command table whose first cell
/// starts with the command (and not with one of its subcommands), and its `###` section.
fn doc_text(doc: &str, path: &[String], paths: &[Vec<String>]) -> String {
    let mut text = String::new();
    for line in doc.lines().filter(|l| l.starts_with("| `")) {
        let cell = line[3..].split('`').next().unwrap_or("");
        let words: Vec<&str> = cell.split_whitespace().collect();
        let owner = paths
            .iter()
            .filter(|p| !p.is_empty() && p.len() <= words.len())
            .filter(|p| p.iter().zip(&words).all(|(a, b)| a == b))
            .max_by_key(|p| p.len());
        if owner.is_some_and(|p| p.as_slice() == path) {
            text.push_str(line);
            text.push('\n');
        }
    }
    let heading = format!("### `{}`", path.join(" "));
    let mut inside = false;
    for line in doc.lines() {
        if line.starts_with('#') {
            inside = line.trim() == heading;
        } else if inside {
            text.push_str(line);
            text.push('\n');
        }
    }
    text
}

#[test]
fn every_flag_of_every_command_is_documented() {
    let doc = doc();
    let tree = command_tree();
    let paths: Vec<Vec<String>> = tree.iter().map(|(p, _)| p.clone()).collect();
    assert!(tree.len() >= 15, "walked the commands: {paths:?}");
    let mut missing = vec![];
    for (path, flags) in &tree {
        let text = doc_text(&doc, path, &paths);
        for flag in flags {
            if ["-h", "--help", "-V", "--version"].contains(&flag.as_str()) {
                continue; // clap's own
            }
            // `--json` is every command's, documented once.
            let documented =
                if flag == "--json" { mentions(&doc, flag) } else { mentions(&text, flag) };
            if !documented {
                missing.push(format!("detente {} {flag}", path.join(" ")));
            }
        }
    }
    assert!(missing.is_empty(), "flags missing from docs/cli.md:\n{}", missing.join("\n"));
}

/// One token of a shape.
#[derive(Clone, Debug, PartialEq)]
enum Token {
    Quoted(String),
    Punct(char),
    Word,
}

fn tokens(block: &str) -> Vec<Token> {
    let mut out = vec![];
    for line in block.lines() {
        let line = line.split("//").next().unwrap_or("");
        let mut chars = line.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '"' => {
                    let s: String = chars.by_ref().take_while(|&c| c != '"').collect();
                    out.push(Token::Quoted(s));
                }
                c if c.is_whitespace() => {}
                c if c.is_alphanumeric() || c == '_' => {
                    while chars.peek().is_some_and(|c| c.is_alphanumeric() || *c == '_') {
                        chars.next();
                    }
                    out.push(Token::Word);
                }
                c => out.push(Token::Punct(c)),
            }
        }
    }
    out
}

/// The keys a shape documents, each with whether it is always present (no `?`).
fn keys(block: &str) -> Vec<(String, bool)> {
    let t = tokens(block);
    let mut out = vec![];
    let mut i = 0;
    while i < t.len() {
        let Token::Quoted(_) = &t[i] else {
            i += 1;
            continue;
        };
        // The chain "a" | "b" | ... starting here.
        let mut chain = vec![];
        let mut j = i;
        while let Some(Token::Quoted(s)) = t.get(j) {
            chain.push(s.clone());
            if t.get(j + 1) == Some(&Token::Punct('|'))
                && matches!(t.get(j + 2), Some(Token::Quoted(_)))
            {
                j += 2;
            } else {
                break;
            }
        }
        let optional = t.get(j + 1) == Some(&Token::Punct('?'));
        let next = t.get(j + 1 + usize::from(optional));
        let before = i.checked_sub(1).and_then(|k| t.get(k));
        let is_key = next == Some(&Token::Punct(':'))
            || (chain.len() == 1
                && matches!(before, None | Some(Token::Punct('{' | ',')))
                && matches!(next, None | Some(Token::Punct(',' | '}'))));
        if is_key {
            out.extend(chain.into_iter().map(|k| (k, !optional)));
        }
        i = j + 1;
    }
    out
}

/// The documented shapes: section name (`evaluate`, or `Common pieces`) to its keys.
fn documented_keys(doc: &str) -> BTreeMap<String, Vec<(String, bool)>> {
    let json = doc.split("## JSON output").nth(1).expect("a JSON output chapter");
    let mut out: BTreeMap<String, Vec<(String, bool)>> = BTreeMap::new();
    let mut name = String::new();
    let mut block: Option<String> = None;
    for line in json.lines() {
        if let Some(b) = block.as_mut() {
            if line.starts_with("```") {
                out.entry(name.clone()).or_default().extend(keys(b));
                block = None;
            } else {
                b.push_str(line);
                b.push('\n');
            }
        } else if let Some(h) = line.strip_prefix("### ") {
            name = h.trim().trim_matches('`').to_string();
        } else if line.starts_with("## ") {
            break;
        } else if line.starts_with("```text") {
            block = Some(String::new());
        }
    }
    out
}

/// The commands whose output is checked against each documented shape. Each command runs
/// with `--json` from the project's root and must exit 0 (`check` of an invalid file: 2).
const RUNS: &[(&str, &[&[&str]])] = &[
    ("--set", &[&["evaluate", "tutorial", "--set", "lowland.reservation=0.5"]]),
    ("--as-of", &[&["evaluate", "ukraine-2025", "--as-of", "2025-12-03"]]),
    ("timeline", &[&["timeline", "ukraine-2025"]]),
    (
        "ingest",
        &[&["ingest", "ukraine-2025", "crates/cli/tests/data/article.txt", "--date", "2025-12-03"]],
    ),
    ("evaluate", &[&["evaluate", "tutorial"]]),
    ("sensitivity", &[&["sensitivity", "tutorial"]]),
    ("compare", &[&["compare", "tutorial", "commission-draft", "lowland-markup"]]),
    ("deadlock", &[&["deadlock", "tutorial"], &["deadlock", "ukraine-2025"]]),
    ("analyze", &[&["analyze", "tutorial"]]),
    (
        "check",
        &[
            &["check", "scenarios/tutorial.toml"],
            &["check", "ukraine-2025"],
            &["check", "ukraine-2025", "--as-of", "2025-12-03"],
            &["check", "crates/cli/tests/data/bad.toml"],
        ],
    ),
    ("mediate", &[&["mediate", "tutorial", "--from", "commission-draft"]]),
    (
        "improve",
        &[
            &["improve", "ukraine-2025", "--from", "us-ua-20", "--max-changes", "2"],
            &["improve", "tutorial", "--from", "lowland-markup", "--min-probability", "0"],
        ],
    ),
    ("frontier", &[&["frontier", "tutorial"]]),
    (
        "forecast",
        &[
            &["forecast", "crates/cli/tests/data/ktab-harbour.csv"],
            &["forecast", "tutorial"],
            &["forecast", "ukraine-2025"],
            &["forecast", "crates/cli/tests/data/ktab-harbour.csv", "--model", "eum"],
        ],
    ),
    ("backtest", &[&["backtest", "crates/cli/tests/data/deu-toy.tsv", "--folds", "2"]]),
    ("simulate", &[&["simulate", "tutorial", "--negotiators", "boulware,conceder"]]),
    (
        "tournament",
        &[&["tournament", "tutorial", "--negotiators", "boulware,conceder", "--steps", "50"]],
    ),
    (
        "robust",
        &[
            &["robust", "ukraine-2025", "--samples", "50"],
            &["robust", "tutorial", "--samples", "50", "--shard", "0/2"],
        ],
    ),
    (
        "divide",
        &[
            &["divide", "crates/cli/tests/data/points.csv"],
            &["divide", "crates/cli/tests/data/points-3.csv", "--method", "mnw"],
        ],
    ),
    ("scenarios", &[&["scenarios"]]),
    ("report", &[&["report", "tutorial", "--html", "target/docs-contract-report.html"]]),
];

fn all_keys(v: &Value, out: &mut BTreeSet<String>) {
    match v {
        Value::Object(m) => {
            for (k, v) in m {
                out.insert(k.clone());
                all_keys(v, out);
            }
        }
        Value::Array(a) => a.iter().for_each(|v| all_keys(v, out)),
        _ => {}
    }
}

#[test]
fn every_documented_json_key_is_produced() {
    let doc = doc();
    let documented = documented_keys(&doc);
    let mut produced: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    for (name, runs) in RUNS {
        for args in *runs {
            let mut full = vec!["--json"];
            full.extend_from_slice(args);
            let (code, out, err) = detente(&full);
            assert!(code == 0 || (*name == "check" && code == 2), "detente {full:?}: {err}");
            let v: Value = serde_json::from_str(&out)
                .unwrap_or_else(|e| panic!("detente {full:?} is not JSON: {e}\n{out}"));
            all_keys(&v, produced.entry(name).or_default());
        }
    }
    let everywhere: BTreeSet<String> = produced.values().flatten().cloned().collect();
    let mut missing = vec![];
    let mut sections = 0;
    for (section, keys) in &documented {
        let got = match produced.get(section.as_str()) {
            Some(got) => got,
            None if section == "Common pieces" => &everywhere,
            None => {
                panic!("docs/cli.md shows the JSON of `{section}`, which this test does not run")
            }
        };
        sections += 1;
        for (key, always) in keys {
            if *always && !got.contains(key) {
                missing.push(format!("{section}: \"{key}\""));
            }
        }
    }
    let n_keys: usize = documented.values().map(Vec::len).sum();
    assert!(sections >= 12 && n_keys >= 200, "read the shapes: {documented:?}");
    assert!(
        missing.is_empty(),
        "documented in docs/cli.md but not produced:\n{}",
        missing.join("\n")
    );
}

#[test]
fn shapes_are_read_by_the_documented_rule() {
    let block = r#"{ "a", "b": [lo, hi], "c": "x" | "y", "d"?, "e": { "f" },
  "g" | "h":   // "i": a comment
      { "j": [ "-" | "k" per party ] } }"#;
    let got: Vec<(String, bool)> = keys(block);
    let want = [("a", true), ("b", true), ("c", true), ("d", false), ("e", true), ("f", true)];
    let mut want: Vec<(String, bool)> = want.iter().map(|(k, a)| (k.to_string(), *a)).collect();
    want.extend([("g", true), ("h", true), ("j", true)].map(|(k, a)| (k.to_string(), a)));
    assert_eq!(got, want);
    let help = "Usage: x\n\nOptions:\n  -p, --proposal <ID>  The proposal\n          (more)\n\n      --json\n          JSON\n\nAfter:\n  --not-a-flag\n";
    assert_eq!(flags(help), ["-p", "--proposal", "--json"]);
    assert!(mentions("`--max-rounds N`", "--max-rounds"));
    assert!(!mentions("`--max-rounds N`", "--max"));
}
