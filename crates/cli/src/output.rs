//! Where output goes: standard output wrapped to the reader's width, and files the user
//! named, whose failures are the user's to fix (exit 2), never an internal error.

use std::io::{IsTerminal, Write};
use std::path::Path;

use crate::BadInput;

/// Width of text for people: the terminal's when standard output is one, 100 columns
/// otherwise (a file, a pipe, a test), so that output is the same wherever it is captured.
pub fn width() -> usize {
    const DEFAULT: usize = 100;
    if !std::io::stdout().is_terminal() {
        return DEFAULT;
    }
    match terminal_size::terminal_size() {
        Some((terminal_size::Width(w), _)) if w >= 40 => usize::from(w),
        _ => DEFAULT,
    }
}

/// Writes `contents` to a file the user named. A path that cannot be written (a folder, a
/// missing parent folder, no permission) is bad input: the message names the path and why.
pub fn write_file(path: &Path, contents: &[u8]) -> Result<(), BadInput> {
    write_file_with(path, &mut |out| out.write_all(contents))
}

/// Writes a file the user named piece by piece (`write` writes its contents to `out`), so
/// that a large output is not first made into one string; failures as [`write_file`].
pub fn write_file_with(
    path: &Path,
    write: &mut dyn FnMut(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), BadInput> {
    check_output_path(path)?;
    let cannot = |e: std::io::Error| BadInput(format!("{}: cannot write: {e}", path.display()));
    let file = std::fs::File::create(path).map_err(cannot)?;
    let mut out = std::io::BufWriter::with_capacity(1 << 16, file);
    write(&mut out).map_err(cannot)?;
    out.flush().map_err(cannot)
}

/// Checks, before any work is done, that a plot can be written where the user asked: the
/// file must end in `.svg` (the only format drawn), and its folder must exist.
pub fn check_plot_path(path: &Path) -> Result<(), BadInput> {
    let svg = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("svg"));
    if !svg {
        return Err(BadInput(format!(
            "{}: plots are drawn as SVG only; name the file with .svg",
            path.display()
        )));
    }
    check_output_path(path)
}

/// Checks, before any work is done, that a file can be created at `path`: not a folder, and
/// in a folder that exists.
pub fn check_output_path(path: &Path) -> Result<(), BadInput> {
    if path.is_dir() {
        return Err(BadInput(format!(
            "{}: is a folder; give a file name to write to",
            path.display()
        )));
    }
    match path.parent().filter(|p| !p.as_os_str().is_empty()) {
        Some(parent) if !parent.is_dir() => Err(BadInput(format!(
            "{}: cannot write: no such folder {}",
            path.display(),
            parent.display()
        ))),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_paths_that_cannot_be_written() {
        let dir = std::env::temp_dir();
        assert!(write_file(&dir, b"x").unwrap_err().0.contains("is a folder"));
        let missing = dir.join("detente-no-such-folder-xyz").join("x.svg");
        assert!(check_plot_path(&missing).unwrap_err().0.contains("no such folder"));
        assert!(check_plot_path(Path::new("x.png")).unwrap_err().0.contains("SVG only"));
        assert!(check_plot_path(Path::new("x.svg")).is_ok());
    }
}
