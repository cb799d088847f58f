#!/usr/bin/env bash
# Clean dev-build time of kiwoom-generated, for HEAD and a base commit, in one run.
#
#   scripts/build-time.sh [BASE] [GROUP] [ROUNDS]
#
# BASE (default HEAD~1) and HEAD are checked out as detached git worktrees in a temporary
# directory (the working tree's uncommitted changes are not measured), sharing one target
# directory so that third-party crates are built once, before any timing. Then, ROUNDS times
# (default 1), alternating base and head so that a change in the machine's load hits both:
#
#   - all features: kiwoom-runtime + kiwoom-generated from clean, then kiwoom-generated
#     alone (the runtime built), each `cargo build -p kiwoom-generated --all-features`;
#   - one group: the same with `--no-default-features --features GROUP`
#     (default domestic-chart);
#   - all features, not incremental (`noinc`): the same two builds with
#     CARGO_INCREMENTAL=0, which is how cargo builds a crate that is a dependency (from
#     crates.io or git): what a user of kiwoom-generated waits for;
#   - release, one TR file touched: `cargo build --release -p kiwoom-generated
#     --all-features` after `touch`ing one TR's file (TOUCH, default
#     src/domestic_chart/ka10081.rs), the crate otherwise built: what a maintainer waits
#     for after regenerating one TR. Release builds are not incremental, so this is the
#     crate's whole optimised build.
#
# MODES (default "all noinc group release") picks the measurements.
#
# "From clean" removes only those crates' artifacts from the temporary target directory.
# Every figure is printed with wall and CPU seconds and the load average at its start; the
# machine is shared, so read the figures of one run against each other.
set -euo pipefail

base=${1:-HEAD~1}
group=${2:-domestic-chart}
rounds=${3:-1}

root=$(git rev-parse --show-toplevel)
base_rev=$(git -C "$root" rev-parse --short "$base")
head_rev=$(git -C "$root" rev-parse --short HEAD)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/kiwoom-build-time.XXXXXX")
export CARGO_TARGET_DIR="$tmp/target"

cleanup() {
    git -C "$root" worktree remove --force "$tmp/base" 2>/dev/null || true
    git -C "$root" worktree remove --force "$tmp/head" 2>/dev/null || true
    rm -rf "$tmp"
}
trap cleanup EXIT

git -C "$root" worktree add --quiet --detach "$tmp/base" "$base_rev"
git -C "$root" worktree add --quiet --detach "$tmp/head" "$head_rev"

# Forget one crate's build (artifacts, fingerprints, incremental state) so its next build
# starts from nothing; third-party crates stay built.
forget() {
    local crate=$1
    rm -rf "$CARGO_TARGET_DIR"/debug/.fingerprint/"$crate"-* \
        "$CARGO_TARGET_DIR"/debug/deps/lib"${crate//-/_}"-* \
        "$CARGO_TARGET_DIR"/debug/deps/"${crate//-/_}"-* \
        "$CARGO_TARGET_DIR"/debug/incremental/"${crate//-/_}"-*
}

modes=${MODES:-all noinc group release}
touch_file=${TOUCH:-src/domestic_chart/ka10081.rs}
has_mode() { [[ " $modes " == *" $1 "* ]]; }

features_all=(--all-features)
features_group=(--no-default-features --features "$group")

echo "warming up third-party crates for $base_rev and $head_rev ..."
for side in base head; do
    (cd "$tmp/$side" && cargo build -q -p kiwoom-generated "${features_all[@]}" &&
        cargo build -q -p kiwoom-generated "${features_group[@]}")
    if has_mode release; then
        (cd "$tmp/$side" && cargo build -q --release -p kiwoom-generated "${features_all[@]}")
    fi
done

results=()
# timed SIDE LABEL SCOPE COMMAND...: one timed command in SIDE's tree, appended to `results`.
timed() {
    local side=$1 label=$2 scope=$3
    shift 3
    local load start end cpu_before cpu_after
    load=$(cut -d' ' -f1-3 /proc/loadavg)
    cpu_before=$(awk '{print $16 + $17}' /proc/$$/stat)
    start=$(date +%s.%N)
    (cd "$tmp/$side" && "$@")
    end=$(date +%s.%N)
    # Children's user+system clock ticks (cutime+cstime) of this shell, before and after.
    cpu_after=$(awk '{print $16 + $17}' /proc/$$/stat)
    local ticks
    ticks=$(getconf CLK_TCK)
    local wall cpu
    wall=$(echo "$end - $start" | bc)
    cpu=$(echo "scale=1; ($cpu_after - $cpu_before) / $ticks" | bc)
    local rev=$base_rev
    [ "$side" = head ] && rev=$head_rev
    results+=("$(printf '%-5s %-8s %-13s %-22s wall %7.1f s  cpu %7.1f s  load %s' \
        "$side" "$rev" "$label" "$scope" "$wall" "$cpu" "$load")")
    echo "${results[-1]}"
}

# measure SIDE LABEL SCOPE FEATURES...: one clean dev build.
measure() {
    local side=$1 label=$2 scope=$3
    shift 3
    forget kiwoom-generated
    if [ "$scope" = "runtime+generated" ]; then
        forget kiwoom-runtime
    fi
    timed "$side" "$label" "$scope" cargo build -q -p kiwoom-generated "$@"
}

# release_touch SIDE: the release rebuild after touching one TR file.
release_touch() {
    local side=$1
    touch "$tmp/$side/kiwoom-generated/$touch_file"
    timed "$side" all-features "release, touched 1 TR" \
        cargo build -q --release -p kiwoom-generated "${features_all[@]}"
}

for round in $(seq 1 "$rounds"); do
    echo "round $round of $rounds"
    for side in base head; do
        if has_mode all; then
            measure "$side" all-features runtime+generated "${features_all[@]}"
            measure "$side" all-features generated "${features_all[@]}"
        fi
        if has_mode noinc; then
            CARGO_INCREMENTAL=0 measure "$side" "all, not incr." runtime+generated "${features_all[@]}"
            CARGO_INCREMENTAL=0 measure "$side" "all, not incr." generated "${features_all[@]}"
        fi
        if has_mode group; then
            measure "$side" "$group" runtime+generated "${features_group[@]}"
            measure "$side" "$group" generated "${features_group[@]}"
        fi
        if has_mode release; then
            release_touch "$side"
        fi
    done
done

echo
echo "kiwoom-generated builds, base $base_rev vs head $head_rev ($(nproc) cores):"
printf '%s\n' "${results[@]}"
