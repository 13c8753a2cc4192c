//! A party's inputs as an HTML form: written from its stored inputs, read back from the
//! submitted fields into the wire format of `detente_room::PartyInputs` (docs/api.md), and
//! checked by the room's own reader, point by point, so that every problem is said at its
//! field. The room's rules (ranges, the options of a point, a red line's shape) are not
//! written again here: this module only reads numbers from text and places the room's
//! messages.
//!
//! The fields are named by index, so that no id has to be escaped in a name:
//! `reservation`; for point `i`, `w{i}` (weight), `v{i}.{k}` (the value of option `k`),
//! `ideal{i}` and `tol{i}` (a scale point's ideal and tolerance); for its red line row `j`,
//! `r{i}.{j}.kind` (`forbid` or `require`), `r{i}.{j}.o{k}` (a checkbox per option),
//! `r{i}.{j}.min`, `r{i}.{j}.max` (a scale's bounds) and `r{i}.{j}.why` (the reason).
//! A point shows a row per red line it has and [`BLANK_LINES`] empty ones, so that several
//! red lines on one point are entered in one save; every row sent is read, however many.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use detente_core::{IssueKind, Preference, RedLineKind};
use detente_room::{PartyInputs, Skeleton};
use serde_json::{Map, Value, json};

use crate::serve::pages::esc;

/// The empty red line rows a point's form shows below its red lines: as many red lines on
/// one point are added in one save.
pub const BLANK_LINES: usize = 2;

/// The form's fields as text, point by point in the skeleton's order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct InputsForm {
    /// The reservation (blank: 0, as the wire format's default).
    pub reservation: String,
    /// One per point.
    pub points: Vec<PointForm>,
}

/// One point's fields.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PointForm {
    pub weight: String,
    /// One per option (points with options).
    pub values: Vec<String>,
    /// A scale point's ideal and tolerance.
    pub ideal: String,
    pub tolerance: String,
    /// The red line rows, in order (blank rows included).
    pub lines: Vec<LineForm>,
}

/// One red line row.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LineForm {
    /// `require` (only the checked options are acceptable) rather than `forbid`.
    pub require: bool,
    /// One per option: checked.
    pub options: Vec<bool>,
    /// A scale's bounds.
    pub min: String,
    pub max: String,
    pub reason: String,
}

impl LineForm {
    fn blank(n_options: usize) -> LineForm {
        LineForm { options: vec![false; n_options], ..LineForm::default() }
    }

    /// Nothing entered: the row is no red line.
    fn is_blank(&self) -> bool {
        !self.options.contains(&true)
            && [&self.min, &self.max, &self.reason].iter().all(|t| t.trim().is_empty())
    }
}

impl PointForm {
    fn blank(n_options: usize, discrete: bool) -> PointForm {
        PointForm {
            values: if discrete { vec![String::new(); n_options] } else { vec![] },
            ..PointForm::default()
        }
    }

    /// Nothing entered: no stance on the point.
    fn is_blank(&self) -> bool {
        [&self.weight, &self.ideal, &self.tolerance].iter().all(|t| t.trim().is_empty())
            && self.values.iter().all(|t| t.trim().is_empty())
            && self.lines.iter().all(LineForm::is_blank)
    }
}

/// A number as a field shows it: the shortest text that reads back as the same number.
fn field_number(x: f64) -> String {
    format!("{x}")
}

/// The options a point's red line rows have checkboxes for (a scale has none).
fn n_checkboxes(kind: &IssueKind) -> usize {
    match kind {
        IssueKind::Discrete { options } => options.len(),
        IssueKind::Scale { .. } => 0,
    }
}

/// The problems of a submitted form: each at its field (by the field's name, or `p{i}` for
/// a point as a whole), and those of the whole.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Problems {
    pub fields: BTreeMap<String, String>,
    pub whole: Vec<String>,
}

