//! Reads a GENIUS domain folder (a domain file and one utility profile per party, XML) the
//! way NegMAS 0.16 loads it; the semantics are listed on [`crate::import::genius()`].

use std::collections::{HashMap, HashSet};

use roxmltree::{Document, Node};

use super::{Domain, DomainIssue, DomainParty, Problems};
use crate::error::{Error, Problem, ProblemKind};
use crate::tree::number_text;
use crate::{MAX_MAGNITUDE, MIN_MAGNITUDE};

/// The largest issue index accepted (gaps below it become dummy issues).
const MAX_INDEX: i64 = 10_000;
/// The most values an integer issue may have: as many as a scale issue's grid points, so
/// that a domain of a few bytes cannot become a scenario of millions of options (found by
/// the genius_xml fuzz target: `upperbound="335863"` in a 6.6 KB folder took 1.1 GB to
/// write and read back).
const MAX_INTEGER_VALUES: i64 = detente_core::MAX_SCALE_POINTS as i64;

/// How a domain issue's values are given.
#[derive(Clone, Copy)]
enum Values {
    /// Named items.
    Discrete,
    /// Every integer from the lower to the upper bound.
    Integer { lower: i64 },
    /// The filler NegMAS puts where an issue index is missing.
    Dummy,
}

struct Slot {
    name: String,
    values: Vec<String>,
    kind: Values,
}

pub(super) fn read(
    folder: &str,
    files: &[(String, Vec<u8>)],
) -> Result<detente_core::Scenario, Error> {
    let folder_name = folder
        .trim_end_matches(['/', '\\'])
        .rsplit(['/', '\\'])
        .next()
        .filter(|s| !s.is_empty())
        .unwrap_or(folder);
    let mut sorted: Vec<&(String, Vec<u8>)> = files.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    let mut problems: Vec<Problem> = Vec::new();
    let mut texts: Vec<(String, String, &str)> = Vec::new(); // (display name, file name, text)
    for (name, bytes) in &sorted {
        let shown = display(folder, name);
        match crate::utf8(&shown, bytes) {
            Ok(text) => texts.push((shown, name.clone(), text)),
            Err(e) => problems.extend(e.problems().iter().cloned()),
        }
    }
    let mut docs = Vec::new();
    for (shown, name, text) in &texts {
        match Document::parse(text) {
            Ok(doc) => docs.push((shown.as_str(), name.as_str(), *text, doc)),
            Err(e) => {
                let pos = e.pos();
                let message = e.to_string();
                let suffix = format!(" at {}:{}", pos.row, pos.col);
                let message = message.strip_suffix(&suffix).unwrap_or(&message).to_string();
                problems.push(Problem {
                    file: shown.clone(),
                    line: pos.row as usize,
                    column: pos.col as usize,
                    path: String::new(),
                    kind: ProblemKind::Syntax,
                    message: format!("not well-formed XML: {message}"),
                });
            }
        }
    }
    // Recognise the domain file and the profiles by content.
    let mut domain_doc = None;
    let mut profiles = Vec::new();
    for (shown, name, text, doc) in &docs {
        let root = doc.root_element();
        let tag = root.tag_name().name();
        let is_profile = tag == "utility_space"
            && root.descendants().any(|n| {
                n.has_tag_name("weight")
                    || n.has_tag_name("evaluator")
                    || (n.has_tag_name("item") && n.has_attribute("evaluation"))
            });
        if tag == "negotiation_template" || (tag == "utility_space" && !is_profile) {
            match &domain_doc {
                None => domain_doc = Some((*shown, *text, doc)),
                Some((first, _, _)) => {
                    let mut pr = Problems::new(shown, text);
                    pr.push(
                        root.range().start,
                        tag,
                        ProblemKind::Conflict,
                        format!("a second domain file (the first is {first}): a folder has one"),
                    );
                    problems.extend(pr.located());
                }
            }
        } else if is_profile {
            profiles.push((*shown, *name, *text, doc));
        } else {
            let mut pr = Problems::new(shown, text);
            pr.push(
                root.range().start,
                tag,
                ProblemKind::Unsupported,
                format!(
                    "neither a GENIUS domain (<negotiation_template> or <utility_space>) nor a profile: the root is <{tag}>"
                ),
            );
            problems.extend(pr.located());
        }
    }
    let folder_problem = |message: String| Problem {
        file: folder.to_string(),
        line: 1,
        column: 1,
        path: String::new(),
        kind: ProblemKind::Unsupported,
        message,
    };
    if domain_doc.is_none() && problems.is_empty() {
        problems.push(folder_problem(
            "no domain file (an XML file with <negotiation_template>, or <utility_space> without weights or evaluations)".to_string(),
        ));
    }
    if profiles.is_empty() && problems.is_empty() {
        problems.push(folder_problem(
            "no utility profile (an XML <utility_space> with weights and evaluations)".to_string(),
        ));
    }
    if profiles.len() == 1 && problems.is_empty() {
        problems.push(Problem {
            kind: ProblemKind::TooFewParties,
            ..folder_problem(format!(
                "a negotiation needs at least two parties, found one utility profile ({})",
                profiles[0].1
            ))
        });
    }
    let slots = domain_doc.and_then(|(shown, text, doc)| {
        let mut pr = Problems::new(shown, text);
        let slots = domain_issues(&mut pr, doc.root_element());
        problems.extend(pr.located());
        slots
    });
    let mut parties = Vec::new();
    if let Some(slots) = &slots {
        for (shown, name, text, doc) in &profiles {
            let mut pr = Problems::new(shown, text);
            let party = profile(&mut pr, doc.root_element(), slots, name);
            problems.extend(pr.located());
            parties.extend(party);
        }
    }
    if !problems.is_empty() {
        return Err(Error::new(problems));
    }
    let Some(slots) = slots else {
        return Err(Error::new(vec![folder_problem(
            "internal error, please report: no issues and no problem".to_string(),
        )]));
    };
    let files: Vec<&str> = profiles.iter().map(|p| p.1).collect();
    let domain = Domain {
        name: folder_name.to_string(),
        source: format!(
            "Imported from the GENIUS domain folder {folder_name} (profiles: {}), as NegMAS loads it.",
            files.join(", ")
        ),
        issues: slots.into_iter().map(|s| DomainIssue { name: s.name, values: s.values }).collect(),
        parties,
    };
    domain.build(folder)
}

