//! Reads a NegMAS plain JSON domain (`FORMAT.md` of the NegMAS exports) with the strict
//! JSON reader and the reading kit of scenario files, so every problem has its place and is
//! worded as in a scenario file. Fields NegMAS writes that detente does not read are ignored.

use super::{Domain, DomainIssue, DomainParty};
use crate::MIN_MAGNITUDE;
use crate::error::{Error, LineIndex, ProblemKind, RawProblem, locate};
use crate::json_in;
use crate::kit::{Cx, Range, Tab, items, number, open_any, string};
use crate::tree::{Kind, Node, number_text};

pub(super) fn read(file: &str, bytes: &[u8]) -> Result<detente_core::Scenario, Error> {
    let text = crate::utf8(file, bytes)?;
    if text.trim().is_empty() {
        let raw = RawProblem {
            offset: 0,
            path: String::new(),
            kind: ProblemKind::Empty,
            message: "empty file: a NegMAS domain needs \"issues\" and \"parties\"".to_string(),
        };
        return Err(locate(file, text, vec![raw]));
    }
    let (root, duplicates) = match json_in::parse(text) {
        Ok(parsed) => parsed,
        Err(problem) => return Err(locate(file, text, vec![problem])),
    };
    let lines = LineIndex::new(text);
    let mut cx = Cx::new(&lines).objects();
    cx.problems.extend(duplicates);
    let domain = domain(&mut cx, &root, file);
    match domain {
        Some(d) if cx.problems.is_empty() => d.build(file),
        _ => {
            if cx.problems.is_empty() {
                cx.push(0, "", ProblemKind::Internal, "internal error, please report: no domain");
            }
            Err(locate(file, text, cx.problems))
        }
    }
}

/// A list of numbers with exactly `n` entries.
fn numbers(cx: &mut Cx<'_>, node: &Node, path: &str, n: usize, what: &str) -> Option<Vec<f64>> {
    let Kind::Array(items) = &node.kind else {
        cx.push(
            node.span.start,
            path,
            ProblemKind::WrongType,
            format!("must be an array of numbers, found {}", node.describe()),
        );
        return None;
    };
    if items.len() != n {
        cx.push(
            node.span.start,
            path,
            ProblemKind::Mismatch,
            format!("needs {n} numbers ({what}), found {}", items.len()),
        );
        return None;
    }
    let out: Vec<Option<f64>> = items
        .iter()
        .enumerate()
        .map(|(k, x)| number(cx, x, &format!("{path}[{k}]"), Range::Any))
        .collect();
    out.into_iter().collect()
}

/// Weights as a scenario file takes them: 0 or at least [`MIN_MAGNITUDE`] in magnitude
/// (a smaller one would be refused when the imported scenario is read back).
fn no_tiny_weights(
    cx: &mut Cx<'_>,
    node: &Node,
    path: &str,
    weights: Vec<f64>,
) -> Option<Vec<f64>> {
    let Kind::Array(items) = &node.kind else { return Some(weights) };
    let mut ok = true;
    for (k, (w, item)) in weights.iter().zip(items).enumerate() {
        if *w != 0.0 && w.abs() < MIN_MAGNITUDE {
            let text = match &item.kind {
                Kind::Num(n) => number_text(&n.text),
                _ => w.to_string(),
            };
            cx.push(
                item.span.start,
                &format!("{path}[{k}]"),
                ProblemKind::OutOfRange,
                format!(
                    "must be 0 or at least 1e-9 in magnitude, found {text} (smaller weights lose precision when the weights are normalised)"
                ),
            );
            ok = false;
        }
    }
    ok.then_some(weights)
}

/// A non-empty array; `None` (with the problem) when it is not one.
fn non_empty<'a>(cx: &mut Cx<'_>, node: &'a Node, path: &str, what: &str) -> Option<&'a [Node]> {
    items(cx, node, path, Some(what)).filter(|items| !items.is_empty())
}

