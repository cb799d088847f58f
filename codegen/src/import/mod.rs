//! The importer: Kiwoom's `kiwoom_api_spec.json` (+ `api_commands.csv`) -> `spec/*.yaml`.
//!
//! Order of work for each TR: read (`kiwoom`), rebuild trees from depth (`tree`), name
//! (`names`), type (`types`, with the label table in `labels`), parse enums (`enums`), note facts (`notes`), check examples
//! (`example_check`), make US clock times text (`session_times`), apply hand decisions
//! (`overrides`), drop request lengths that cannot hold a valid value (`lengths`), check the
//! request example (`example_check`), settle name clashes (`settle`).
//! Then write (`write`) and print the report (`report`).

mod build;
mod enums;
mod errors;
mod example_check;
mod examples;
mod groups;
mod kiwoom;
mod labels;
mod lengths;
mod names;
mod notes;
mod overrides;
mod report;
mod roles;
mod session_times;
mod settle;
mod stats;
mod tree;
mod types;
pub mod values;

pub use enums::{ParsedCode, ParsedEnum, lists_codes, parse as parse_enum};
pub use examples::{compact as compact_json, parse_example};
pub use kiwoom::Row;
pub use kiwoom::parse_csv;
pub use lengths::shortest_valid;
pub use names::{
    EnumLabels, Glossary, english_names, finish_snake, is_keyword, is_valid_pascal_ident,
    is_valid_snake_ident, split_tokens,
};
pub use report::Report;
pub use tree::{Node, build as build_tree};
pub use types::{Inferred, infer as infer_type};

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::spec::{GroupFile, Market};

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{path}: {message}")]
    Io { path: PathBuf, message: String },
    #[error("{path}: {message}")]
    Parse { path: PathBuf, message: String },
}

impl ImportError {
    pub(crate) fn io(path: &Path, e: impl std::fmt::Display) -> Self {
        ImportError::Io {
            path: path.to_path_buf(),
            message: e.to_string(),
        }
    }
    pub(crate) fn parse(path: &Path, e: impl std::fmt::Display) -> Self {
        ImportError::Parse {
            path: path.to_path_buf(),
            message: e.to_string(),
        }
    }
}

