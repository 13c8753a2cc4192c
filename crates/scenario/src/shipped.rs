//! The scenarios shipped inside the program, so `detente analyze` works without a file.

/// A scenario file compiled into the program.
#[derive(Clone, Copy, Debug)]
pub struct Shipped {
    /// The name used on the command line, e.g. `tutorial`.
    pub name: &'static str,
    /// Its path in the source tree, used in error messages, e.g. `scenarios/tutorial.toml`.
    pub file: &'static str,
    /// The TOML text.
    pub text: &'static str,
}

/// The scenario used when none is named.
pub const DEFAULT: &str = "ukraine-2025";

static ALL: [Shipped; 2] = [
    Shipped {
        name: "ukraine-2025",
        file: "scenarios/ukraine-2025.toml",
        text: include_str!("../../../scenarios/ukraine-2025.toml"),
    },
    Shipped {
        name: "tutorial",
        file: "scenarios/tutorial.toml",
        text: include_str!("../../../scenarios/tutorial.toml"),
    },
];

/// Every shipped scenario, the default (`ukraine-2025`) first.
pub fn all() -> &'static [Shipped] {
    &ALL
}

/// The shipped scenario with this name.
pub fn find(name: &str) -> Option<&'static Shipped> {
    ALL.iter().find(|s| s.name == name)
}

/// Parses the shipped scenario with this name; `None` when there is no such scenario.
pub fn load(name: &str) -> Option<Result<detente_core::Scenario, super::Error>> {
    let s = find(name)?;
    Some(super::parse(s.file, s.text.as_bytes(), super::Format::Toml))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tutorial_loads() {
        let s = load("tutorial").unwrap().unwrap();
        assert_eq!(s.meta().name, "tutorial");
        assert_eq!(s.parties().len(), 3);
        assert_eq!(s.issues().len(), 4);
        assert_eq!(s.proposals().len(), 2);
    }

    /// Fails while `scenarios/ukraine-2025.toml` is invalid: the default must always load.
    #[test]
    fn default_loads() {
        match load(DEFAULT).unwrap() {
            Ok(s) => assert_eq!(s.meta().name, DEFAULT),
            Err(e) => panic!("{e}"),
        }
    }

    /// Each discrete issue of a shipped scenario says in a comment, just after its options,
    /// why its options are ordered on an axis (a comment then `axis = ...`) or why not
    /// (`# No axis: ...`).
    #[test]
    fn every_axis_and_every_unordered_point_is_justified() {
        for shipped in all() {
            let s = load(shipped.name).unwrap().unwrap();
            let lines: Vec<&str> = shipped.text.lines().collect();
            for issue in s.issues().iter().filter(|i| !i.is_scale()) {
                let at = lines
                    .iter()
                    .position(|l| *l == format!("id = \"{}\"", issue.id))
                    .unwrap_or_else(|| panic!("{}: issue {}", shipped.name, issue.id));
                let end = at + lines[at..].iter().position(|l| *l == "]").unwrap();
                let next = lines[end + 1];
                assert!(
                    next.starts_with("# "),
                    "{}: {} has no comment after its options",
                    shipped.name,
                    issue.id
                );
                let mut k = end + 1;
                while lines[k].starts_with('#') {
                    k += 1;
                }
                match issue.axis() {
                    Some(_) => {
                        assert!(lines[k].starts_with("axis = "), "{}: {}", shipped.name, issue.id)
                    }
                    None => assert!(
                        next.starts_with("# No axis: ") && !lines[k].starts_with("axis"),
                        "{}: {} is unordered without saying why",
                        shipped.name,
                        issue.id
                    ),
                }
            }
        }
        // ukraine-2025 orders the points where an order is defensible.
        let s = load(DEFAULT).unwrap().unwrap();
        let n = s.issues().iter().filter(|i| i.axis().is_some()).count();
        assert_eq!(n, 13);
        let ter03 = &s.issues()[s.issue_index("TER-03").unwrap()];
        let withdraw = ter03.option_index("unilateral-withdrawal").unwrap();
        let keep = ter03.option_index("contact-line").unwrap();
        let axis = ter03.axis().unwrap();
        assert!(axis[keep] < axis[withdraw]);
    }

    #[test]
    fn names() {
        assert_eq!(all()[0].name, DEFAULT);
        assert_eq!(all().len(), 2);
        assert!(find("nope").is_none());
        assert!(load("nope").is_none());
        assert_eq!(find("tutorial").unwrap().file, "scenarios/tutorial.toml");
    }
}
