//! A party's private inputs (weights, values, red lines, reservation) and their JSON, read
//! trusting nothing: every problem is an error naming the field.
//!
//! # Wire format
//! ```json
//! {
//!   "reservation": 0.45,
//!   "stances": {
//!     "share": { "weight": 4, "ideal": 30, "tolerance": 40,
//!                "red_lines": [{ "max": 60, "reason": "the dam's power plant" }] },
//!     "dam": { "weight": 3,
//!              "values": { "upland-only": 1, "joint-board": 0.5, "commission-run": 0 },
//!              "red_lines": [{ "forbid": ["commission-run"] }] }
//!   }
//! }
//! ```
//! The keys are the scenario format's (docs/scenario-format.md): `values` gives every option
//! of a discrete point a value in `[0, 1]`; `ideal` and `tolerance` a scale point's
//! preference; a red line is `forbid` or `require` (option ids) or `min`/`max` (on a scale),
//! with an optional `reason`. A point left out has no stance (weight 0).

use detente_core::{
    IssueKind, Party, Preference, RedLine, RedLineKind, Scenario, ScenarioParts, Stance,
};
use serde_json::{Map, Value, json};

use crate::error::{Error, ErrorKind};
use crate::model::{Skeleton, quote};

/// The largest body of inputs accepted (bytes).
pub const MAX_INPUTS_BYTES: usize = 256 * 1024;
/// The longest reason of a red line accepted (bytes).
pub const MAX_REASON: usize = 2000;
/// The largest weight accepted (weights are relative; this bounds nonsense, not meaning).
pub const MAX_WEIGHT: f64 = 1e6;

/// One party's private numbers, point by point in the skeleton's order.
#[derive(Clone, Debug, PartialEq)]
pub struct PartyInputs {
    /// What the party gets with no deal, in `[0, 1]`.
    pub reservation: f64,
    /// One entry per point of the skeleton: the party's stance, or none (weight 0).
    pub stances: Vec<Option<Stance>>,
}

impl PartyInputs {
    /// The inputs of party `p` of a full scenario with the same points as the skeleton (for
    /// tests and for a mediator who pre-fills a party's form from an analyst's file):
    /// weights, values, red lines with their reasons, the reservation; no evidence.
    pub fn of(s: &Scenario, p: usize) -> PartyInputs {
        let stances = s.stances()[p]
            .iter()
            .map(|st| {
                st.as_ref().map(|st| Stance {
                    weight: st.weight,
                    preference: st.preference.clone(),
                    red_lines: st.red_lines.clone(),
                    evidence: vec![],
                    confidence: None,
                    summary: None,
                })
            })
            .collect();
        PartyInputs { reservation: s.parties()[p].reservation, stances }
    }

    /// Reads the wire format against the skeleton's points and checks the whole by building
    /// the party's scenario.
    pub fn from_json(skeleton: &Skeleton, bytes: &[u8]) -> Result<PartyInputs, Error> {
        if bytes.len() > MAX_INPUTS_BYTES {
            return Err(Error::new(
                ErrorKind::TooLarge,
                format!("inputs: {} bytes, at most {MAX_INPUTS_BYTES}", bytes.len()),
            ));
        }
        let value: Value = serde_json::from_slice(bytes)
            .map_err(|e| Error::invalid(format!("inputs: not JSON: {e}")))?;
        let s = skeleton.scenario();
        let obj = object(&value, "inputs")?;
        known_keys(obj, "inputs", &["reservation", "stances"])?;
        let reservation = unit(obj.get("reservation"), "inputs.reservation")?.unwrap_or(0.0);
        let mut stances = vec![None; s.issues().len()];
        if let Some(v) = obj.get("stances") {
            for (id, v) in object(v, "inputs.stances")? {
                let path = format!("inputs.stances.{}", quote(id));
                let i = s
                    .issue_index(id)
                    .ok_or_else(|| Error::invalid(format!("{path}: no such point")))?;
                stances[i] = Some(stance(s, i, v, &path)?);
            }
        }
        let inputs = PartyInputs { reservation, stances };
        // The party's own scenario checks what the reader did not (e.g. an ideal off the
        // scale); any party will do, the numbers are checked the same way.
        inputs.scenario(skeleton, 0)?;
        Ok(inputs)
    }