fn display(folder: &str, name: &str) -> String {
    if folder.is_empty() {
        name.to_string()
    } else {
        format!("{}/{name}", folder.trim_end_matches(['/', '\\']))
    }
}

/// `a.b[1].c`: the element's path from the root, with the position among same-named
/// siblings where there are several.
fn path(pr: &Problems<'_>, node: Node<'_, '_>) -> String {
    let mut parts: Vec<String> = node
        .ancestors()
        .filter(|n| n.is_element())
        .map(|n| {
            let tag = n.tag_name().name();
            match place(pr, n) {
                Some((pos, count)) if count > 1 => format!("{tag}[{pos}]"),
                _ => tag.to_string(),
            }
        })
        .collect();
    parts.reverse();
    parts.join(".")
}

/// An element's position among the same-named element children of its parent, and their
/// number; `None` for the root. Every child of a parent is placed the first time one is
/// asked for.
fn place(pr: &Problems<'_>, node: Node<'_, '_>) -> Option<(usize, usize)> {
    let parent = node.parent_element()?;
    let mut places = pr.places.borrow_mut();
    if !places.contains_key(&node.id().get_usize()) {
        let children: Vec<Node<'_, '_>> = parent.children().filter(|c| c.is_element()).collect();
        let mut counts: HashMap<&str, usize> = HashMap::new();
        let positions: Vec<usize> = children
            .iter()
            .map(|c| {
                let n = counts.entry(c.tag_name().name()).or_insert(0);
                *n += 1;
                *n - 1
            })
            .collect();
        for (c, pos) in children.iter().zip(positions) {
            let count = counts.get(c.tag_name().name()).copied().unwrap_or(1);
            places.insert(c.id().get_usize(), (pos, count));
        }
    }
    places.get(&node.id().get_usize()).copied()
}

