//! Test helpers for detente: the one place tests find the peer data in `../shared`, and the
//! seeded random scenarios of tests and benchmarks ([`random_scenario`], [`random_raw_scenario`],
//! [`random_plan`], and [`opposed_plan`], the hard instances of the bargaining searches).
//!
//! The published cases, peer tools' answers and sourced data that tests check against live
//! outside the workspace, in the `shared` folder beside it (`<workspace>/../shared`). They
//! are not part of the project and may be missing, e.g. in a bare clone. Tests ask
//! [`require_shared`] for the folder: where it is missing they skip with a note on stderr,
//! unless `DETENTE_REQUIRE_SHARED=1` (as in CI, where the folder must be there), in which
//! case they fail.
//!
//! - `DETENTE_SHARED=<dir>`: use this folder instead of `<workspace>/../shared`.
//! - `DETENTE_REQUIRE_SHARED=1`: a missing folder fails the test instead of skipping it.
//!
//! ```
//! // In a test:
//! let Some(shared) = detente_testkit::require_shared("the doc example") else { return };
//! assert!(shared.is_dir());
//! ```

#![deny(missing_docs)]

mod scenarios;

use std::ffi::OsString;
use std::path::{Path, PathBuf};

pub use scenarios::{
    GenConfig, PlanConfig, opposed_plan, random_plan, random_raw_scenario, random_scenario,
    zero_sum_plan,
};

/// The environment variable naming the shared folder, overriding `<workspace>/../shared`.
pub const SHARED_VAR: &str = "DETENTE_SHARED";

/// The environment variable that, set to `1`, turns a missing shared folder into a failure.
pub const REQUIRE_VAR: &str = "DETENTE_REQUIRE_SHARED";

/// Where the shared folder should be: `$DETENTE_SHARED` when set and not empty, else
/// `shared` beside the workspace root, which lies two levels above this crate's manifest.
fn candidate(env: Option<OsString>, manifest_dir: &Path) -> Option<PathBuf> {
    if let Some(dir) = env.filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(dir));
    }
    let workspace = manifest_dir.parent()?.parent()?;
    Some(workspace.parent()?.join("shared"))
}

/// The shared folder (`$DETENTE_SHARED`, else `<workspace>/../shared`), if it exists.
///
/// When `DETENTE_SHARED` is set, only that folder is tried.
pub fn shared_dir() -> Option<PathBuf> {
    candidate(std::env::var_os(SHARED_VAR), Path::new(env!("CARGO_MANIFEST_DIR")))
        .filter(|d| d.is_dir())
}

/// What to do about a missing shared folder.
#[derive(Debug, PartialEq, Eq)]
enum Missing {
    /// Fail the test with this message.
    Fail(String),
    /// Skip the test with this note.
    Skip(String),
}

fn decide(found: Option<PathBuf>, require: bool, what: &str) -> Result<PathBuf, Missing> {
    match found {
        Some(dir) => Ok(dir),
        None if require => Err(Missing::Fail(format!("../shared not found: {what} needs it"))),
        None => Err(Missing::Skip(format!(
            "skipping {what}: ../shared not found (set {REQUIRE_VAR}=1 to fail instead)"
        ))),
    }
}

/// The shared folder for a test described by `what` (e.g. `"the Adjusted Winner truth
/// cases"`). When it is missing: panics with `../shared not found: <what> needs it` if
/// `DETENTE_REQUIRE_SHARED=1`, otherwise prints
/// `skipping <what>: ../shared not found (set DETENTE_REQUIRE_SHARED=1 to fail instead)`
/// to stderr and returns `None`, so the test can return early.
pub fn require_shared(what: &str) -> Option<PathBuf> {
    let require = std::env::var_os(REQUIRE_VAR).is_some_and(|v| v == "1");
    match decide(shared_dir(), require, what) {
        Ok(dir) => Some(dir),
        Err(Missing::Fail(message)) => panic!("{message}"),
        Err(Missing::Skip(note)) => {
            eprintln!("{note}");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_folder_beside_the_workspace() {
        let manifest = Path::new("/home/me/detente/crates/testkit");
        assert_eq!(candidate(None, manifest), Some(PathBuf::from("/home/me/shared")));
        assert_eq!(
            candidate(Some(OsString::new()), manifest),
            Some(PathBuf::from("/home/me/shared"))
        );
        assert_eq!(candidate(None, Path::new("/crates/testkit")), None);
        // This crate's own manifest: <workspace>/crates/testkit.
        let here = Path::new(env!("CARGO_MANIFEST_DIR"));
        let workspace = here.parent().and_then(Path::parent).unwrap();
        assert!(workspace.join("Cargo.toml").is_file());
        assert_eq!(candidate(None, here), workspace.parent().map(|p| p.join("shared")));
    }

    #[test]
    fn the_environment_overrides() {
        let manifest = Path::new("/home/me/detente/crates/testkit");
        let env = Some(OsString::from("/data/shared-copy"));
        assert_eq!(candidate(env, manifest), Some(PathBuf::from("/data/shared-copy")));
    }

    #[test]
    fn missing_folder_skips_or_fails() {
        let dir = PathBuf::from("/x/shared");
        assert_eq!(decide(Some(dir.clone()), true, "t"), Ok(dir));
        assert_eq!(
            decide(None, true, "the AW truth test"),
            Err(Missing::Fail("../shared not found: the AW truth test needs it".into()))
        );
        assert_eq!(
            decide(None, false, "the AW truth test"),
            Err(Missing::Skip(
                "skipping the AW truth test: ../shared not found (set DETENTE_REQUIRE_SHARED=1 to fail instead)"
                    .into()
            ))
        );
    }
}
