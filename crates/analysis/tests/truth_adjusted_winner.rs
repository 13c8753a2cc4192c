//! Adjusted Winner against the published and recomputed cases in `../shared/truth`, read
//! from the files themselves: the points from each case's CSV, the expected division from
//! its JSON (`published_result` of `aw_divorce_bob_carol.json`, the `recomputed_result`s
//! of `aw_textbook_exercises.json`). Skips when `../shared` is missing (see
//! `detente-testkit`).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use detente_analysis::adjusted_winner::{AdjustedWinner, adjusted_winner};
use detente_analysis::rational::Rational;

fn truth_dir(what: &str) -> Option<PathBuf> {
    detente_testkit::require_shared(what).map(|s| s.join("truth"))
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A JSON value, enough of it for the truth files.
#[derive(Debug)]
enum Json {
    Null,
    Bool(bool),
    Num(f64),
    Str(String),
    Arr(Vec<Json>),
    Obj(Vec<(String, Json)>),
}

impl Json {
    fn get(&self, key: &str) -> Option<&Json> {
        match self {
            Json::Obj(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    fn str(&self) -> Option<&str> {
        if let Json::Str(s) = self { Some(s) } else { None }
    }

    fn entries(&self) -> &[(String, Json)] {
        if let Json::Obj(e) = self { e } else { &[] }
    }
}

/// A strict reader of one JSON value (RFC 8259) with the whole text consumed.
fn parse_json(text: &str) -> Result<Json, String> {
    let mut p = JsonReader { s: text.as_bytes(), at: 0 };
    let v = p.value()?;
    p.ws();
    if p.at != p.s.len() {
        return Err(format!("trailing text at byte {}", p.at));
    }
    Ok(v)
}

struct JsonReader<'a> {
    s: &'a [u8],
    at: usize,
}

impl JsonReader<'_> {
    fn ws(&mut self) {
        while self.s.get(self.at).is_some_and(|b| b" \t\r\n".contains(b)) {
            self.at += 1;
        }
    }

    fn eat(&mut self, lit: &str) -> bool {
        let ok = self.s[self.at..].starts_with(lit.as_bytes());
        if ok {
            self.at += lit.len();
        }
        ok
    }

    fn fail<T>(&self, what: &str) -> Result<T, String> {
        Err(format!("{what} at byte {}", self.at))
    }

    fn value(&mut self) -> Result<Json, String> {
        self.ws();
        match self.s.get(self.at) {
            Some(b'{') => {
                self.at += 1;
                let mut entries = Vec::new();
                self.ws();
                if self.eat("}") {
                    return Ok(Json::Obj(entries));
                }
                loop {
                    self.ws();
                    let key = self.string()?;
                    self.ws();
                    if !self.eat(":") {
                        return self.fail("expected ':'");
                    }
                    entries.push((key, self.value()?));
                    self.ws();
                    if self.eat("}") {
                        return Ok(Json::Obj(entries));
                    }
                    if !self.eat(",") {
                        return self.fail("expected ',' or '}'");
                    }
                }
            }
            Some(b'[') => {
                self.at += 1;
                let mut items = Vec::new();
                self.ws();
                if self.eat("]") {
                    return Ok(Json::Arr(items));
                }
                loop {
                    items.push(self.value()?);
                    self.ws();
                    if self.eat("]") {
                        return Ok(Json::Arr(items));
                    }
                    if !self.eat(",") {
                        return self.fail("expected ',' or ']'");
                    }
                }
            }
            Some(b'"') => self.string().map(Json::Str),
            Some(b'-' | b'0'..=b'9') => {
                let start = self.at;
                while self.s.get(self.at).is_some_and(|b| b"+-.eE0123456789".contains(b)) {
                    self.at += 1;
                }
                let t = std::str::from_utf8(&self.s[start..self.at]).map_err(|e| e.to_string())?;
                t.parse().map(Json::Num).map_err(|_| format!("bad number {t:?}"))
            }
            _ if self.eat("true") => Ok(Json::Bool(true)),
            _ if self.eat("false") => Ok(Json::Bool(false)),
            _ if self.eat("null") => Ok(Json::Null),
            _ => self.fail("expected a value"),
        }
    }

    fn string(&mut self) -> Result<String, String> {
        if !self.eat("\"") {
            return self.fail("expected a string");
        }
        let mut out = Vec::new();
        loop {
            let Some(&b) = self.s.get(self.at) else { return self.fail("unterminated string") };
            self.at += 1;
            match b {
                b'"' => return String::from_utf8(out).map_err(|e| e.to_string()),
                b'\\' => {
                    let Some(&e) = self.s.get(self.at) else { return self.fail("bad escape") };
                    self.at += 1;
                    let c = match e {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => {
                            let hex = self.s.get(self.at..self.at + 4).unwrap_or_default();
                            self.at += 4;
                            let code = std::str::from_utf8(hex)
                                .ok()
                                .and_then(|h| u32::from_str_radix(h, 16).ok())
                                .and_then(char::from_u32);
                            match code {
                                Some(c) => c,
                                None => return self.fail("unsupported \\u escape"),
                            }
                        }
                        _ => return self.fail("bad escape"),
                    };
                    out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
                }
                _ => out.push(b),
            }
        }
    }
}

/// A points table: `item,<name>_points,<name>_points` (header, then one row per item).
struct Table {
    /// The party names from the header, without `_points`, lowercase.
    parties: [String; 2],
    items: Vec<String>,
    points: [Vec<Rational>; 2],
}

fn read_csv(path: &Path) -> Table {
    let text = read(path);
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    let header: Vec<&str> = lines.next().expect("a header").split(',').collect();
    assert_eq!(header.len(), 3, "{}: header {header:?}", path.display());
    let name = |c: &str| c.trim().trim_end_matches("_points").to_lowercase();
    let mut t = Table {
        parties: [name(header[1]), name(header[2])],
        items: Vec::new(),
        points: [Vec::new(), Vec::new()],
    };
    for line in lines {
        let cells: Vec<&str> = line.split(',').map(str::trim).collect();
        assert_eq!(cells.len(), 3, "{}: row {line:?}", path.display());
        t.items.push(cells[0].to_string());
        for p in 0..2 {
            let x: Rational = cells[p + 1].parse().unwrap_or_else(|e| panic!("{line:?}: {e}"));
            t.points[p].push(x);
        }
    }
    t
}

/// The fraction written at the start of `s`: `"13/15"`, or `"218/3 = 72.667"`.
fn fraction(s: &str) -> Rational {
    let exact = s.split('=').next().unwrap_or(s);
    exact.parse().unwrap_or_else(|e| panic!("{s:?}: {e}"))
}

/// Checks `aw` against a result object whose keys are party names (matched to the CSV's
/// columns without regard to case) mapping to `{items, split, points}`; other keys (a
/// `derivation`, a `split_item`) are not party results. Returns the party names checked.
fn check_result(case: &str, table: &Table, aw: &AdjustedWinner, result: &Json) -> Vec<String> {
    let mut checked = Vec::new();
    for (name, r) in result.entries() {
        let Some(Json::Arr(items)) = r.get("items") else { continue };
        let p = table
            .parties
            .iter()
            .position(|c| *c == name.to_lowercase())
            .unwrap_or_else(|| panic!("{case}: party {name} is not a column of the CSV"));
        let own = |i: usize| {
            if p == 0 { aw.shares[i].clone() } else { &Rational::ONE - &aw.shares[i] }
        };
        let want: BTreeSet<&str> = items.iter().map(|i| i.str().expect("item names")).collect();
        let got: BTreeSet<&str> = (0..aw.items.len())
            .filter(|&i| own(i) == Rational::ONE)
            .map(|i| aw.items[i].as_str())
            .collect();
        assert_eq!(got, want, "{case}: the items {name} gets whole");
        let splits = r.get("split").map_or(&[][..], Json::entries);
        let got_split: Vec<(String, Rational)> = (0..aw.items.len())
            .filter(|&i| own(i) != Rational::ONE && own(i) != Rational::ZERO)
            .map(|i| (aw.items[i].clone(), own(i)))
            .collect();
        let want_split: Vec<(String, Rational)> = splits
            .iter()
            .map(|(item, f)| (item.clone(), fraction(f.str().expect("a fraction"))))
            .collect();
        assert_eq!(got_split, want_split, "{case}: {name}'s split");
        match r.get("points") {
            Some(Json::Str(s)) => {
                assert_eq!(aw.totals[p], fraction(s), "{case}: {name}'s points");
                if let Some((_, dec)) = s.split_once('=') {
                    let dec: f64 = dec.trim().parse().expect("a decimal");
                    assert!((aw.totals[p].to_f64() - dec).abs() < 0.01, "{case}: {name}: {dec}");
                }
            }
            // Published rounded to two decimals.
            Some(Json::Num(x)) => {
                assert!((aw.totals[p].to_f64() - x).abs() <= 0.005, "{case}: {name}'s points {x}")
            }
            other => panic!("{case}: {name}: no points ({other:?})"),
        }
        checked.push(name.clone());
    }
    checked
}

fn run(table: &Table) -> AdjustedWinner {
    adjusted_winner(table.items.clone(), table.points[0].clone(), table.points[1].clone()).unwrap()
}

/// One truth case: a points table and the result expected for it.
struct Case {
    /// `file.json` or `file.json: key`.
    name: String,
    /// The CSV file name.
    csv: String,
    /// The whole case object (with `inputs`, `published_result` or `recomputed_result`).
    json: Json,
}

/// Every case in `aw_*.json`: a file with a `published_result` is one case whose table is
/// the CSV of the same name; an object entry with `inputs_csv` and `recomputed_result` is
/// another. Also returns the names of every `aw_*.csv`.
fn cases(truth: &Path) -> (Vec<Case>, BTreeSet<String>) {
    let entries = std::fs::read_dir(truth).unwrap_or_else(|e| panic!("{}: {e}", truth.display()));
    let names: BTreeSet<String> =
        entries.map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    let mut out = Vec::new();
    for name in names.iter().filter(|n| n.starts_with("aw_") && n.ends_with(".json")) {
        let json = parse_json(&read(&truth.join(name))).unwrap_or_else(|e| panic!("{name}: {e}"));
        if json.get("published_result").is_some() {
            let csv = name.replace(".json", ".csv");
            out.push(Case { name: name.clone(), csv, json });
            continue;
        }
        let Json::Obj(entries) = json else { continue };
        for (key, c) in entries {
            if c.get("recomputed_result").is_some()
                && let Some(csv) = c.get("inputs_csv").and_then(Json::str)
            {
                let csv = csv.to_string();
                out.push(Case { name: format!("{name}: {key}"), csv, json: c });
            }
        }
    }
    let tables =
        names.into_iter().filter(|n| n.starts_with("aw_") && n.ends_with(".csv")).collect();
    (out, tables)
}

/// Checks one case; returns the result for further pins.
fn check_case(truth: &Path, case: &Case) -> AdjustedWinner {
    let name = case.name.as_str();
    let table = read_csv(&truth.join(&case.csv));
    // Where the JSON repeats the inputs, they are the CSV's.
    if let Some(inputs) = case.json.get("inputs") {
        assert_eq!(inputs.entries().len(), table.items.len(), "{name}: inputs");
        for (i, item) in table.items.iter().enumerate() {
            let row = inputs.get(item).unwrap_or_else(|| panic!("{name}: inputs lack {item}"));
            for (party, pts) in row.entries() {
                let p = table.parties.iter().position(|c| *c == party.to_lowercase()).unwrap();
                let Json::Num(x) = pts else { panic!("{name}: {item}: {party}: {pts:?}") };
                assert_eq!(table.points[p][i], Rational::from_f64(*x).unwrap(), "{name}: {item}");
            }
        }
    }
    let aw = run(&table);
    let result = case.json.get("published_result").or(case.json.get("recomputed_result")).unwrap();
    assert_eq!(check_result(name, &table, &aw, result).len(), 2, "{name}: two parties");
    if let Some(split) = result.get("split_item") {
        assert_eq!(aw.split_item.map(|i| aw.items[i].as_str()), split.str(), "{name}: split item");
    }
    if let Some(exact) = result.get("points_each_exact") {
        let exact = fraction(exact.str().expect("a fraction"));
        assert_eq!(aw.totals, [exact.clone(), exact], "{name}: points each");
    }
    aw
}

#[test]
fn every_truth_case_matches() {
    let Some(truth) = truth_dir("the Adjusted Winner truth cases") else { return };
    let (cases, tables) = cases(&truth);
    let mut checked = BTreeSet::new();
    for case in &cases {
        let aw = check_case(&truth, case);
        eprintln!(
            "{}: {} each, split {:?}",
            case.name,
            aw.totals[0],
            aw.split_item.map(|i| &aw.items[i])
        );
        checked.insert(case.csv.clone());
    }
    // Every points table in truth/ has a result to check against.
    let unchecked: Vec<&String> = tables.difference(&checked).collect();
    assert!(unchecked.is_empty(), "points tables without a checked result: {unchecked:?}");
    for csv in [
        "aw_divorce_bob_carol.csv",
        "aw_trump_divorce_fapp.csv",
        "aw_calvin_hobbes_fapp_exercise.csv",
    ] {
        assert!(checked.contains(csv), "{csv} was not checked");
    }
}

#[test]
fn bob_and_carol_as_published() {
    let Some(truth) = truth_dir("the Adjusted Winner truth case of Bob and Carol") else { return };
    let (cases, _) = cases(&truth);
    let case = cases.iter().find(|c| c.csv == "aw_divorce_bob_carol.csv").expect("the case");
    let aw = check_case(&truth, case);
    // Carol is the CSV's first column: she keeps 5/6 of the Retirement Account.
    assert_eq!(aw.split_item, Some(0));
    assert_eq!(aw.shares[0], Rational::new(5, 6).unwrap());
    assert_eq!(aw.totals[0], Rational::new(170, 3).unwrap());
}

#[test]
fn the_json_reader() {
    let v =
        parse_json(r#" {"a": [1, -2.5e1, "x\"\u00e9"], "b": {"c": null, "d": true}} "#).unwrap();
    let Some(Json::Arr(a)) = v.get("a") else { panic!("{v:?}") };
    assert!(
        matches!(a[..], [Json::Num(x), Json::Num(y), Json::Str(ref s)] if x == 1.0 && y == -25.0 && s == "x\"\u{e9}")
    );
    assert!(matches!(v.get("b").and_then(|b| b.get("d")), Some(Json::Bool(true))));
    assert!(matches!(v.get("b").and_then(|b| b.get("c")), Some(Json::Null)));
    assert!(parse_json("{\"a\": 1,}").is_err());
    assert!(parse_json("[1] 2").is_err());
    assert_eq!(fraction("218/3 = 72.667"), Rational::new(218, 3).unwrap());
}
