//! Child processes for the multi-process tests: the test binary runs itself with one of its
//! own `#[ignore]`d tests selected, passing what the child needs in an environment variable.
//! The child's stdout is piped back (the parent reads its lines); stdin is piped so the
//! parent can tell children when to go on.

use std::process::{Child, Command, Stdio};

/// Starts this test binary as a child running only the ignored test `test`, with `var` =
/// `spec` in its environment.
pub fn spawn(test: &str, var: &str, spec: &str) -> Child {
    Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            test,
            "--ignored",
            "--nocapture",
            "--test-threads",
            "1",
        ])
        .env(var, spec)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap()
}

/// The part of a child's output line from `marker` on: libtest writes `test <name> ... `
/// before the child's first line, so a marker need not start its line.
pub fn marked<'a>(line: &'a str, marker: &str) -> Option<&'a str> {
    line.find(marker).map(|at| &line[at..])
}