/// A required attribute, or a located problem.
fn attr<'a>(pr: &mut Problems<'_>, node: Node<'a, '_>, name: &str) -> Option<&'a str> {
    let v = node.attribute(name);
    if v.is_none() {
        pr.push(
            node.range().start,
            &path(pr, node),
            ProblemKind::MissingField,
            format!("missing attribute {name:?} of <{}>", node.tag_name().name()),
        );
    }
    v
}

fn attr_offset(node: Node<'_, '_>, name: &str) -> usize {
    node.attribute_node(name).map_or(node.range().start, |a| a.range_value().start)
}

/// A finite number attribute.
fn float(pr: &mut Problems<'_>, node: Node<'_, '_>, name: &str) -> Option<f64> {
    let text = attr(pr, node, name)?;
    let at = attr_offset(node, name);
    let (kind, message) = match text.trim().parse::<f64>() {
        Ok(x) if x.is_finite() && x.abs() <= MAX_MAGNITUDE => return Some(x),
        Ok(x) if x.is_finite() => (
            ProblemKind::OutOfRange,
            format!(
                "must be at most 1e9 in magnitude, found {} (larger numbers make utilities overflow or lose precision)",
                shown(text)
            ),
        ),
        Ok(_) => {
            (ProblemKind::NotFinite, format!("must be a finite number, found {}", shown(text)))
        }
        Err(_) => (ProblemKind::WrongType, format!("must be a number, found {}", shown(text))),
    };
    let where_ = format!("{}.{name}", path(pr, node));
    pr.push(at, &where_, kind, message);
    None
}

/// An attribute's text for a message: quoted, or its count of digits when long.
fn shown(text: &str) -> String {
    if text.chars().count() <= 24 { format!("{text:?}") } else { number_text(text) }
}

/// A whole-number attribute.
fn integer(pr: &mut Problems<'_>, node: Node<'_, '_>, name: &str) -> Option<i64> {
    let text = attr(pr, node, name)?;
    match text.trim().parse::<i64>() {
        Ok(x) => Some(x),
        Err(_) => {
            pr.push(
                attr_offset(node, name),
                &format!("{}.{name}", path(pr, node)),
                ProblemKind::WrongType,
                format!("must be a whole number, found {text:?}"),
            );
            None
        }
    }
}

/// The element children with this tag.
fn children<'a, 'i>(node: Node<'a, 'i>, tag: &str) -> Vec<Node<'a, 'i>> {
    node.children().filter(|c| c.is_element() && c.tag_name().name() == tag).collect()
}

/// The `<issue>` elements of a domain or profile, with their `index`, in document order.
fn issue_elements<'a, 'i>(pr: &mut Problems<'_>, root: Node<'a, 'i>) -> Vec<(i64, Node<'a, 'i>)> {
    let mut out = Vec::new();
    for issue in root.descendants().filter(|n| n.has_tag_name("issue")) {
        let Some(index) = integer(pr, issue, "index") else { continue };
        if !(1..=MAX_INDEX).contains(&index) {
            pr.push(
                attr_offset(issue, "index"),
                &format!("{}.index", path(pr, issue)),
                ProblemKind::Unsupported,
                format!("issue index must be in 1..={MAX_INDEX}, found {index}"),
            );
            continue;
        }
        out.push((index, issue));
    }
    out
}