impl Problems {
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty() && self.whole.is_empty()
    }

    fn len(&self) -> usize {
        self.fields.len() + self.whole.len()
    }

    fn at(&mut self, field: String, message: String) {
        self.fields.entry(field).or_insert(message);
    }
}

impl InputsForm {
    /// The form of a party's stored inputs (blank without any), with [`BLANK_LINES`] blank
    /// red line rows per point to add red lines.
    pub fn of(skeleton: &Skeleton, inputs: Option<&PartyInputs>) -> InputsForm {
        let s = skeleton.scenario();
        let mut form = InputsForm {
            reservation: inputs.map(|i| field_number(i.reservation)).unwrap_or_default(),
            points: vec![],
        };
        for (i, issue) in s.issues().iter().enumerate() {
            let n = n_checkboxes(&issue.kind);
            let mut p = PointForm::blank(n, !issue.is_scale());
            if let Some(st) = inputs.and_then(|inp| inp.stances.get(i)).and_then(Option::as_ref) {
                p.weight = field_number(st.weight);
                match &st.preference {
                    Preference::Values(vs) => {
                        p.values = vs.iter().map(|&v| field_number(v)).collect();
                    }
                    Preference::Ideal { ideal, tolerance } => {
                        p.ideal = field_number(*ideal);
                        p.tolerance = field_number(*tolerance);
                    }
                }
                for r in &st.red_lines {
                    let mut l = LineForm::blank(n);
                    match &r.kind {
                        RedLineKind::Forbid(ks) | RedLineKind::Require(ks) => {
                            l.require = matches!(r.kind, RedLineKind::Require(_));
                            for &k in ks {
                                if let Some(c) = l.options.get_mut(k) {
                                    *c = true;
                                }
                            }
                        }
                        RedLineKind::Bounds { min, max } => {
                            l.min = min.map(field_number).unwrap_or_default();
                            l.max = max.map(field_number).unwrap_or_default();
                        }
                    }
                    l.reason = r.reason.clone().unwrap_or_default();
                    p.lines.push(l);
                }
            }
            p.lines.extend((0..BLANK_LINES).map(|_| LineForm::blank(n)));
            form.points.push(p);
        }
        form
    }

    /// The form as submitted: its fields by name. Names the form does not have (an index
    /// past the points or options, a field unknown) are ignored; red line rows are kept in
    /// the order of their numbers, blank ones included, so the form shows again as sent.
    pub fn read(skeleton: &Skeleton, fields: &[(String, String)]) -> InputsForm {
        let s = skeleton.scenario();
        let mut form = InputsForm {
            reservation: String::new(),
            points: s
                .issues()
                .iter()
                .map(|issue| PointForm::blank(n_checkboxes(&issue.kind), !issue.is_scale()))
                .collect(),
        };
        // Rows by (point, row number): a map, so that a large number costs nothing.
        let mut lines: BTreeMap<(usize, u64), LineForm> = BTreeMap::new();
        for (name, value) in fields {
            if name == "reservation" {
                form.reservation = value.clone();
                continue;
            }
            let Some((head, i, rest)) = split_name(name) else { continue };
            let Some(p) = form.points.get_mut(i) else { continue };
            let n = n_checkboxes(&s.issues()[i].kind);
            match (head, rest) {
                ("w", "") => p.weight = value.clone(),
                ("ideal", "") => p.ideal = value.clone(),
                ("tol", "") => p.tolerance = value.clone(),
                ("v", k) => {
                    if let Some(v) = k.parse::<usize>().ok().and_then(|k| p.values.get_mut(k)) {
                        *v = value.clone();
                    }
                }
                ("r", rest) => {
                    let Some((j, field)) = rest.split_once('.') else { continue };
                    let Ok(j) = j.parse::<u64>() else { continue };
                    let l = lines.entry((i, j)).or_insert_with(|| LineForm::blank(n));
                    match field {
                        "kind" => l.require = value == "require",
                        "min" => l.min = value.clone(),
                        "max" => l.max = value.clone(),
                        "why" => l.reason = value.clone(),
                        o => {
                            let k = o.strip_prefix('o').and_then(|k| k.parse::<usize>().ok());
                            if let Some(c) = k.and_then(|k| l.options.get_mut(k)) {
                                *c = !value.is_empty();
                            }
                        }
                    }
                }
                _ => {}
            }
        }
        for ((i, _), l) in lines {
            form.points[i].lines.push(l);
        }
        form
    }