fn domain(cx: &mut Cx<'_>, root: &Node, file: &str) -> Option<Domain> {
    let top = open_any(cx, root, "")?;
    let name = match top.get("name") {
        Some(n) => string(cx, n, "name"),
        None => {
            let stem = std::path::Path::new(file).file_stem().and_then(|s| s.to_str());
            Some(stem.unwrap_or(file).to_string())
        }
    };
    let issues = top.req(cx, "issues").and_then(|n| issues(cx, n));
    let n_issues = issues.as_ref().map(Vec::len);
    let sizes: Option<Vec<usize>> =
        issues.as_ref().map(|is| is.iter().map(|i: &DomainIssue| i.values.len()).collect());
    let parties = top.req(cx, "parties").and_then(|n| parties(cx, n, n_issues, sizes.as_deref()));
    if let (Some(node), Some(sizes)) = (top.get("n_outcomes"), &sizes) {
        check_n_outcomes(cx, node, sizes);
    }
    Some(Domain {
        name: name?,
        source: format!("Imported from the NegMAS JSON domain {file}."),
        issues: issues?,
        parties: parties?,
    })
}

/// The most digits of the product of the issues' sizes computed exactly to check
/// `n_outcomes` (10^10,000 outcomes; the work is quadratic in the digits, a few
/// milliseconds here). Past it the count is read and not compared.
const MAX_COUNT_DIGITS: usize = 10_000;

/// `n_outcomes` is informational, so any size is read, written in digits or with an exponent
/// and a fraction (`1e19`, `9.2e+18`, `1.0E19`: Python writes large floats so), as long as it
/// is a whole number >= 0; it is compared exactly with the product of the issues' sizes
/// whenever that has at most [`MAX_COUNT_DIGITS`] digits.
fn check_n_outcomes(cx: &mut Cx<'_>, node: &Node, sizes: &[usize]) {
    let stated = match &node.kind {
        Kind::Num(n) => whole_number(&n.text, MAX_COUNT_DIGITS + 1).map(|w| (w, &n.text)),
        _ => None,
    };
    let Some((stated, text)) = stated else {
        cx.push(
            node.span.start,
            "n_outcomes",
            ProblemKind::WrongType,
            format!("must be a whole number >= 0, found {}", node.describe()),
        );
        return;
    };
    let Some(product) = product_digits(sizes, MAX_COUNT_DIGITS) else { return };
    if stated.as_deref() != Some(product.as_str()) {
        cx.push(
            node.span.start,
            "n_outcomes",
            ProblemKind::Mismatch,
            format!(
                "says {} outcomes, but the issues make {}",
                number_text(text),
                number_text(&product)
            ),
        );
    }
}

