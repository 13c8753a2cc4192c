//! The `detente` binary: the command line of the `detente_cli` library (`src/main.rs`).

fn main() -> std::process::ExitCode {
    detente_cli::main()
}
