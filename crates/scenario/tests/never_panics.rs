//! Reading never panics, and every problem is located within the input: arbitrary bytes,
//! and truncations and mutations of the tutorial in both spellings.

use detente_scenario::{Format, parse, parse_auto, shipped, to_json};
use proptest::prelude::*;

fn tutorial_toml() -> &'static str {
    shipped::find("tutorial").unwrap().text
}

fn tutorial_json() -> String {
    to_json(&shipped::load("tutorial").unwrap().unwrap())
}

/// Parses in every way and checks each problem's place lies within the text.
fn check(bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    let n_lines = text.split('\n').count();
    for result in [
        parse("f.toml", bytes, Format::Toml),
        parse("f.json", bytes, Format::Json),
        parse_auto("f", bytes),
    ] {
        let Err(err) = result else { continue };
        assert!(!err.problems().is_empty());
        for p in err.problems() {
            assert!(p.line >= 1 && p.line <= n_lines, "{p} (lines: {n_lines})");
            let line_len = text.split('\n').nth(p.line - 1).map_or(0, |l| l.chars().count());
            assert!(p.column >= 1 && p.column <= line_len + 1, "{p} (line length {line_len})");
        }
    }
}

/// Replaces, deletes or inserts bytes at the given places.
fn mutate(base: &[u8], edits: &[(usize, u8, u8)]) -> Vec<u8> {
    let mut bytes = base.to_vec();
    for &(at, op, b) in edits {
        if bytes.is_empty() {
            bytes.push(b);
            continue;
        }
        let at = at % bytes.len();
        match op % 3 {
            0 => bytes[at] = b,
            1 => {
                bytes.remove(at);
            }
            _ => bytes.insert(at, b),
        }
    }
    bytes
}

/// Bytes that matter to the parsers.
fn interesting_byte() -> impl Strategy<Value = u8> {
    prop_oneof![
        Just(b'"'),
        Just(b'['),
        Just(b']'),
        Just(b'{'),
        Just(b'}'),
        Just(b','),
        Just(b'='),
        Just(b'\n'),
        Just(b'\\'),
        Just(b'-'),
        Just(b'9'),
        Just(0xff),
        any::<u8>(),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        check(&bytes);
    }

    #[test]
    fn truncated_toml(cut in 0usize..100_000) {
        let t = tutorial_toml().as_bytes();
        check(&t[..cut % (t.len() + 1)]);
    }

    #[test]
    fn truncated_json(cut in 0usize..100_000) {
        let t = tutorial_json();
        let t = t.as_bytes();
        check(&t[..cut % (t.len() + 1)]);
    }

    #[test]
    fn mutated_toml(edits in proptest::collection::vec((any::<usize>(), any::<u8>(), interesting_byte()), 1..8)) {
        check(&mutate(tutorial_toml().as_bytes(), &edits));
    }

    #[test]
    fn mutated_json(edits in proptest::collection::vec((any::<usize>(), any::<u8>(), interesting_byte()), 1..8)) {
        check(&mutate(tutorial_json().as_bytes(), &edits));
    }
}

#[test]
fn hostile_inputs() {
    let deep_json = "[".repeat(200_000);
    let deep_toml = format!("a = {}", "[".repeat(200_000));
    let dotted = format!("{}b = 1", "a.".repeat(50_000));
    let inline = format!("a = {}", "{b = ".repeat(50_000));
    let huge = "version = 1\n[scenario]\nname = \"t\"\ntitle = \"T\"\n[[parties]]\nid = \"a\"\nname = \"A\"\nrole = \"principal\"\ncapability = 1e999999\nreservation = 99999999999999999999999999\n[[issues]]\nid = \"s\"\nname = \"S\"\nscale = { unit = \"u\", min = -9e307, max = 9e307, step = 1e-300 }\n";
    for text in
        [deep_json.as_str(), &deep_toml, &dotted, &inline, huge, "\u{feff}", "{", "\"", "\0"]
    {
        check(text.as_bytes());
    }
}
