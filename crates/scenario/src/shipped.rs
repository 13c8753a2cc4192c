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

    #[test]
    fn names() {
        assert_eq!(all()[0].name, DEFAULT);
        assert_eq!(all().len(), 2);
        assert!(find("nope").is_none());
        assert!(load("nope").is_none());
        assert_eq!(find("tutorial").unwrap().file, "scenarios/tutorial.toml");
    }
}
