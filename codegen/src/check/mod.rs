//! The validator of spec/. (Being written.)
use std::path::Path;
use std::process::ExitCode;

pub fn run_cli(_spec_dir: &Path) -> ExitCode {
    eprintln!("codegen check: not implemented yet");
    ExitCode::FAILURE
}