    /// The wire format.
    pub fn to_json(&self, skeleton: &Skeleton) -> Value {
        let s = skeleton.scenario();
        let mut stances = Map::new();
        for (issue, st) in s.issues().iter().zip(&self.stances) {
            let Some(st) = st else { continue };
            let mut o = Map::new();
            o.insert("weight".into(), json!(st.weight));
            match &st.preference {
                Preference::Values(vs) => {
                    let m: Map<String, Value> =
                        (0..vs.len()).map(|k| (issue.option_id(k), json!(vs[k]))).collect();
                    o.insert("values".into(), Value::Object(m));
                }
                Preference::Ideal { ideal, tolerance } => {
                    o.insert("ideal".into(), json!(ideal));
                    o.insert("tolerance".into(), json!(tolerance));
                }
            }
            let lines: Vec<Value> = st
                .red_lines
                .iter()
                .map(|r| {
                    let mut l = Map::new();
                    match &r.kind {
                        RedLineKind::Forbid(ks) => {
                            l.insert("forbid".into(), ids(issue, ks));
                        }
                        RedLineKind::Require(ks) => {
                            l.insert("require".into(), ids(issue, ks));
                        }
                        RedLineKind::Bounds { min, max } => {
                            if let Some(m) = min {
                                l.insert("min".into(), json!(m));
                            }
                            if let Some(m) = max {
                                l.insert("max".into(), json!(m));
                            }
                        }
                    }
                    if let Some(reason) = &r.reason {
                        l.insert("reason".into(), json!(reason));
                    }
                    Value::Object(l)
                })
                .collect();
            if !lines.is_empty() {
                o.insert("red_lines".into(), Value::Array(lines));
            }
            stances.insert(issue.id.clone(), Value::Object(o));
        }
        json!({ "reservation": self.reservation, "stances": stances })
    }

    /// The skeleton with these inputs as party `p`'s (and no other party's numbers): the
    /// scenario a party's own verdicts are computed from, and its pages worded from (its red
    /// lines' reasons, its reservation).
    pub fn scenario(&self, skeleton: &Skeleton, p: usize) -> Result<Scenario, Error> {
        assemble(skeleton, &[(p, self)])
    }
}

/// The skeleton with the given parties' inputs filled in: the private scenario. Parties not
/// listed keep empty stances and reservation 0.
pub(crate) fn assemble(
    skeleton: &Skeleton,
    inputs: &[(usize, &PartyInputs)],
) -> Result<Scenario, Error> {
    let ScenarioParts { meta, mut parties, issues, mut stances, proposals, sources, .. } =
        skeleton.scenario().clone().into_parts();
    for &(p, inp) in inputs {
        let party: &mut Party = &mut parties[p];
        party.reservation = inp.reservation;
        stances[p] = inp.stances.clone();
    }
    Scenario::new(meta, parties, issues, stances, proposals, sources)
        .map_err(|e| Error::invalid(format!("inputs: {e}")))
}

fn ids(issue: &detente_core::Issue, ks: &[usize]) -> Value {
    Value::Array(ks.iter().map(|&k| json!(issue.option_id(k))).collect())
}

fn object<'a>(v: &'a Value, path: &str) -> Result<&'a Map<String, Value>, Error> {
    v.as_object().ok_or_else(|| Error::invalid(format!("{path}: expected an object")))
}

fn known_keys(o: &Map<String, Value>, path: &str, keys: &[&str]) -> Result<(), Error> {
    match o.keys().find(|k| !keys.contains(&k.as_str())) {
        Some(k) => Err(Error::invalid(format!(
            "{path}: unknown field {} (expected one of {})",
            quote(k),
            keys.join(", ")
        ))),
        None => Ok(()),
    }
}

