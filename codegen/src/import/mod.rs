//! The importer: Kiwoom's JSON -> spec/*.yaml. (Being written.)
use std::path::Path;
use std::process::ExitCode;

pub fn run_cli(_json: &Path, _commands: Option<&Path>, _spec_dir: &Path) -> ExitCode {
    eprintln!("codegen import: not implemented yet");
    ExitCode::FAILURE
}