/// The whole number a JSON number's `text` denotes, as its decimal digits without leading
/// zeros (`"0"` for zero): `Some(Some(digits))`, or `Some(None)` when it has more than `cap`
/// digits (not written out); `None` when it is not a whole number >= 0.
fn whole_number(text: &str, cap: usize) -> Option<Option<String>> {
    let (negative, rest) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let (mantissa, exponent) = match rest.find(['e', 'E']) {
        Some(at) => (&rest[..at], Some(&rest[at + 1..])),
        None => (rest, None),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if int.is_empty() || !all_digits(int) || !all_digits(frac) {
        return None;
    }
    // The exponent, saturated far beyond any count that could be compared.
    let shift: i64 = match exponent {
        None => 0,
        Some(e) => {
            let (sign, digits) = match e.strip_prefix('-') {
                Some(d) => (-1, d),
                None => (1, e.strip_prefix('+').unwrap_or(e)),
            };
            if digits.is_empty() || !all_digits(digits) {
                return None;
            }
            let magnitude = digits
                .trim_start_matches('0')
                .parse::<i64>()
                .unwrap_or(if digits.trim_start_matches('0').is_empty() { 0 } else { i64::MAX / 4 })
                .min(i64::MAX / 4);
            sign * magnitude
        }
    };
    let digits: String = format!("{int}{frac}");
    let digits = digits.trim_start_matches('0');
    if digits.is_empty() {
        return Some(Some("0".to_string()));
    }
    if negative {
        return None;
    }
    let significant = digits.trim_end_matches('0');
    // The value is `significant` times 10^zeros.
    let zeros = (digits.len() - significant.len()) as i64 + shift - frac.len() as i64;
    if zeros < 0 {
        return None;
    }
    let length = significant.len() as i64 + zeros;
    if length > cap as i64 {
        return Some(None);
    }
    Some(Some(format!("{significant}{}", "0".repeat(zeros as usize))))
}

/// The product of `sizes` in decimal digits, `None` when it has more than `cap` digits.
fn product_digits(sizes: &[usize], cap: usize) -> Option<String> {
    const BASE: u64 = 1_000_000_000;
    if sizes.contains(&0) {
        return Some("0".to_string());
    }
    let estimate: f64 = sizes.iter().map(|&k| (k as f64).log10()).sum();
    if estimate > cap as f64 + 1.0 {
        return None;
    }
    // Little-endian limbs of 9 digits; sizes multiplied together while they fit 32 bits.
    let mut limbs: Vec<u64> = vec![1];
    let times = |m: u64, limbs: &mut Vec<u64>| {
        let mut carry = 0u128;
        for limb in limbs.iter_mut() {
            let x = u128::from(*limb) * u128::from(m) + carry;
            *limb = (x % u128::from(BASE)) as u64;
            carry = x / u128::from(BASE);
        }
        while carry > 0 {
            limbs.push((carry % u128::from(BASE)) as u64);
            carry /= u128::from(BASE);
        }
    };
    let mut group: u64 = 1;
    for &k in sizes {
        let k = k as u64;
        if k >= 1 << 32 {
            times(k, &mut limbs);
        } else if group * k >= 1 << 32 {
            times(group, &mut limbs);
            group = k;
        } else {
            group *= k;
        }
    }
    times(group, &mut limbs);
    let mut out = limbs.last().map_or(String::new(), |x| x.to_string());
    for limb in limbs.iter().rev().skip(1) {
        out.push_str(&format!("{limb:09}"));
    }
    (out.len() <= cap).then_some(out)
}

fn issues(cx: &mut Cx<'_>, node: &Node) -> Option<Vec<DomainIssue>> {
    let items = non_empty(cx, node, "issues", "issue")?;
    let mut out = Vec::new();
    let mut ok = true;
    for (i, item) in items.iter().enumerate() {
        let Some(t) = open_any(cx, item, &format!("issues[{i}]")) else {
            ok = false;
            continue;
        };
        let name = t.req(cx, "name").and_then(|n| string(cx, n, &t.path("name")));
        let vpath = t.path("values");
        let values = t.req(cx, "values").and_then(|n| non_empty(cx, n, &vpath, "value"));
        let (Some(name), Some(values)) = (name, values) else {
            ok = false;
            continue;
        };
        let mut labels = Vec::new();
        for (k, v) in values.iter().enumerate() {
            match &v.kind {
                Kind::Str(s) => labels.push(s.clone()),
                Kind::Num(n) => labels.push(n.text.clone()),
                _ => {
                    ok = false;
                    cx.push(
                        v.span.start,
                        &format!("{vpath}[{k}]"),
                        ProblemKind::WrongType,
                        format!("must be a string or a number, found {}", v.describe()),
                    );
                }
            }
        }
        out.push(DomainIssue { name, values: labels });
    }
    ok.then_some(out)
}

fn parties(
    cx: &mut Cx<'_>,
    node: &Node,
    n_issues: Option<usize>,
    sizes: Option<&[usize]>,
) -> Option<Vec<DomainParty>> {
    let items = non_empty(cx, node, "parties", "party")?;
    if items.len() == 1 {
        cx.push(
            node.span.start,
            "parties",
            ProblemKind::TooFewParties,
            "a negotiation needs at least two parties, found one",
        );
    }
    let mut out = Vec::new();
    let mut ok = true;
    for (p, item) in items.iter().enumerate() {
        let Some(t) = open_any(cx, item, &format!("parties[{p}]")) else {
            ok = false;
            continue;
        };
        let name = match t.get("name") {
            Some(n) => string(cx, n, &t.path("name")),
            None => Some(format!("p{p}")),
        };
        let bias = optional_number(cx, &t, "bias");
        let reserved = optional_number(cx, &t, "reserved_value");
        let wpath = t.path("weights");
        let weights = t.req(cx, "weights").and_then(|n| match n_issues {
            Some(n_issues) => numbers(cx, n, &wpath, n_issues, "one per issue")
                .and_then(|w| no_tiny_weights(cx, n, &wpath, w)),
            None => None,
        });
        let upath = t.path("value_utils");
        let value_utils = t.req(cx, "value_utils").and_then(|n| value_utils(cx, n, &upath, sizes?));
        match (name, weights, value_utils, bias, reserved) {
            (Some(name), Some(weights), Some(value_utils), Some(bias), Some(reserved)) => {
                out.push(DomainParty {
                    name,
                    description: None,
                    weights,
                    value_utils,
                    bias,
                    reserved,
                    discount: None,
                })
            }
            _ => ok = false,
        }
    }
    ok.then_some(out)
}

/// A number field that is 0 when absent.
fn optional_number(cx: &mut Cx<'_>, t: &Tab<'_>, key: &str) -> Option<f64> {
    t.get(key).map_or(Some(0.0), |n| number(cx, n, &t.path(key), Range::Any))
}

fn value_utils(cx: &mut Cx<'_>, node: &Node, path: &str, sizes: &[usize]) -> Option<Vec<Vec<f64>>> {
    let Kind::Array(items) = &node.kind else {
        cx.push(
            node.span.start,
            path,
            ProblemKind::WrongType,
            format!("must be an array of arrays of numbers, found {}", node.describe()),
        );
        return None;
    };
    if items.len() != sizes.len() {
        cx.push(
            node.span.start,
            path,
            ProblemKind::Mismatch,
            format!("needs {} lists (one per issue), found {}", sizes.len(), items.len()),
        );
        return None;
    }
    let out: Vec<Option<Vec<f64>>> = items
        .iter()
        .zip(sizes)
        .enumerate()
        .map(|(i, (x, &n))| {
            numbers(cx, x, &format!("{path}[{i}]"), n, &format!("one per value of issues[{i}]"))
        })
        .collect();
    out.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use detente_core::Outcome;

    use crate::import::negmas_json;

    const TOY: &str = r#"{
  "name": "toy domain",
  "issues": [
    {"name": "Price", "values": ["$4.37", "$3.98", "$4.37"]},
    {"name": "Days", "values": [30, 60.5]}
  ],
  "parties": [
    {"name": "Buyer", "weights": [0.7, -0.3], "value_utils": [[0, 100, 5], [30, -10]],
     "bias": 0.25, "reserved_value": -20},
    {"name": "Buyer", "weights": [1, 2], "value_utils": [[1, 2, 3], [4, 5]]}
  ],
  "n_outcomes": 6
}"#;

    fn lines(err: &crate::Error) -> Vec<String> {
        err.problems().iter().map(|p| p.to_string()).collect()
    }

    #[test]
    fn reads_a_domain_exactly() {
        let s = negmas_json("toy.json", TOY.as_bytes()).unwrap();
        assert_eq!(s.meta().name, "toy-domain");
        assert_eq!(s.meta().title, "toy domain");
        assert_eq!(s.meta().utility, detente_core::UtilityForm::Raw);
        assert_eq!(s.issues()[0].id, "price");
        let ids: Vec<String> = (0..3).map(|k| s.issues()[0].option_id(k)).collect();
        assert_eq!(ids, ["4.37", "3.98", "4.37-2"]);
        assert_eq!(s.issues()[0].option_label(2), "$4.37");
        assert_eq!(s.issues()[1].option_id(1), "60.5");
        assert_eq!(s.parties()[0].id, "buyer");
        assert_eq!(s.parties()[1].id, "buyer-2");
        assert_eq!(s.parties()[0].reservation, -20.0);
        assert_eq!(s.parties()[1].bias, 0.0);
        // Negative weights are flipped into the values, exactly.
        assert_eq!(s.weight(0, 1), 0.3);
        assert_eq!(s.value(0, 1, 1), 10.0);
        for (k0, k1) in [(0, 0), (1, 1), (2, 0), (2, 1)] {
            let v0 = [0.0, 100.0, 5.0][k0];
            let v1 = [30.0, -10.0][k1];
            let expected: f64 = 0.25 + 0.7 * v0 + -0.3 * v1;
            let u = s.utility(0, &Outcome::new(&s, vec![k0, k1]).unwrap());
            assert_eq!(u.to_bits(), expected.to_bits());
        }
    }

    #[test]
    fn any_count_of_outcomes_is_read() {
        // More than 2^63 outcomes: read (the count is informational), and compared exactly.
        let issues: Vec<String> =
            (0..64).map(|i| format!(r#"{{"name": "i{i}", "values": [0, 1]}}"#)).collect();
        let party = format!(
            r#"{{"name": "p", "weights": [{}], "value_utils": [{}]}}"#,
            vec!["1"; 64].join(", "),
            vec!["[0, 1]"; 64].join(", ")
        );
        let json = |n: &str| {
            format!(
                r#"{{"issues": [{}], "parties": [{party}, {party}], "n_outcomes": {n}}}"#,
                issues.join(", ")
            )
        };
        assert!(negmas_json("big.json", json("18446744073709551616").as_bytes()).is_ok());
        let err = negmas_json("big.json", json("18446744073709551617").as_bytes()).unwrap_err();
        assert!(
            err.to_string().ends_with(
                "n_outcomes: says 18446744073709551617 outcomes, but the issues make 18446744073709551616"
            ),
            "{err}"
        );
        assert!(negmas_json("big.json", json("6.5").as_bytes()).is_err());
    }

    /// Issue 14: a count past 2^63 written with an exponent, as Python writes a float
    /// (`9.2e+18`), was refused with "must be a whole number >= 0". Any whole number is read
    /// and compared exactly; a fraction or a negative number is not a count.
    #[test]
    fn counts_with_an_exponent_are_whole_numbers() {
        // 2^64 outcomes: 64 issues of 2 values; then 10^19 and 10^40: 19 and 40 issues of 10.
        let domain = |n_issues: usize, n_values: usize, n: &str| {
            let values: Vec<String> = (0..n_values).map(|v| v.to_string()).collect();
            let issue = format!(r#"{{"name": "i", "values": [{}]}}"#, values.join(", "));
            let issues: Vec<String> =
                (0..n_issues).map(|i| issue.replace("\"i\"", &format!("\"i{i}\""))).collect();
            let party = format!(
                r#"{{"name": "p", "weights": [{}], "value_utils": [{}]}}"#,
                vec!["1"; n_issues].join(", "),
                vec![format!("[{}]", values.join(", ")); n_issues].join(", ")
            );
            format!(
                r#"{{"issues": [{}], "parties": [{party}, {party}], "n_outcomes": {n}}}"#,
                issues.join(", ")
            )
        };
        for n in [
            "1e19",
            "1E19",
            "1e+19",
            "1.0e19",
            "10000000000000000000",
            "0.1e20",
            "10000000000000000000.0",
        ] {
            let r = negmas_json("big.json", domain(19, 10, n).as_bytes());
            assert!(r.is_ok(), "{n}: {:?}", r.err().map(|e| e.to_string()));
        }
        assert!(negmas_json("big.json", domain(40, 10, "1e40").as_bytes()).is_ok());
        assert!(
            negmas_json("big.json", domain(40, 10, &format!("1{}", "0".repeat(40))).as_bytes())
                .is_ok()
        );
        assert!(
            negmas_json("big.json", domain(64, 2, "1.8446744073709551616e19").as_bytes()).is_ok()
        );
        let err = negmas_json("big.json", domain(19, 10, "9.2e+18").as_bytes()).unwrap_err();
        assert!(
            err.to_string().ends_with(
                "n_outcomes: says 9.2e+18 outcomes, but the issues make 10000000000000000000"
            ),
            "{err}"
        );
        let err = negmas_json("big.json", domain(40, 10, "1e41").as_bytes()).unwrap_err();
        assert!(
            err.to_string().ends_with(
                "n_outcomes: says 1e41 outcomes, but the issues make a number of 41 digits"
            ),
            "{err}"
        );
        let err = negmas_json("big.json", domain(2, 10, "1e999999999999999999999").as_bytes())
            .unwrap_err();
        assert!(err.to_string().ends_with("but the issues make 100"), "{err}");
        for bad in ["1.5", "-1e19", "1e-3", "\"1e19\""] {
            let err = negmas_json("big.json", domain(2, 10, bad).as_bytes()).unwrap_err();
            assert!(
                err.to_string().contains("n_outcomes: must be a whole number >= 0, found"),
                "{bad}: {err}"
            );
        }
        for zero_or_hundred in ["100", "1e2", "100.000", "0.001e5"] {
            assert!(
                negmas_json("big.json", domain(2, 10, zero_or_hundred).as_bytes()).is_ok(),
                "{zero_or_hundred}"
            );
        }
    }

    #[test]
    fn problems_are_located() {
        let bad = TOY
            .replace("[0.7, -0.3]", "[0.7]")
            .replace("[4, 5]", "[4, \"x\"]")
            .replace("\"n_outcomes\": 6", "\"n_outcomes\": 7");
        let err = negmas_json("toy.json", bad.as_bytes()).unwrap_err();
        assert_eq!(
            lines(&err),
            [
                "toy.json:8:34: parties[0].weights: needs 2 numbers (one per issue), found 1",
                "toy.json:10:73: parties[1].value_utils[1][1]: must be a finite number, found \"x\"",
                "toy.json:12:17: n_outcomes: says 7 outcomes, but the issues make 6",
            ]
        );
        let nan = TOY.replace("0.25", "NaN");
        let err = negmas_json("toy.json", nan.as_bytes()).unwrap_err();
        assert_eq!(
            lines(&err),
            ["toy.json:9:14: NaN is not a JSON number: every number must be finite"]
        );
        let huge = TOY.replace("0.25", "1e308").replace("-20", &format!("-{}", "9".repeat(309)));
        let err = negmas_json("toy.json", huge.as_bytes()).unwrap_err();
        assert_eq!(
            lines(&err),
            [
                "toy.json:9:14: parties[0].bias: must be at most 1e9 in magnitude, found 1e308 (larger numbers make utilities overflow or lose precision)",
                "toy.json:9:39: parties[0].reserved_value: must be a finite number, found a number of 309 digits",
            ]
        );
        // A weight a scenario file would refuse (found by the negmas_json fuzz target: the
        // import succeeded, and the file it wrote did not read back).
        let tiny = TOY.replace("[0.7, -0.3]", "[0.7, -5e-324]");
        let err = negmas_json("toy.json", tiny.as_bytes()).unwrap_err();
        assert_eq!(
            lines(&err),
            [
                "toy.json:8:40: parties[0].weights[1]: must be 0 or at least 1e-9 in magnitude, found -5e-324 (smaller weights lose precision when the weights are normalised)",
            ]
        );
        let err = negmas_json("toy.json", b"[]").unwrap_err();
        assert_eq!(lines(&err), ["toy.json:1:1: must be an object, found an array"]);
        let err = negmas_json("toy.json", b"{\"issues\": [3]}").unwrap_err();
        assert_eq!(
            lines(&err),
            [
                "toy.json:1:1: missing field \"parties\"",
                "toy.json:1:13: issues[0]: must be an object, found 3",
            ]
        );
        let err = negmas_json("toy.json", b"{\"issues\": [], \"parties\": 3}").unwrap_err();
        assert_eq!(
            lines(&err),
            [
                "toy.json:1:12: issues: needs at least one issue, found none",
                "toy.json:1:27: parties: must be an array, found 3",
            ]
        );
    }
}
