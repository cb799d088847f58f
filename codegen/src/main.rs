//! `cargo run -p codegen`                      regenerate kiwoom-generated from spec/
//! `cargo run -p codegen -- import <json>`     rewrite spec/ from Kiwoom's kiwoom_api_spec.json
//! `cargo run -p codegen -- check`             validate spec/ on its own

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "codegen",
    about = "kiwoom-rs spec importer, validator and code generator"
)]
struct Cli {
    /// The spec directory (default: the workspace's spec/).
    #[arg(long, global = true)]
    spec: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Regenerate kiwoom-generated/src from spec/ (the default).
    Generate {
        /// Output directory (default: the workspace's kiwoom-generated/).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Rewrite spec/ from Kiwoom's kiwoom_api_spec.json and print the quirk report.
    Import {
        /// Path to kiwoom_api_spec.json.
        json: PathBuf,
        /// Kiwoom's api_commands.csv (default: beside the JSON).
        #[arg(long)]
        commands: Option<PathBuf>,
    },
    /// Validate spec/ (schema, ids, names, enums, lists, paging).
    Check,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let spec_dir = cli.spec.unwrap_or_else(codegen::spec::workspace_spec_dir);
    match cli.command.unwrap_or(Command::Generate { out: None }) {
        Command::Generate { out } => codegen::generate::run_cli(&spec_dir, out.as_deref()),
        Command::Import { json, commands } => {
            codegen::import::run_cli(&json, commands.as_deref(), &spec_dir)
        }
        Command::Check => codegen::check::run_cli(&spec_dir),
    }
}
