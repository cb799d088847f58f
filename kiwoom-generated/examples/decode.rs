//! Decode a body by api-id and print it re-encoded in the wire form.
//!
//! `cargo run -p kiwoom-generated --example decode -- <api-id> <file.json>`
//! Exits with a non-zero code when the body does not decode.

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [api_id, path] = args.as_slice() else {
        eprintln!("usage: decode <api-id> <file.json>");
        return ExitCode::from(2);
    };
    let body = match std::fs::read(path) {
        Ok(body) => body,
        Err(e) => {
            eprintln!("{path}: {e}");
            return ExitCode::from(2);
        }
    };
    match kiwoom_generated::decode_response(api_id, &body) {
        Ok(decoded) => match serde_json::to_string_pretty(&decoded) {
            Ok(json) => {
                println!("{json}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("re-encoding failed: {e}");
                ExitCode::FAILURE
            }
        },
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}