    /// The inputs in the wire format, and the problems: numbers that are not numbers (said
    /// here), then whatever the room's reader refuses of the reservation and of each point
    /// taken alone (its message, placed at the field it names).
    pub fn check(&self, skeleton: &Skeleton) -> (Value, Problems) {
        let s = skeleton.scenario();
        let mut problems = Problems::default();
        let mut whole = Map::new();
        if let Some(r) = number(&self.reservation, "reservation".into(), &mut problems) {
            let one = json!({ "reservation": r });
            if let Err(e) = PartyInputs::from_json(skeleton, one.to_string().as_bytes()) {
                problems.at("reservation".into(), strip_path(e.message()).1.to_string());
            }
            whole.insert("reservation".into(), r);
        }
        let mut stances = Map::new();
        for (i, (issue, p)) in s.issues().iter().zip(&self.points).enumerate() {
            if p.is_blank() {
                continue;
            }
            let before = problems.len();
            let mut o = Map::new();
            if let Some(w) = number(&p.weight, format!("w{i}"), &mut problems) {
                o.insert("weight".into(), w);
            }
            match &issue.kind {
                IssueKind::Discrete { options } => {
                    let mut values = Map::new();
                    for (k, (option, text)) in options.iter().zip(&p.values).enumerate() {
                        if let Some(v) = number(text, format!("v{i}.{k}"), &mut problems) {
                            values.insert(option.id.clone(), v);
                        }
                    }
                    o.insert("values".into(), Value::Object(values));
                }
                IssueKind::Scale { .. } => {
                    if let Some(x) = number(&p.ideal, format!("ideal{i}"), &mut problems) {
                        o.insert("ideal".into(), x);
                    }
                    if let Some(x) = number(&p.tolerance, format!("tol{i}"), &mut problems) {
                        o.insert("tolerance".into(), x);
                    }
                }
            }
            // The rows entered, and which row each red line of the wire format came from.
            let mut rows = vec![];
            let mut red_lines = vec![];
            for (j, l) in p.lines.iter().enumerate() {
                if l.is_blank() {
                    continue;
                }
                let mut line = Map::new();
                if let IssueKind::Discrete { options } = &issue.kind {
                    let ids: Vec<Value> = options
                        .iter()
                        .zip(&l.options)
                        .filter(|(_, checked)| **checked)
                        .map(|(o, _)| json!(o.id))
                        .collect();
                    line.insert(if l.require { "require" } else { "forbid" }.into(), json!(ids));
                } else {
                    for (key, text, field) in [("min", &l.min, "min"), ("max", &l.max, "max")] {
                        if let Some(x) = number(text, format!("r{i}.{j}.{field}"), &mut problems) {
                            line.insert(key.into(), x);
                        }
                    }
                }
                if !l.reason.trim().is_empty() {
                    line.insert("reason".into(), json!(l.reason.trim()));
                }
                rows.push(j);
                red_lines.push(Value::Object(line));
            }
            if !red_lines.is_empty() {
                o.insert("red_lines".into(), Value::Array(red_lines));
            }
            // The room's reader on this point alone, once its numbers read.
            if problems.len() == before {
                let one = json!({ "stances": { issue.id.clone(): o.clone() } });
                if let Err(e) = PartyInputs::from_json(skeleton, one.to_string().as_bytes()) {
                    let (field, said) = place(skeleton, i, &rows, e.message());
                    problems.at(field, said);
                }
            }
            stances.insert(issue.id.clone(), Value::Object(o));
        }
        whole.insert("stances".into(), Value::Object(stances));
        (Value::Object(whole), problems)
    }