/// The domain's issues by index, gaps filled with NegMAS's dummy issue.
fn domain_issues(pr: &mut Problems<'_>, root: Node<'_, '_>) -> Option<Vec<Slot>> {
    let n_before = pr.raw.len();
    let mut by_index: HashMap<i64, Slot> = HashMap::new();
    let elements = issue_elements(pr, root);
    if elements.is_empty() && pr.raw.len() == n_before {
        pr.push(
            root.range().start,
            &path(pr, root),
            ProblemKind::MissingField,
            "no <issue> element",
        );
        return None;
    }
    for (index, issue) in elements {
        let name = attr(pr, issue, "name").unwrap_or("").to_string();
        let vtype = ["vtype", "type", "etype"]
            .iter()
            .find_map(|a| issue.attribute(*a))
            .unwrap_or("discrete");
        let slot = match vtype {
            "discrete" => {
                let items = children(issue, "item");
                if items.is_empty() {
                    pr.push(
                        issue.range().start,
                        &path(pr, issue),
                        ProblemKind::Empty,
                        format!("issue {name:?} has no <item>"),
                    );
                    continue;
                }
                let values: Vec<String> = items
                    .iter()
                    .filter_map(|it| attr(pr, *it, "value"))
                    .map(str::to_string)
                    .collect();
                Slot { name, values, kind: Values::Discrete }
            }
            "integer" => {
                let (Some(lower), Some(upper)) =
                    (integer(pr, issue, "lowerbound"), integer(pr, issue, "upperbound"))
                else {
                    continue;
                };
                let n = upper.checked_sub(lower).and_then(|d| d.checked_add(1)).unwrap_or(i64::MAX);
                if upper < lower || n > MAX_INTEGER_VALUES {
                    pr.push(
                        issue.range().start,
                        &path(pr, issue),
                        ProblemKind::OutOfRange,
                        format!(
                            "integer issue {name:?} needs lowerbound <= upperbound and at most {MAX_INTEGER_VALUES} values, found {lower}..={upper}"
                        ),
                    );
                    continue;
                }
                Slot {
                    name,
                    values: (lower..=upper).map(|x| x.to_string()).collect(),
                    kind: Values::Integer { lower },
                }
            }
            other => {
                pr.push(
                    issue.range().start,
                    &path(pr, issue),
                    ProblemKind::Unsupported,
                    format!(
                        "issue {name:?} has type {other:?}: only discrete and integer issues are read (NegMAS's discretisation of real issues is not pinned down by any export)"
                    ),
                );
                continue;
            }
        };
        if by_index.contains_key(&index) {
            pr.push(
                attr_offset(issue, "index"),
                &format!("{}.index", path(pr, issue)),
                ProblemKind::DuplicateId,
                format!("a second issue with index {index}"),
            );
            continue;
        }
        by_index.insert(index, slot);
    }
    if pr.raw.len() != n_before {
        return None;
    }
    let max = by_index.keys().copied().max().unwrap_or(0);
    Some(
        (1..=max)
            .map(|k| {
                by_index.remove(&k).unwrap_or_else(|| Slot {
                    name: "DUMMY_ISSUE".to_string(),
                    values: vec!["1".to_string()],
                    kind: Values::Dummy,
                })
            })
            .collect(),
    )
}

