#!/usr/bin/env bash
# Instructions per decode of one 0B frame (the decode benchmark's frame, release build),
# counted by callgrind: the example decodes it n times, and two runs (n = 1000 and 3000)
# differ by 2000 decodes and nothing else. Needs valgrind.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v valgrind >/dev/null || { echo "needs valgrind (apt-get install valgrind)" >&2; exit 1; }
cargo build -q --release -p kiwoom-generated --example decode_count
bin=target/release/examples/decode_count
count() {
    valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bin" "$1" 2>&1 |
        awk '/I[[:space:]]+refs:/ { gsub(",", "", $NF); print $NF }'
}
low=$(count 1000)
high=$(count 3000)
echo "0B frame: $(( (high - low) / 2000 )) instructions per decode ($low for 1000, $high for 3000)"