    /// The form, to `action`, with the session's CSRF token and each problem beside its
    /// field.
    pub fn html(
        &self,
        skeleton: &Skeleton,
        problems: &Problems,
        action: &str,
        csrf: &str,
    ) -> String {
        let s = skeleton.scenario();
        let mut b = String::new();
        let _ = writeln!(
            b,
            "<form method=\"post\" action=\"{}\" id=\"inputs\" class=\"inputs\">\n<input type=\"hidden\" name=\"csrf\" value=\"{}\">",
            esc(action),
            esc(csrf)
        );
        let _ = writeln!(
            b,
            "<p><label for=\"f-reservation\">Your reservation</label>, what you get with no deal, as a utility from 0 to 1 (left blank: 0): {}</p>",
            input("reservation", &self.reservation, problems)
        );
        let _ = writeln!(
            b,
            "<p class=\"note\">Weights say how much each point matters to you, relative to each other (they are normalised to sum to 1). On a point with options, give each option a value from 0 (worst) to 1 (best); on a scale, your ideal value and your tolerance (how far from the ideal the value falls to 0). A red line forbids options, or allows only the options checked, or on a scale bounds the value; a draft that crosses one is rejected whatever else it gives. Leave every field of a point blank to take no stance on it. Each point has {BLANK_LINES} empty red line rows: fill them to add as many red lines at once, and save to get {BLANK_LINES} more; clear a row to remove its red line.</p>"
        );
        for (i, (issue, p)) in s.issues().iter().zip(&self.points).enumerate() {
            let _ = write!(
                b,
                "<fieldset id=\"p{i}\" data-point=\"{}\"><legend>{} · {}</legend>",
                esc(&issue.id),
                esc(&issue.id),
                esc(&issue.name)
            );
            if let Some(m) = problems.fields.get(&format!("p{i}")) {
                let _ = write!(b, "<p class=\"problem\" data-problem=\"p{i}\">{}</p>", esc(m));
            }
            let _ = write!(
                b,
                "<p><label for=\"f-w{i}\">Weight</label> {}</p>",
                input(&format!("w{i}"), &p.weight, problems)
            );
            match &issue.kind {
                IssueKind::Discrete { options } => {
                    if let Some(m) = problems.fields.get(&format!("v{i}")) {
                        let _ = write!(
                            b,
                            "<p class=\"problem\" data-problem=\"v{i}\">values: {}</p>",
                            esc(m)
                        );
                    }
                    b.push_str(
                        "<table class=\"values\"><tr><th>option</th><th>value, 0 to 1</th></tr>",
                    );
                    for (k, (o, v)) in options.iter().zip(&p.values).enumerate() {
                        let _ = write!(
                            b,
                            "<tr><td><label for=\"f-v{i}.{k}\">{}</label> <code>{}</code></td><td>{}</td></tr>",
                            esc(&o.label),
                            esc(&o.id),
                            input(&format!("v{i}.{k}"), v, problems)
                        );
                    }
                    b.push_str("</table>");
                }
                IssueKind::Scale { unit, min, max, step } => {
                    let _ = write!(
                        b,
                        "<p>A scale from {} to {} {}, in steps of {}. <label for=\"f-ideal{i}\">Ideal</label> {} <label for=\"f-tol{i}\">tolerance</label> {}</p>",
                        field_number(*min),
                        field_number(*max),
                        esc(unit),
                        field_number(*step),
                        input(&format!("ideal{i}"), &p.ideal, problems),
                        input(&format!("tol{i}"), &p.tolerance, problems)
                    );
                }
            }
            b.push_str(
                "<table class=\"red-lines\"><tr><th>red line</th><th>reason (optional)</th></tr>",
            );
            for (j, l) in p.lines.iter().enumerate() {
                let row = format!("r{i}.{j}");
                b.push_str("<tr><td>");
                if let Some(m) = problems.fields.get(&row) {
                    let _ = write!(
                        b,
                        "<span class=\"problem\" data-problem=\"{row}\">{}</span><br>",
                        esc(m)
                    );
                }
                match &issue.kind {
                    IssueKind::Discrete { options } => {
                        let _ = write!(
                            b,
                            "<select name=\"{row}.kind\" aria-label=\"kind of red line\"><option value=\"forbid\"{}>forbids</option><option value=\"require\"{}>allows only</option></select>",
                            if l.require { "" } else { " selected" },
                            if l.require { " selected" } else { "" }
                        );
                        for (k, (o, checked)) in options.iter().zip(&l.options).enumerate() {
                            let _ = write!(
                                b,
                                " <label title=\"{}\"><input type=\"checkbox\" name=\"{row}.o{k}\" value=\"on\"{}> {}</label>",
                                esc(&o.label),
                                if *checked { " checked" } else { "" },
                                esc(&o.id)
                            );
                        }
                    }
                    IssueKind::Scale { .. } => {
                        let _ = write!(
                            b,
                            "<label for=\"f-{row}.min\">at least</label> {} <label for=\"f-{row}.max\">at most</label> {}",
                            input(&format!("{row}.min"), &l.min, problems),
                            input(&format!("{row}.max"), &l.max, problems)
                        );
                    }
                }
                let _ = write!(
                    b,
                    "</td><td><input id=\"f-{row}.why\" name=\"{row}.why\" value=\"{}\" size=\"40\" aria-label=\"reason\"></td></tr>",
                    esc(&l.reason)
                );
            }
            b.push_str("</table></fieldset>\n");
        }
        b.push_str("<p><button type=\"submit\">Save your inputs</button></p>\n</form>\n");
        b
    }
}

