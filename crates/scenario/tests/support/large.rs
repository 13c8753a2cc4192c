//! Large generated inputs for the readers, shared by `tests/large.rs` (which checks they are
//! read, in time that grows with their size) and `examples/read_times.rs` (which times them).

#![allow(dead_code)] // Each user takes a different part.

use std::fmt::Write;

/// A TOML scenario with two parties and one issue of `n` options: every option valued by
/// both, a red line forbidding the first half, a proposal choosing the last option.
pub fn options_toml(n: usize) -> String {
    let mut s = String::from(
        "version = 1\n[scenario]\nname = \"big\"\ntitle = \"Big\"\n\n\
         [[parties]]\nid = \"a\"\nname = \"A\"\nrole = \"principal\"\n\n\
         [[parties]]\nid = \"b\"\nname = \"B\"\nrole = \"principal\"\n\n\
         [[issues]]\nid = \"x\"\nname = \"X\"\noptions = [\n",
    );
    for k in 0..n {
        let _ = writeln!(s, "  {{ id = \"o{k}\", label = \"Option {k}\" }},");
    }
    s.push_str("]\n");
    for (party, flip) in [("a", false), ("b", true)] {
        let _ = write!(
            s,
            "\n[[stances]]\nparty = \"{party}\"\nissue = \"x\"\nweight = 1\nvalues = {{ "
        );
        for k in 0..n {
            let v = if flip { (n - 1 - k) as f64 } else { k as f64 } / (n.max(2) - 1) as f64;
            let _ = write!(s, "o{k} = {v}, ");
        }
        s.truncate(s.len() - 2);
        s.push_str(" }\n");
    }
    s.push_str("red_lines = [{ forbid = [");
    for k in 0..n / 2 {
        let _ = write!(s, "\"o{k}\", ");
    }
    s.push_str("] }]\n");
    let _ =
        write!(s, "\n[[proposals]]\nid = \"p\"\ntitle = \"P\"\nterms = {{ x = \"o{}\" }}\n", n - 1);
    s
}