/// One party from a utility profile.
fn profile(
    pr: &mut Problems<'_>,
    root: Node<'_, '_>,
    slots: &[Slot],
    file: &str,
) -> Option<DomainParty> {
    let n_before = pr.raw.len();
    let n = slots.len();
    let mut weights: Vec<Option<f64>> = vec![None; n];
    for w in root.descendants().filter(|x| x.has_tag_name("weight")) {
        let (Some(index), Some(value)) = (integer(pr, w, "index"), float(pr, w, "value")) else {
            continue;
        };
        if value != 0.0 && value.abs() < MIN_MAGNITUDE {
            // A scenario file refuses such a weight: the import would not read back.
            pr.push(
                attr_offset(w, "value"),
                &format!("{}.value", path(pr, w)),
                ProblemKind::OutOfRange,
                format!(
                    "must be 0 or at least 1e-9 in magnitude, found {} (smaller weights lose precision when the weights are normalised)",
                    shown(w.attribute("value").unwrap_or(""))
                ),
            );
            continue;
        }
        match usize::try_from(index).ok().and_then(|i| i.checked_sub(1)).filter(|&i| i < n) {
            Some(i) if !matches!(slots[i].kind, Values::Dummy) => weights[i] = Some(value),
            _ => pr.push(
                attr_offset(w, "index"),
                &format!("{}.index", path(pr, w)),
                ProblemKind::UnknownReference,
                format!("a weight for issue index {index}, which the domain does not have"),
            ),
        }
    }
    let mut value_utils: Vec<Option<Vec<f64>>> = vec![None; n];
    for (index, issue) in issue_elements(pr, root) {
        let Some(i) = usize::try_from(index).ok().and_then(|i| i.checked_sub(1)).filter(|&i| i < n)
        else {
            pr.push(
                attr_offset(issue, "index"),
                &format!("{}.index", path(pr, issue)),
                ProblemKind::UnknownReference,
                format!("issue index {index}, which the domain does not have"),
            );
            continue;
        };
        let slot = &slots[i];
        match slot.kind {
            Values::Dummy => pr.push(
                attr_offset(issue, "index"),
                &format!("{}.index", path(pr, issue)),
                ProblemKind::UnknownReference,
                format!("issue index {index}, which the domain does not have"),
            ),
            Values::Discrete => {
                let known: HashSet<&str> = slot.values.iter().map(String::as_str).collect();
                let mut given: HashMap<&str, f64> = HashMap::new();
                let n_items_before = pr.raw.len();
                for item in children(issue, "item") {
                    let (Some(value), Some(eval)) =
                        (attr(pr, item, "value"), float(pr, item, "evaluation"))
                    else {
                        continue;
                    };
                    if !known.contains(value) {
                        pr.push(
                            attr_offset(item, "value"),
                            &format!("{}.value", path(pr, item)),
                            ProblemKind::UnknownReference,
                            format!("unknown value {value:?} of issue {:?}", slot.name),
                        );
                        continue;
                    }
                    // A value given twice: the last counts, as in NegMAS.
                    given.insert(value, eval);
                }
                if pr.raw.len() != n_items_before {
                    continue;
                }
                let mut utils = Vec::with_capacity(slot.values.len());
                for v in &slot.values {
                    match given.get(v.as_str()) {
                        Some(&x) => utils.push(x),
                        None => pr.push(
                            issue.range().start,
                            &path(pr, issue),
                            ProblemKind::MissingValue,
                            format!("no evaluation of value {v:?} of issue {:?}", slot.name),
                        ),
                    }
                }
                value_utils[i] = Some(utils);
            }
            Values::Integer { lower } => {
                let Some(ev) = children(issue, "evaluator").into_iter().next() else {
                    pr.push(
                        issue.range().start,
                        &path(pr, issue),
                        ProblemKind::MissingField,
                        format!("integer issue {:?} needs an <evaluator>", slot.name),
                    );
                    continue;
                };
                let ftype = ev.attribute("ftype").unwrap_or("");
                if ftype != "linear" {
                    pr.push(
                        ev.range().start,
                        &path(pr, ev),
                        ProblemKind::Unsupported,
                        format!("evaluator ftype {ftype:?}: only \"linear\" (offset + slope * x) is read"),
                    );
                    continue;
                }
                let (Some(offset), Some(slope)) = (float(pr, ev, "offset"), float(pr, ev, "slope"))
                else {
                    continue;
                };
                let utils: Vec<f64> = (0..slot.values.len())
                    .map(|k| offset + slope * (lower + k as i64) as f64)
                    .collect();
                if let Some(x) = utils.iter().find(|x| !(x.is_finite() && x.abs() <= MAX_MAGNITUDE))
                {
                    pr.push(
                        ev.range().start,
                        &path(pr, ev),
                        ProblemKind::OutOfRange,
                        format!("offset + slope * x must be at most 1e9 in magnitude, found {x:e}"),
                    );
                    continue;
                }
                value_utils[i] = Some(utils);
            }
        }
    }
    let mut out_weights = Vec::with_capacity(n);
    let mut out_utils = Vec::with_capacity(n);
    for (i, slot) in slots.iter().enumerate() {
        if let Values::Dummy = slot.kind {
            out_weights.push(1.0);
            out_utils.push(vec![1.0]);
            continue;
        }
        match (weights[i], value_utils[i].take()) {
            (Some(w), Some(u)) => {
                out_weights.push(w);
                out_utils.push(u);
            }
            (w, u) => {
                if pr.raw.len() == n_before {
                    let what = match (w, u) {
                        (None, None) => "no weight and no evaluation",
                        (None, _) => "no weight",
                        _ => "no evaluation",
                    };
                    pr.push(
                        root.range().start,
                        &path(pr, root),
                        ProblemKind::MissingField,
                        format!("{what} for issue {} ({:?})", i + 1, slot.name),
                    );
                }
            }
        }
    }
    let reserved = match root.descendants().find(|x| x.has_tag_name("reservation")) {
        Some(r) => float(pr, r, "value"),
        None => Some(0.0),
    };
    let discount = match root.descendants().find(|x| x.has_tag_name("discount_factor")) {
        Some(d) => float(pr, d, "value").map(|x| (x > 0.0 && x <= 1.0).then_some(x)),
        None => Some(None),
    };
    if pr.raw.len() != n_before {
        return None;
    }
    let stem = file.strip_suffix(".xml").or_else(|| file.strip_suffix(".XML")).unwrap_or(file);
    let stem = stem.rsplit(['/', '\\']).next().unwrap_or(stem);
    Some(DomainParty {
        name: stem.to_string(),
        description: Some(format!("GENIUS utility profile {file}")),
        weights: out_weights,
        value_utils: out_utils,
        bias: 0.0,
        reserved: reserved?,
        discount: discount?,
    })
}