/// A text field for a number, marked and followed by its problem if it has one.
fn input(name: &str, value: &str, problems: &Problems) -> String {
    let problem = problems.fields.get(name);
    let mut out = format!(
        "<input id=\"f-{name}\" name=\"{name}\" value=\"{}\" inputmode=\"decimal\" size=\"10\"",
        esc(value)
    );
    match problem {
        Some(m) => {
            let _ = write!(
                out,
                " class=\"bad\" aria-invalid=\"true\" aria-describedby=\"e-{name}\"><span class=\"problem\" id=\"e-{name}\" data-problem=\"{name}\">{}</span>",
                esc(m)
            );
        }
        None => out.push('>'),
    }
    out
}

/// Reads a number field: `None` when blank or not a number (then a problem at `field`).
fn number(text: &str, field: String, problems: &mut Problems) -> Option<Value> {
    let t = text.trim();
    if t.is_empty() {
        return None;
    }
    match t.parse::<f64>() {
        Ok(x) if x.is_finite() => Some(json!(x)),
        _ => {
            let shown: String = t.chars().take(40).collect();
            let more = if shown.len() < t.len() { "..." } else { "" };
            problems.at(field, format!("{shown:?}{more} is not a number"));
            None
        }
    }
}

/// A field name `head{i}rest`: (`w`|`v`|`ideal`|`tol`|`r`, i, what follows `i` and its dot).
fn split_name(name: &str) -> Option<(&str, usize, &str)> {
    let head = ["ideal", "tol", "w", "v", "r"].into_iter().find(|h| name.starts_with(h))?;
    let rest = &name[head.len()..];
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    let i = rest[..digits].parse().ok()?;
    let rest = &rest[digits..];
    let rest = if rest.is_empty() { rest } else { rest.strip_prefix('.')? };
    Some((head, i, rest))
}

/// A room message split at its path: (`inputs.stances."dam".weight`, `-1 is outside ...`).
/// Ids are letters, digits, `-`, `_` and `.`, so the first `": "` ends the path.
fn strip_path(message: &str) -> (&str, &str) {
    message.split_once(": ").unwrap_or(("", message))
}

