//! `kiwoom`: see the crate docs and `kiwoom --help`.

use std::process::ExitCode;

use tracing_subscriber::EnvFilter;

fn main() -> ExitCode {
    // Logs go to stderr, warnings only unless RUST_LOG says otherwise. tungstenite logs
    // whole frames (the WebSocket LOGIN token included) at TRACE: always off.
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("warn"))
        .add_directive("tungstenite=off".parse().expect("valid directive"))
        .add_directive("tokio_tungstenite=off".parse().expect("valid directive"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();

    let matches = kiwoom_cli::tree::build().get_matches();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    // Not locked for the whole run: `kiwoom mcp` answers through tokio's stdout, from a
    // blocking-pool thread that would wait forever for a lock held by this one.
    let mut out = std::io::stdout();
    match runtime.block_on(kiwoom_cli::cli::dispatch(&matches, &mut out)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}
