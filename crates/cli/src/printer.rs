//! The two printers, in the manner of ripgrep's: text for people, JSON for machines, chosen
//! once in `main.rs` from `--json`. Each command builds a report value (what it found,
//! computed by the libraries) that can say itself either way; no command chooses its own
//! output format.

use serde_json::Value;

/// What a command found, ready to be printed by either printer.
pub trait Report {
    /// Tables and sentences for people (the text printer wraps them).
    fn text(&self) -> String;
    /// The JSON shape documented in `docs/cli.md`.
    fn json(&self) -> Value;
    /// [`Report::json`] as the JSON printer writes it: pretty, with a trailing newline. A
    /// report whose JSON is large (a tournament's sessions, a frontier's points) writes its text
    /// directly ([`crate::json::to_json_with_lists`]); it must be the same text.
    fn json_text(&self) -> String {
        crate::json::to_json(&self.json())
    }
}

/// The printer chosen from the flags.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Printer {
    /// Text wrapped to `width` columns (table rows never are).
    Text {
        /// The reader's width.
        width: usize,
    },
    /// Pretty JSON with a trailing newline.
    Json,
}

impl Printer {
    /// The printer `--json` asks for; text is wrapped to the reader's width.
    pub fn from_flags(json: bool) -> Printer {
        if json { Printer::Json } else { Printer::Text { width: crate::output::width() } }
    }

    /// The report as this printer writes it.
    pub fn print(self, report: &dyn Report) -> String {
        match self {
            Printer::Text { width } => detente_words::wrap(&report.text(), width),
            Printer::Json => report.json_text(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    struct Two;

    impl Report for Two {
        fn text(&self) -> String {
            format!("{}\n", "word ".repeat(30).trim_end())
        }
        fn json(&self) -> Value {
            json!({"a": 1})
        }
    }

    #[test]
    fn each_printer_writes_its_own_form() {
        assert_eq!(Printer::Json.print(&Two), "{\n  \"a\": 1\n}\n");
        let text = Printer::Text { width: 40 }.print(&Two);
        assert!(text.lines().count() > 1 && text.lines().all(|l| l.len() <= 40), "{text}");
    }
}
