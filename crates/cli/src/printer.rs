//! The two printers, in the manner of ripgrep's: text for people, JSON for machines, chosen
//! once in `main.rs` from `--json`. Each command builds a report value (what it found,
//! computed by the libraries) that can say itself either way; no command chooses its own
//! output format.

use std::io::Write;

use serde_json::{Map, Value};

/// What a command found, ready to be printed by either printer.
pub trait Report {
    /// Tables and sentences for people (the text printer wraps them).
    fn text(&self) -> String;
    /// The JSON shape documented in `docs/cli.md`.
    fn json(&self) -> Value;
    /// Writes [`Report::json`] with the entries of `extra` set at the top level, as the JSON
    /// printer writes it: pretty, keys sorted, with a trailing newline. A report whose JSON
    /// is large (a tournament's sessions, a frontier's points) writes its text piece by piece
    /// to `out`, never holding it whole ([`crate::json::write_with_lists`]); it must be the
    /// same text.
    fn write_json(&self, out: &mut dyn Write, extra: &Map<String, Value>) -> std::io::Result<()> {
        out.write_all(crate::json::to_json(&with_entries(self.json(), extra)).as_bytes())
    }
    /// The text [`Report::write_json`] writes (without extra entries), for those who answer
    /// with a string (the server, the Python bindings).
    fn json_text(&self) -> String {
        let mut text = Vec::new();
        // Writing to memory fails only for want of it; the text written is JSON, UTF-8.
        let _ = self.write_json(&mut text, &Map::new());
        String::from_utf8(text).unwrap_or_default()
    }
}

/// `value` with the entries of `extra` set in it, when it is an object.
pub fn with_entries(mut value: Value, extra: &Map<String, Value>) -> Value {
    if let Value::Object(map) = &mut value {
        map.extend(extra.iter().map(|(k, v)| (k.clone(), v.clone())));
    }
    value
}

/// Writes text for people wrapped to `width` columns, as the text printer does.
pub fn write_wrapped(text: &str, width: usize, out: &mut dyn Write) -> std::io::Result<()> {
    out.write_all(detente_words::wrap(text, width).as_bytes())
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

    /// Writes the report to `out` as this printer writes it.
    pub fn write(self, report: &dyn Report, out: &mut dyn Write) -> std::io::Result<()> {
        match self {
            Printer::Text { width } => write_wrapped(&report.text(), width, out),
            Printer::Json => report.write_json(out, &Map::new()),
        }
    }
}

/// The printer and where it writes (standard output, in `main.rs`): every command's report
/// is written there as it is printed, never first made into one string.
pub struct Out<'a> {
    printer: Printer,
    to: &'a mut dyn Write,
}

impl<'a> Out<'a> {
    /// Prints with `printer` to `to`.
    pub fn new(printer: Printer, to: &'a mut dyn Write) -> Out<'a> {
        Out { printer, to }
    }

    /// The printer chosen.
    pub fn printer(&self) -> Printer {
        self.printer
    }

    /// Writes the report as the printer writes it.
    pub fn print(&mut self, report: &dyn Report) -> std::io::Result<()> {
        self.printer.write(report, self.to)
    }

    /// Where the output goes, for what is not a report (a scenario file written by
    /// `import`, text for people without a JSON form).
    pub fn writer(&mut self) -> &mut dyn Write {
        self.to
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

    fn print(printer: Printer, report: &dyn Report) -> String {
        let mut text = Vec::new();
        Out::new(printer, &mut text).print(report).unwrap();
        String::from_utf8(text).unwrap()
    }

    #[test]
    fn each_printer_writes_its_own_form() {
        assert_eq!(print(Printer::Json, &Two), "{\n  \"a\": 1\n}\n");
        assert_eq!(Two.json_text(), "{\n  \"a\": 1\n}\n");
        let text = print(Printer::Text { width: 40 }, &Two);
        assert!(text.lines().count() > 1 && text.lines().all(|l| l.len() <= 40), "{text}");
    }
}