#[cfg(test)]
mod tests {
    use detente_core::Outcome;

    use crate::import::genius;

    const DOMAIN: &str = r#"<negotiation_template>
<utility_space number_of_issues="2">
<objective index="0" name="root" type="objective">
  <issue index="1" name="Colour" vtype="discrete">
    <item index="1" value="Red"/>
    <item index="2" value="Blue &amp; green"/>
  </issue>
  <issue index="3" name="Hours" vtype="integer" lowerbound="8" upperbound="10"/>
</objective>
</utility_space>
</negotiation_template>
"#;

    const BUYER: &str = r#"<utility_space>
<objective index="0" name="root">
  <weight index="1" value="0.75"/>
  <weight index="3" value="-0.5"/>
  <issue index="1" name="Colour">
    <item index="1" value="Red" evaluation="3"/>
    <item index="2" value="Blue &amp; green" evaluation="9"/>
    <item index="1" value="Red" evaluation="4"/>
  </issue>
  <issue index="3" name="Hours">
    <evaluator ftype="linear" offset="1.0" slope="-0.15"/>
  </issue>
</objective>
<discount_factor value="0.9"/>
<reservation value="-1.5"/>
</utility_space>
"#;

    const SELLER: &str = r#"<utility_space>
<objective index="0" name="root">
  <weight index="1" value="0.2"/>
  <weight index="3" value="0.8"/>
  <issue index="1" name="Colour">
    <item index="1" value="Red" evaluation="1"/>
    <item index="2" value="Blue &amp; green" evaluation="0"/>
  </issue>
  <issue index="3" name="Hours">
    <evaluator ftype="linear" offset="0.1" slope="0.15"/>
  </issue>
</objective>
<discount_factor value="0"/>
</utility_space>
"#;

    fn files(seller: &str) -> Vec<(String, Vec<u8>)> {
        vec![
            ("seller.xml".to_string(), seller.as_bytes().to_vec()),
            ("domain.xml".to_string(), DOMAIN.as_bytes().to_vec()),
            ("buyer.xml".to_string(), BUYER.as_bytes().to_vec()),
        ]
    }

    #[test]
    fn reads_a_folder_as_negmas_does() {
        let s = genius("data/Toy", &files(SELLER)).unwrap();
        assert_eq!(s.meta().name, "toy");
        let ids: Vec<&str> = s.parties().iter().map(|p| p.id.as_str()).collect();
        assert_eq!(ids, ["buyer", "seller"]);
        let issues: Vec<&str> = s.issues().iter().map(|i| i.name.as_str()).collect();
        assert_eq!(issues, ["Colour", "DUMMY_ISSUE", "Hours"]);
        assert_eq!(s.issues()[0].option_id(1), "blue-green");
        assert_eq!(s.issues()[0].option_label(1), "Blue & green");
        assert_eq!(s.issues()[2].option_label(0), "8");
        assert_eq!(s.parties()[0].reservation, -1.5);
        assert_eq!(s.parties()[0].discount, Some(0.9));
        assert_eq!(s.parties()[1].reservation, 0.0);
        assert_eq!(s.parties()[1].discount, None);
        // The last evaluation of a value counts; the dummy adds 1; the weight's sign is
        // flipped into the values; raw evaluations are not divided by their maximum.
        let expected: f64 = 0.0 + 0.75 * 4.0 + 1.0 * 1.0 + -0.5 * (1.0 + -0.15 * 9.0);
        let u = s.utility(0, &Outcome::new(&s, vec![0, 0, 1]).unwrap());
        assert_eq!(u.to_bits(), expected.to_bits());
        assert_eq!(s.weight(0, 2), 0.5);
    }

