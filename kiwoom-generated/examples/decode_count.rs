//! Decode the decode benchmark's 0B frame n times through `decode_response` (default 1000):
//! the program `scripts/decode-instructions.sh` runs under callgrind twice, with two values
//! of n, so that the difference counts the decodes alone. Instruction counts do not move
//! with the machine's load the way the benchmark's times do.

use kiwoom_generated::decode_response;

const REAL_0B: &str = include_str!("../benches/real_0b.json");

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(1000);
    let mut entries = 0;
    for _ in 0..n {
        let response = decode_response("0B", std::hint::black_box(REAL_0B.as_bytes()))
            .expect("the frame decodes");
        entries += std::hint::black_box(&response).api_id().len();
    }
    println!("{n} frames decoded ({entries})");
}