pub fn run_cli(json: &Path, commands: Option<&Path>, spec_dir: &Path) -> ExitCode {
    match import(json, commands, spec_dir) {
        Ok(report) => {
            println!("{}", report.render());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("codegen import: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Import `json` into `spec_dir`, reading the curated inputs (glossary.yaml, enum-labels.yaml,
/// overrides.yaml) from `spec_dir` itself. `commands` defaults to `api_commands.csv` beside
/// the JSON.
pub fn import(
    json: &Path,
    commands: Option<&Path>,
    spec_dir: &Path,
) -> Result<Report, ImportError> {
    let t = transcribe(json, commands, spec_dir)?;
    write::write_all(spec_dir, &t.groups, &t.errors)?;
    Ok(t.report)
}

/// Everything an import writes, before it is written.
pub struct Transcription {
    /// (path relative to the spec dir, file), sorted by path.
    pub groups: Vec<(PathBuf, GroupFile)>,
    pub errors: crate::spec::ErrorsFile,
    pub report: Report,
}

/// Everything an import would write, without writing it.
pub fn transcribe(
    json: &Path,
    commands: Option<&Path>,
    spec_dir: &Path,
) -> Result<Transcription, ImportError> {
    let mut report = Report::default();
    let doc = kiwoom::read_doc(json)?;
    let commands_path = commands
        .map(Path::to_path_buf)
        .unwrap_or_else(|| json.with_file_name("api_commands.csv"));
    let commands = if commands_path.exists() {
        kiwoom::read_commands(&commands_path)?
    } else {
        report.add(
            "missing-input",
            format!(
                "{} not found: no function names, safety or notes",
                commands_path.display()
            ),
        );
        Vec::new()
    };
    let commands: BTreeMap<String, kiwoom::Command> = commands
        .into_iter()
        .map(|c| (c.api_id.clone(), c))
        .collect();
    let glossary: Glossary =
        names::load_yaml_or_default(&spec_dir.join("glossary.yaml"), &mut report)?;
    let labels: EnumLabels =
        names::load_yaml_or_default(&spec_dir.join("enum-labels.yaml"), &mut report)?;
    let overrides = overrides::load(&spec_dir.join("overrides.yaml"))?;

    // Groups and English names first: both need the whole set of TRs.
    let mut placed = Vec::new();
    for api in &doc.apis {
        let id = api.id().to_string();
        let Some(group) = groups::group_of(api.meta_str("메뉴 위치"), &id, &mut report) else {
            continue;
        };
        if !commands.contains_key(&id) && !commands.is_empty() {
            report.add("missing-command", format!("{id}: not in api_commands.csv"));
        }
        placed.push((api, group));
    }
    let name_input: Vec<(String, String, bool)> = placed
        .iter()
        .map(|(api, g)| {
            let id = api.id().to_string();
            let function = commands
                .get(&id)
                .map(|c| c.function_name.clone())
                .filter(|f| !f.is_empty())
                .unwrap_or_else(|| id.to_lowercase());
            (id, function, g.market == Market::Us)
        })
        .collect();
    let english = names::english_names(&name_input, &mut report);

    let mut builder = build::Builder {
        glossary: &glossary,
        labels: &labels,
        overrides: &overrides,
        usage: overrides::Usage::default(),
        report,
        unresolved: BTreeMap::new(),
    };
    let mut files: BTreeMap<PathBuf, GroupFile> = BTreeMap::new();
    for (api, group) in placed {
        let id = api.id().to_string();
        let mut tr = builder.build_tr(api, commands.get(&id), &english[&id], group.market);
        notes::apply(&mut tr, &mut builder.report);
        overrides.apply_trs(&mut tr, &mut builder.usage, &mut builder.report);
        example_check::check(&mut tr, &mut builder.report);
        session_times::apply(&mut tr, group.market, &mut builder.report);
        overrides.apply_fields(&mut tr, &mut builder.usage, &mut builder.report);
        lengths::apply(&mut tr, &mut builder.report);
        example_check::check_request(&tr, &mut builder.report);
        roles::apply(&mut tr, &mut builder.report);
        settle::settle_tr(&mut tr, &mut builder.report);
        let rel = PathBuf::from(groups::market_slug(group.market))
            .join(format!("{}.yaml", group.category));
        files
            .entry(rel)
            .or_insert_with(|| GroupFile {
                group: group.clone(),
                trs: Vec::new(),
            })
            .trs
            .push(tr);
    }
    for file in files.values_mut() {
        file.trs.sort_by(|a, b| a.id.cmp(&b.id));
    }
    let mut report = builder.report;
    overrides.report_unused(&builder.usage, &mut report);
    for (what, places) in &builder.unresolved {
        let shown: Vec<&str> = places.iter().take(3).map(String::as_str).collect();
        let more = if places.len() > 3 {
            format!(" and {} more", places.len() - 3)
        } else {
            String::new()
        };
        report.add(
            "unresolved-name",
            format!("{what}: {}{more}", shown.join(", ")),
        );
    }
    report.stats.insert(
        "unresolved names (distinct)".to_string(),
        builder.unresolved.len(),
    );
    report
        .cases
        .entry("unresolved-name".to_string())
        .or_default();
    for file in files.values() {
        stats::collect(file, &mut report);
    }
    report
        .stats
        .insert("TRs".to_string(), files.values().map(|f| f.trs.len()).sum());
    report.stats.insert("groups".to_string(), files.len());
    let errors = errors::build(&doc.error_codes, &overrides.errors, &mut report);
    Ok(Transcription {
        groups: files.into_iter().collect(),
        errors,
        report,
    })
}

mod write;
pub use write::{ERRORS_HEADER, GROUP_HEADER, to_yaml};