fn number(v: &Value, path: &str) -> Result<f64, Error> {
    match v.as_f64() {
        Some(x) if x.is_finite() => Ok(x),
        _ => Err(Error::invalid(format!("{path}: expected a finite number"))),
    }
}

fn unit(v: Option<&Value>, path: &str) -> Result<Option<f64>, Error> {
    let Some(v) = v else { return Ok(None) };
    let x = number(v, path)?;
    if !(0.0..=1.0).contains(&x) {
        return Err(Error::invalid(format!("{path}: {x} is outside [0, 1]")));
    }
    Ok(Some(x))
}

fn stance(s: &Scenario, i: usize, v: &Value, path: &str) -> Result<Stance, Error> {
    let issue = &s.issues()[i];
    let o = object(v, path)?;
    known_keys(o, path, &["weight", "values", "ideal", "tolerance", "red_lines"])?;
    let weight = match o.get("weight") {
        Some(w) => number(w, &format!("{path}.weight"))?,
        None => return Err(Error::invalid(format!("{path}.weight: missing"))),
    };
    if !(0.0..=MAX_WEIGHT).contains(&weight) {
        return Err(Error::invalid(format!(
            "{path}.weight: {weight} is outside [0, {MAX_WEIGHT}]"
        )));
    }
    let preference = match &issue.kind {
        IssueKind::Discrete { options } => {
            if o.contains_key("ideal") || o.contains_key("tolerance") {
                return Err(Error::invalid(format!(
                    "{path}: ideal and tolerance are for scale points; give values"
                )));
            }
            let Some(vs) = o.get("values") else {
                return Err(Error::invalid(format!("{path}.values: missing")));
            };
            let vs = object(vs, &format!("{path}.values"))?;
            let mut values = vec![None; options.len()];
            for (id, x) in vs {
                let vpath = format!("{path}.values.{}", quote(id));
                let k = issue
                    .option_index(id)
                    .ok_or_else(|| Error::invalid(format!("{vpath}: no such option")))?;
                values[k] = unit(Some(x), &vpath)?;
            }
            if let Some(k) = values.iter().position(Option::is_none) {
                return Err(Error::invalid(format!(
                    "{path}.values: option {} has no value",
                    quote(&options[k].id)
                )));
            }
            Preference::Values(values.into_iter().flatten().collect())
        }
        IssueKind::Scale { min, max, .. } => {
            if o.contains_key("values") {
                return Err(Error::invalid(format!(
                    "{path}: values are for points with options; give ideal and tolerance"
                )));
            }
            let ideal = number(
                o.get("ideal").ok_or_else(|| Error::invalid(format!("{path}.ideal: missing")))?,
                &format!("{path}.ideal"),
            )?;
            if ideal < *min || ideal > *max {
                return Err(Error::invalid(format!(
                    "{path}.ideal: {ideal} is outside the scale [{min}, {max}]"
                )));
            }
            let tolerance = number(
                o.get("tolerance")
                    .ok_or_else(|| Error::invalid(format!("{path}.tolerance: missing")))?,
                &format!("{path}.tolerance"),
            )?;
            if tolerance <= 0.0 {
                return Err(Error::invalid(format!("{path}.tolerance: must be above 0")));
            }
            Preference::Ideal { ideal, tolerance }
        }
    };
    let mut red_lines = vec![];
    if let Some(rl) = o.get("red_lines") {
        let arr = rl
            .as_array()
            .ok_or_else(|| Error::invalid(format!("{path}.red_lines: expected a list")))?;
        for (j, r) in arr.iter().enumerate() {
            red_lines.push(red_line(issue, r, &format!("{path}.red_lines[{j}]"))?);
        }
    }
    Ok(Stance { weight, preference, red_lines, evidence: vec![], confidence: None, summary: None })
}

