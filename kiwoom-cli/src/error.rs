//! The CLI's errors. Each says what was refused and whether anything was sent.

use kiwoom_generated::kiwoom_runtime;

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// Bad input, found before anything was sent.
    #[error("{tr}: {flag}: {problem} (nothing was sent)")]
    Flag {
        tr: String,
        /// `--stock-code (stk_cd)`.
        flag: String,
        problem: String,
    },
    /// A gate refused the command before anything was sent.
    #[error("{0} (nothing was sent)")]
    Refused(String),
    #[error("{0}")]
    Usage(String),
    /// An order whose answer was lost: it may have been placed, and was not resent.
    #[error("{0}")]
    OutcomeUnknown(String),
    #[error("{0}")]
    Config(String),
    #[error(transparent)]
    Kiwoom(#[from] kiwoom_runtime::Error),
    #[error("cannot start the simulator: {0}")]
    Simulator(std::io::Error),
    #[error("cannot write the output: {0}")]
    Output(#[from] std::io::Error),
}

impl CliError {
    /// 2 for input refused before sending (like clap's usage errors), 3 for an order whose
    /// outcome is unknown, 1 otherwise.
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Flag { .. } | CliError::Refused(_) | CliError::Usage(_) => 2,
            CliError::Kiwoom(kiwoom_runtime::Error::Validation(_)) => 2,
            CliError::OutcomeUnknown(_) => 3,
            _ => 1,
        }
    }
}