/// Where the room's message on point `i` (checked alone) belongs: the field its path names,
/// and the message said there. `rows`: the form's row of each red line sent.
fn place(skeleton: &Skeleton, i: usize, rows: &[usize], message: &str) -> (String, String) {
    let (path, said) = strip_path(message);
    // The path past the point: `inputs.stances."ID"` then `.weight`, `.values."OPTION"`,
    // `.red_lines[J].forbid`, ... (an id of more than 40 characters is cut, with `...`).
    let rest = path
        .strip_prefix("inputs.stances.\"")
        .and_then(|r| r.split_once('"'))
        .map(|(_, r)| r.trim_start_matches("..."))
        .unwrap_or("");
    let point = || (format!("p{i}"), said.to_string());
    if rest.starts_with(".weight") {
        (format!("w{i}"), said.to_string())
    } else if rest.starts_with(".ideal") {
        (format!("ideal{i}"), said.to_string())
    } else if rest.starts_with(".tolerance") {
        (format!("tol{i}"), said.to_string())
    } else if let Some(v) = rest.strip_prefix(".values") {
        let issue = &skeleton.scenario().issues()[i];
        let option = v.strip_prefix(".\"").and_then(|v| v.split_once('"')).map(|(id, _)| id);
        match option.and_then(|id| issue.option_index(id)) {
            Some(k) => (format!("v{i}.{k}"), said.to_string()),
            None => (format!("v{i}"), said.to_string()),
        }
    } else if let Some(r) = rest.strip_prefix(".red_lines[") {
        let Some((j, after)) = r.split_once(']') else { return point() };
        match j.parse::<usize>().ok().and_then(|j| rows.get(j)) {
            Some(row) => {
                let what = after.trim_start_matches('.');
                let what = what.split('[').next().unwrap_or(what);
                let said =
                    if what.is_empty() { said.to_string() } else { format!("{what}: {said}") };
                (format!("r{i}.{row}"), said)
            }
            None => point(),
        }
    } else {
        point()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tutorial() -> (detente_core::Scenario, Skeleton) {
        let s = detente_scenario::shipped::load("tutorial").unwrap().unwrap();
        let k = Skeleton::from_scenario(&s).unwrap();
        (s, k)
    }

    /// The fields a browser submits for a form: every text field and select, and the
    /// checked boxes.
    fn submitted(form: &InputsForm) -> Vec<(String, String)> {
        let mut f = vec![("csrf".to_string(), "x".to_string())];
        f.push(("reservation".into(), form.reservation.clone()));
        for (i, p) in form.points.iter().enumerate() {
            f.push((format!("w{i}"), p.weight.clone()));
            for (k, v) in p.values.iter().enumerate() {
                f.push((format!("v{i}.{k}"), v.clone()));
            }
            if p.values.is_empty() {
                f.push((format!("ideal{i}"), p.ideal.clone()));
                f.push((format!("tol{i}"), p.tolerance.clone()));
            }
            for (j, l) in p.lines.iter().enumerate() {
                let kind = if l.require { "require" } else { "forbid" };
                f.push((format!("r{i}.{j}.kind"), kind.into()));
                for (k, c) in l.options.iter().enumerate() {
                    if *c {
                        f.push((format!("r{i}.{j}.o{k}"), "on".into()));
                    }
                }
                if l.options.is_empty() {
                    f.push((format!("r{i}.{j}.min"), l.min.clone()));
                    f.push((format!("r{i}.{j}.max"), l.max.clone()));
                }
                f.push((format!("r{i}.{j}.why"), l.reason.clone()));
            }
        }
        f
    }

    #[test]
    fn every_party_of_both_shipped_scenarios_reads_back_through_its_form() {
        for name in ["tutorial", "ukraine-2025"] {
            let s = detente_scenario::shipped::load(name).unwrap().unwrap();
            let k = Skeleton::from_scenario(&s).unwrap();
            for p in 0..s.parties().len() {
                let inputs = PartyInputs::of(&s, p);
                let form = InputsForm::of(&k, Some(&inputs));
                let read = InputsForm::read(&k, &submitted(&form));
                assert_eq!(read, form, "{name} {p}");
                let (json, problems) = read.check(&k);
                assert!(problems.is_empty(), "{name} {p}: {problems:?}");
                let back = PartyInputs::from_json(&k, json.to_string().as_bytes()).unwrap();
                assert_eq!(back, inputs, "{name} party {p}");
            }
        }
        // Blank: no stance anywhere, reservation 0.
        let (_, k) = tutorial();
        let blank = InputsForm::of(&k, None);
        let (json, problems) = InputsForm::read(&k, &submitted(&blank)).check(&k);
        assert!(problems.is_empty());
        assert_eq!(json, json!({"stances": {}}));
    }

    #[test]
    fn each_problem_is_said_at_its_field() {
        let (s, k) = tutorial();
        let good = submitted(&InputsForm::of(&k, Some(&PartyInputs::of(&s, 0))));
        let with = |changes: &[(&str, &str)]| -> Problems {
            let mut f = good.clone();
            for (name, value) in changes {
                match f.iter_mut().find(|(n, _)| n == name) {
                    Some(field) => field.1 = value.to_string(),
                    None => f.push((name.to_string(), value.to_string())),
                }
            }
            InputsForm::read(&k, &f).check(&k).1
        };
        // tutorial: share (scale 20-80, point 0), dam (point 1: upland-only, joint-board,
        // commission-run), monitoring (2), compensation (3).
        type Case<'a> = (&'a [(&'a str, &'a str)], &'a str, &'a str);
        let cases: &[Case] = &[
            (&[("reservation", "abc")], "reservation", "\"abc\" is not a number"),
            (&[("reservation", "2")], "reservation", "2 is outside [0, 1]"),
            (&[("w1", "-1")], "w1", "-1 is outside [0, 1000000]"),
            (&[("w1", "")], "w1", "missing"),
            (&[("v1.2", "1.5")], "v1.2", "1.5 is outside [0, 1]"),
            (&[("v1.2", "")], "v1", "option \"commission-run\" has no value"),
            (&[("v1.0", "1e400")], "v1.0", "\"1e400\" is not a number"),
            (&[("ideal0", "300")], "ideal0", "300 is outside the scale [20, 80]"),
            (&[("tol0", "0")], "tol0", "must be above 0"),
            (&[("r0.0.min", "70"), ("r0.0.max", "60")], "r0.0", "min 70 is above max 60"),
            (&[("r1.0.o2", "")], "r1.0", "forbid: names no option"),
            (
                &[("r0.1.why", "a reason alone")],
                "r0.1",
                "a red line on a scale point gives min, max or both",
            ),
            (&[("r0.1.min", "x")], "r0.1.min", "\"x\" is not a number"),
        ];
        for (changes, field, said) in cases {
            let p = with(changes);
            assert_eq!(p.fields.len(), 1, "{changes:?}: {p:?}");
            assert_eq!(p.fields.get(*field).map(String::as_str), Some(*said), "{changes:?}: {p:?}");
        }
        // Problems on several points are all said at once.
        let p = with(&[("w1", "x"), ("ideal0", "300"), ("v3.0", "2")]);
        assert_eq!(p.fields.keys().collect::<Vec<_>>(), ["ideal0", "v3.0", "w1"]);
    }

    #[test]
    fn several_red_lines_on_one_point_are_read_from_one_form() {
        use detente_core::RedLine;
        let (s, k) = tutorial();
        let inputs = PartyInputs::of(&s, 0);
        let mut form = InputsForm::of(&k, Some(&inputs));
        // A row per red line, and the empty ones, on every point.
        for (i, p) in form.points.iter().enumerate() {
            let had = inputs.stances[i].as_ref().map_or(0, |st| st.red_lines.len());
            assert_eq!(p.lines.len(), had + BLANK_LINES, "point {i}");
        }
        // Both empty rows of the share (point 0, a scale 20-80) and of the dam (point 1:
        // upland-only, joint-board, commission-run) filled, and sent as a browser sends them.
        let n0 = form.points[0].lines.len();
        let share = &mut form.points[0].lines;
        share[n0 - 2].min = "25".into();
        share[n0 - 1].max = "75".into();
        share[n0 - 1].reason = "second".into();
        let n1 = form.points[1].lines.len();
        let dam = &mut form.points[1].lines;
        dam[n1 - 2].options = vec![true, false, false];
        dam[n1 - 2].reason = "first".into();
        dam[n1 - 1].require = true;
        dam[n1 - 1].options = vec![false, true, true];
        let read = InputsForm::read(&k, &submitted(&form));
        assert_eq!(read, form);
        let (json, problems) = read.check(&k);
        assert!(problems.is_empty(), "{problems:?}");
        let got = PartyInputs::from_json(&k, json.to_string().as_bytes()).unwrap();
        // Upland's inputs with the four red lines added after its own, in the rows' order.
        let mut want = inputs.clone();
        let line = |kind, reason: Option<&str>| RedLine { kind, reason: reason.map(Into::into) };
        want.stances[0].as_mut().unwrap().red_lines.extend([
            line(RedLineKind::Bounds { min: Some(25.0), max: None }, None),
            line(RedLineKind::Bounds { min: None, max: Some(75.0) }, Some("second")),
        ]);
        want.stances[1].as_mut().unwrap().red_lines.extend([
            line(RedLineKind::Forbid(vec![0]), Some("first")),
            line(RedLineKind::Require(vec![1, 2]), None),
        ]);
        assert_eq!(got, want);
        // A problem in the second new row is said at that row, and only there.
        form.points[0].lines[n0 - 1].min = "78".into();
        let (_, problems) = InputsForm::read(&k, &submitted(&form)).check(&k);
        let row = format!("r0.{}", n0 - 1);
        assert_eq!(problems.fields.keys().collect::<Vec<_>>(), [&row]);
        assert_eq!(problems.fields[&row], "min 78 is above max 75");
    }

    #[test]
    fn field_names_past_the_form_are_ignored_and_cost_nothing() {
        let (_, k) = tutorial();
        let fields: Vec<(String, String)> = [
            ("w99", "1"),
            ("v1.99", "1"),
            ("r0.18446744073709551615.min", "30"),
            ("r1.0.o99", "on"),
            ("x", "1"),
            ("w", "1"),
            ("w1x", "1"),
        ]
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
        let form = InputsForm::read(&k, &fields);
        // The huge row number is one row, kept; nothing else landed.
        assert_eq!(form.points[0].lines.len(), 1);
        assert_eq!(form.points[0].lines[0].min, "30");
        assert!(form.points[1].lines.len() == 1 && !form.points[1].lines[0].options[0]);
        assert!(form.points.iter().all(|p| p.weight.is_empty()));
    }

    #[test]
    fn the_form_escapes_what_it_shows() {
        let (_, k) = tutorial();
        let mut form = InputsForm::of(&k, None);
        form.points[0].lines[0].reason = "<script>\"'&".into();
        form.points[1].weight = "\"><b>".into();
        let (_, problems) = form.check(&k);
        let html = form.html(&k, &problems, "/rooms/x/party", "t\"ok");
        assert!(!html.contains("<script>") && !html.contains("\"><b>"), "{html}");
        assert!(html.contains("&lt;script&gt;&quot;&#39;&amp;"));
        assert!(html.contains("value=\"t&quot;ok\""));
        assert!(html.contains("data-problem=\"w1\""), "{html}");
    }
}