fn red_line(issue: &detente_core::Issue, v: &Value, path: &str) -> Result<RedLine, Error> {
    let o = object(v, path)?;
    known_keys(o, path, &["forbid", "require", "min", "max", "reason"])?;
    let reason = match o.get("reason") {
        None => None,
        Some(Value::String(r)) if r.len() <= MAX_REASON => Some(r.clone()),
        Some(Value::String(r)) => {
            return Err(Error::new(
                ErrorKind::TooLarge,
                format!("{path}.reason: {} bytes, at most {MAX_REASON}", r.len()),
            ));
        }
        Some(_) => return Err(Error::invalid(format!("{path}.reason: expected text"))),
    };
    let options = |key: &str| -> Result<Option<Vec<usize>>, Error> {
        let Some(v) = o.get(key) else { return Ok(None) };
        let arr =
            v.as_array().ok_or_else(|| Error::invalid(format!("{path}.{key}: expected a list")))?;
        let mut ks = vec![];
        for (j, id) in arr.iter().enumerate() {
            let id = id.as_str().ok_or_else(|| {
                Error::invalid(format!("{path}.{key}[{j}]: expected an option id"))
            })?;
            let k = issue.option_index(id).ok_or_else(|| {
                Error::invalid(format!("{path}.{key}[{j}]: no option {} on this point", quote(id)))
            })?;
            if !ks.contains(&k) {
                ks.push(k);
            }
        }
        if ks.is_empty() {
            return Err(Error::invalid(format!("{path}.{key}: names no option")));
        }
        Ok(Some(ks))
    };
    let bound = |key: &str| -> Result<Option<f64>, Error> {
        o.get(key).map(|v| number(v, &format!("{path}.{key}"))).transpose()
    };
    let forbid = options("forbid")?;
    let require = options("require")?;
    let (min, max) = (bound("min")?, bound("max")?);
    let kind = match (forbid, require, issue.is_scale(), min.is_some() || max.is_some()) {
        (Some(ks), None, false, false) => RedLineKind::Forbid(ks),
        (None, Some(ks), false, false) => RedLineKind::Require(ks),
        (None, None, true, true) => {
            if let (Some(a), Some(b)) = (min, max)
                && a > b
            {
                return Err(Error::invalid(format!("{path}: min {a} is above max {b}")));
            }
            RedLineKind::Bounds { min, max }
        }
        (_, _, true, _) => {
            return Err(Error::invalid(format!(
                "{path}: a red line on a scale point gives min, max or both"
            )));
        }
        _ => {
            return Err(Error::invalid(format!(
                "{path}: a red line on a point with options gives forbid or require (one)"
            )));
        }
    };
    Ok(RedLine { kind, reason })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tutorial() -> (Scenario, Skeleton) {
        let s = detente_scenario::shipped::load("tutorial").unwrap().unwrap();
        let k = Skeleton::from_scenario(&s).unwrap();
        (s, k)
    }

    #[test]
    fn the_wire_format_reads_back_every_party_of_the_tutorial() {
        let (s, k) = tutorial();
        for p in 0..s.parties().len() {
            let inputs = PartyInputs::of(&s, p);
            let text = inputs.to_json(&k).to_string();
            assert_eq!(PartyInputs::from_json(&k, text.as_bytes()).unwrap(), inputs);
            // The party's scenario gives the same utilities as the analyst's file.
            let own = inputs.scenario(&k, p).unwrap();
            let draft = &s.proposals()[0];
            if draft.open_issues().is_empty() {
                let o = detente_core::Outcome::new(
                    &s,
                    draft
                        .terms
                        .iter()
                        .map(|t| match t {
                            detente_core::Term::Set(k) => *k,
                            detente_core::Term::Open => 0,
                        })
                        .collect(),
                )
                .unwrap();
                assert_eq!(own.utility(p, &o), s.utility(p, &o));
            }
        }
    }

    #[test]
    fn bad_inputs_are_refused_naming_the_field() {
        let (_, k) = tutorial();
        let cases: &[(&str, &str)] = &[
            ("{", "inputs: not JSON"),
            ("[]", "inputs: expected an object"),
            (r#"{"reservation": 2}"#, "inputs.reservation: 2 is outside [0, 1]"),
            (r#"{"reservation": "x"}"#, "inputs.reservation: expected a finite number"),
            (r#"{"colour": 1}"#, "inputs: unknown field \"colour\""),
            (r#"{"stances": {"'; DROP TABLE inputs; --": {}}}"#, "no such point"),
            (r#"{"stances": {"dam": {"values": {}}}}"#, "inputs.stances.\"dam\".weight: missing"),
            (r#"{"stances": {"dam": {"weight": -1, "values": {}}}}"#, "is outside [0, 1000000]"),
            (
                r#"{"stances": {"dam": {"weight": 1, "values": {"upland-only": 1}}}}"#,
                "option \"joint-board\" has no value",
            ),
            (
                r#"{"stances": {"dam": {"weight": 1, "ideal": 3, "tolerance": 1}}}"#,
                "ideal and tolerance are for scale points",
            ),
            (
                r#"{"stances": {"share": {"weight": 1, "ideal": 300, "tolerance": 1}}}"#,
                "inputs.stances.\"share\".ideal: 300 is outside the scale [20, 80]",
            ),
            (
                r#"{"stances": {"share": {"weight": 1, "ideal": 30, "tolerance": 0}}}"#,
                "tolerance: must be above 0",
            ),
            (
                r#"{"stances": {"share": {"weight": 1, "ideal": 30, "tolerance": 5, "red_lines": [{"forbid": ["x"]}]}}}"#,
                "red_lines[0].forbid[0]: no option \"x\" on this point",
            ),
            (
                r#"{"stances": {"share": {"weight": 1, "ideal": 30, "tolerance": 5, "red_lines": [{"reason": "x"}]}}}"#,
                "gives min, max or both",
            ),
            (
                r#"{"stances": {"share": {"weight": 1, "ideal": 30, "tolerance": 5, "red_lines": [{"min": 50, "max": 40}]}}}"#,
                "min 50 is above max 40",
            ),
            (
                r#"{"stances": {"dam": {"weight": 1, "values": {"upland-only": 1, "joint-board": 1, "commission-run": 0}, "red_lines": [{"forbid": ["nope"]}]}}}"#,
                "red_lines[0].forbid[0]: no option \"nope\" on this point",
            ),
        ];
        for (input, expect) in cases {
            let e = PartyInputs::from_json(&k, input.as_bytes()).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::InvalidInput, "{input}");
            assert!(e.message().contains(expect), "{input}: {}", e.message());
        }
        let big = format!(r#"{{"reservation": 0.1{}}}"#, " ".repeat(MAX_INPUTS_BYTES));
        assert_eq!(
            PartyInputs::from_json(&k, big.as_bytes()).unwrap_err().kind(),
            ErrorKind::TooLarge
        );
        let long = format!(
            r#"{{"stances": {{"share": {{"weight": 1, "ideal": 30, "tolerance": 5, "red_lines": [{{"min": 40, "reason": "{}"}}]}}}}}}"#,
            "x".repeat(MAX_REASON + 1)
        );
        assert_eq!(
            PartyInputs::from_json(&k, long.as_bytes()).unwrap_err().kind(),
            ErrorKind::TooLarge
        );
        // SQL metacharacters in a text field are text like any other.
        let sql = r#"{"stances": {"share": {"weight": 1, "ideal": 30, "tolerance": 5, "red_lines": [{"min": 40, "reason": "'); DELETE FROM audit; --"}]}}}"#;
        let inputs = PartyInputs::from_json(&k, sql.as_bytes()).unwrap();
        let reason = inputs.stances[0].as_ref().unwrap().red_lines[0].reason.clone();
        assert_eq!(reason.as_deref(), Some("'); DELETE FROM audit; --"));
    }
}