/// The same scenario as [`options_toml`] in JSON, on one line.
pub fn options_json(n: usize) -> String {
    let mut s = String::from(
        r#"{"version": 1, "scenario": {"name": "big", "title": "Big"}, "parties": [{"id": "a", "name": "A", "role": "principal"}, {"id": "b", "name": "B", "role": "principal"}], "issues": [{"id": "x", "name": "X", "options": ["#,
    );
    for k in 0..n {
        let _ = write!(s, r#"{{"id": "o{k}", "label": "Option {k}"}}, "#);
    }
    s.truncate(s.len() - 2);
    s.push_str("]}], \"stances\": [");
    for (party, flip) in [("a", false), ("b", true)] {
        let _ = write!(s, r#"{{"party": "{party}", "issue": "x", "weight": 1, "values": {{"#);
        for k in 0..n {
            let v = if flip { (n - 1 - k) as f64 } else { k as f64 } / (n.max(2) - 1) as f64;
            let _ = write!(s, r#""o{k}": {v}, "#);
        }
        s.truncate(s.len() - 2);
        s.push('}');
        if flip {
            s.push_str(r#", "red_lines": [{"forbid": ["#);
            for k in 0..n / 2 {
                let _ = write!(s, r#""o{k}", "#);
            }
            s.truncate(s.len() - 2);
            s.push_str("]}]");
        }
        s.push_str("}, ");
    }
    s.truncate(s.len() - 2);
    let _ = write!(
        s,
        r#"], "proposals": [{{"id": "p", "title": "P", "terms": {{"x": "o{}"}}}}]}}"#,
        n - 1
    );
    s
}

/// A TOML scenario with two parties and `n` issues of two options each; the first proposal
/// sets the first half of the issues and leaves the rest open, the second amends it.
pub fn issues_toml(n: usize) -> String {
    let mut s = String::from(
        "version = 1\n[scenario]\nname = \"wide\"\ntitle = \"Wide\"\n\n\
         [[parties]]\nid = \"a\"\nname = \"A\"\nrole = \"principal\"\n\n\
         [[parties]]\nid = \"b\"\nname = \"B\"\nrole = \"principal\"\n",
    );
    for i in 0..n {
        let _ = write!(
            s,
            "\n[[issues]]\nid = \"i{i}\"\nname = \"I{i}\"\noptions = [{{ id = \"y\", label = \"Yes\" }}, {{ id = \"n\", label = \"No\" }}]\n"
        );
    }
    for i in 0..n {
        for (party, v) in [("a", "y = 1.0, n = 0.0"), ("b", "y = 0.0, n = 1.0")] {
            let _ = write!(
                s,
                "\n[[stances]]\nparty = \"{party}\"\nissue = \"i{i}\"\nweight = 1\nvalues = {{ {v} }}\n"
            );
        }
    }
    s.push_str("\n[[proposals]]\nid = \"p\"\ntitle = \"P\"\nterms = { ");
    for i in 0..n / 2 {
        let _ = write!(s, "i{i} = \"y\", ");
    }
    s.push_str("}\nopen = [");
    for i in n / 2..n {
        let _ = write!(s, "\"i{i}\", ");
    }
    s.push_str("]\n\n[[proposals]]\nid = \"q\"\ntitle = \"Q\"\namends = \"p\"\nterms = { ");
    for i in n / 2..n {
        let _ = write!(s, "i{i} = \"n\", ");
    }
    s.push_str("}\n");
    s
}

/// A TOML file with `n` lines, each a syntax error.
pub fn toml_errors(n: usize) -> String {
    (0..n).map(|k| format!("k{k} = \n")).collect()
}

/// A JSON scenario on one line whose party has `n` unknown fields (a problem each).
pub fn json_problems_on_one_line(n: usize) -> String {
    let mut s = String::from(
        r#"{"version": 1, "scenario": {"name": "t", "title": "T"}, "parties": [{"id": "a", "name": "A", "role": "principal""#,
    );
    for k in 0..n {
        let _ = write!(s, r#", "zz{k}": 1"#);
    }
    s.push_str(
        r#"}, {"id": "b", "name": "B", "role": "principal"}], "issues": [{"id": "x", "name": "X", "options": [{"id": "o", "label": "O"}]}]}"#,
    );
    s
}

/// A GENIUS folder whose one issue has index `n` (so `n - 1` dummy issues come before it)
/// with `values` items, and two equal profiles valuing them.
pub fn genius_folder(n: usize, values: usize) -> Vec<(String, Vec<u8>)> {
    let mut domain = format!(
        "<negotiation_template><utility_space><objective index=\"0\" name=\"root\">\n<issue index=\"{n}\" name=\"Big\" vtype=\"discrete\">\n"
    );
    let mut profile = format!(
        "<utility_space><objective index=\"0\" name=\"root\">\n<weight index=\"{n}\" value=\"1\"/>\n<issue index=\"{n}\" name=\"Big\">\n"
    );
    for k in 0..values {
        let _ = writeln!(domain, "<item index=\"{}\" value=\"v{k}\"/>", k + 1);
        let _ = writeln!(profile, "<item index=\"{}\" value=\"v{k}\" evaluation=\"{k}\"/>", k + 1);
    }
    domain.push_str("</issue>\n</objective></utility_space></negotiation_template>\n");
    profile.push_str("</issue>\n</objective></utility_space>\n");
    vec![
        ("domain.xml".to_string(), domain.into_bytes()),
        ("profile-a.xml".to_string(), profile.clone().into_bytes()),
        ("profile-b.xml".to_string(), profile.into_bytes()),
    ]
}

/// A NegMAS JSON domain with `n` issues all named "Same", the first with `values` values all
/// written "same", and two parties of the same name.
pub fn negmas_same_names(n: usize, values: usize) -> String {
    let mut s = String::from(r#"{"name": "same", "issues": ["#);
    for i in 0..n {
        let k = if i == 0 { values } else { 1 };
        let vals = vec![r#""same""#; k].join(", ");
        let _ = write!(s, r#"{{"name": "Same", "values": [{vals}]}}, "#);
    }
    s.truncate(s.len() - 2);
    s.push_str(r#"], "parties": ["#);
    for _ in 0..2 {
        let weights = vec!["1"; n].join(", ");
        let mut utils: Vec<String> = vec!["[0.5]".to_string(); n];
        utils[0] = format!("[{}]", vec!["0.25"; values].join(", "));
        let _ = write!(
            s,
            r#"{{"name": "P", "weights": [{weights}], "value_utils": [{}]}}, "#,
            utils.join(", ")
        );
    }
    s.truncate(s.len() - 2);
    s.push_str("]}");
    s
}

/// [`options_toml`] with every value of party `a` a stated range (`{ value = v, low = 0.0,
/// high = 1.0 }`) and its red line doubtful (`holds = 0.5`): `n` ranges to read and write.
pub fn ranges_toml(n: usize) -> String {
    let text = options_toml(n);
    let at = text.find("values = { ").expect("party a's values") + "values = { ".len();
    let end = at + text[at..].find(" }\n").expect("the end of the values");
    let ranged: Vec<String> = text[at..end]
        .split(", ")
        .map(|kv| {
            let (k, v) = kv.split_once(" = ").expect("key = value");
            format!("{k} = {{ value = {v}, low = 0.0, high = 1.0 }}")
        })
        .collect();
    let text = format!("{}{}{}", &text[..at], ranged.join(", "), &text[end..]);
    text.replace("red_lines = [{ forbid = [", "red_lines = [{ holds = 0.5, forbid = [")
}