    #[test]
    fn numbers_beyond_exact_arithmetic_and_lone_profiles() {
        let bad = SELLER
            .replace("<weight index=\"1\" value=\"0.2\"/>", "<weight index=\"1\" value=\"1e308\"/>")
            .replace("slope=\"0.15\"", "slope=\"1e9\"");
        let err = genius("data/Toy", &files(&bad)).unwrap_err();
        let lines: Vec<String> = err.problems().iter().map(|p| p.to_string()).collect();
        assert_eq!(
            lines,
            [
                "data/Toy/seller.xml:3:28: utility_space.objective.weight[0].value: must be at most 1e9 in magnitude, found \"1e308\" (larger numbers make utilities overflow or lose precision)",
                "data/Toy/seller.xml:10:5: utility_space.objective.issue[1].evaluator: offset + slope * x must be at most 1e9 in magnitude, found 8.0000000001e9",
            ]
        );
        let lone = [files(SELLER)[1].clone(), files(SELLER)[2].clone()];
        let err = genius("data/Toy", &lone).unwrap_err();
        assert_eq!(err.problems()[0].kind, crate::ProblemKind::TooFewParties);
        assert_eq!(
            err.to_string(),
            "data/Toy:1:1: a negotiation needs at least two parties, found one utility profile (buyer.xml)"
        );
    }

    #[test]
    fn problems_are_located_in_their_files() {
        let bad = SELLER
            .replace("evaluation=\"0\"", "evaluation=\"NaN\"")
            .replace("value=\"Red\" evaluation=\"1\"", "value=\"Pink\" evaluation=\"1\"")
            .replace("ftype=\"linear\"", "ftype=\"triangular\"");
        let err = genius("data/Toy", &files(&bad)).unwrap_err();
        let lines: Vec<String> = err.problems().iter().map(|p| p.to_string()).collect();
        assert_eq!(
            lines,
            [
                "data/Toy/seller.xml:6:28: utility_space.objective.issue[0].item[0].value: unknown value \"Pink\" of issue \"Colour\"",
                "data/Toy/seller.xml:7:58: utility_space.objective.issue[0].item[1].evaluation: must be a finite number, found \"NaN\"",
                "data/Toy/seller.xml:10:5: utility_space.objective.issue[1].evaluator: evaluator ftype \"triangular\": only \"linear\" (offset + slope * x) is read",
            ]
        );
        let err = genius("data/Toy", &files("<utility_space><weight index=\"1\" value=\"1\""))
            .unwrap_err();
        assert_eq!(err.problems()[0].kind, crate::ProblemKind::Syntax);
        assert_eq!(err.problems()[0].file, "data/Toy/seller.xml");
        let err = genius("Toy", &[]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "Toy:1:1: no domain file (an XML file with <negotiation_template>, or <utility_space> without weights or evaluations)"
        );
    }

    #[test]
    fn integer_issues_hold_at_most_a_scale_grid_of_values() {
        let wide = |upper: usize| {
            let domain = DOMAIN.replace("upperbound=\"10\"", &format!("upperbound=\"{upper}\""));
            vec![
                ("seller.xml".to_string(), SELLER.as_bytes().to_vec()),
                ("domain.xml".to_string(), domain.into_bytes()),
                ("buyer.xml".to_string(), BUYER.as_bytes().to_vec()),
            ]
        };
        let most = detente_core::MAX_SCALE_POINTS;
        // Hours runs from 8: 8..=most+7 is exactly the most values, one more is refused.
        let s = genius("data/Toy", &wide(most + 7)).unwrap();
        assert_eq!(s.issues()[2].n_options(), most);
        let err = genius("data/Toy", &wide(most + 8)).unwrap_err();
        assert!(err.to_string().contains(&format!("at most {most} values")), "{err}");
    }
}
