//! spec -> IR -> emitters -> files. (Being written.)
use std::path::Path;
use std::process::ExitCode;

pub fn run_cli(_spec_dir: &Path, _out: Option<&Path>) -> ExitCode {
    eprintln!("codegen generate: not implemented yet");
    ExitCode::FAILURE
}
