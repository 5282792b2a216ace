#!/usr/bin/env bash
# Measures the learner's loop on this machine, in a temporary clone of the
# committed state (deleted after):
#   1. the first `cargo xtask check` on a fresh clone, with an empty target
#      folder: what a learner waits for once;
#   2. for each exercise (default: all of them), with its reference solution
#      in place, the time from saving an edit to the verdict, as the median of
#      RUNS edits (default 5):
#        - `cargo xtask check <exercise> --stress 0`: the verdict alone;
#        - `cargo xtask check <exercise>`: with the repeats of the
#          race-sensitive tests (the default `--stress`);
#        - `cargo test -p <crate> --test spec`: the same spec, plain, after
#          the same kind of edit, as the yardstick.
#
# Usage: xtask/measure-speed.sh [exercise ...]      RUNS=5 by default
# Prints the load average before and after: on a loaded machine every figure
# is slower, and the plain `cargo test` beside it slows down as much.
set -euo pipefail
runs=${RUNS:-5}
repo=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
git clone --quiet "$repo" "$work/clone"
cd "$work/clone"
export CARGO_TARGET_DIR="$work/target"

now() { date +%s.%N; }
seconds() { awk "BEGIN { printf \"%.2f\", $2 - $1 }"; }
median() { sort -n | awk '{ v[NR] = $1 } END { printf "%.2f", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

echo "machine: $(nproc) cores, $(rustc --version); load average: $(cut -d' ' -f1-3 /proc/loadavg)"
start=$(now)
cargo xtask check --plain > "$work/first.txt" || true
end=$(now)
grep -q " exercises pass." "$work/first.txt" || { cat "$work/first.txt"; exit 1; }
echo "first check on a fresh clone (empty target folder): $(seconds "$start" "$end") s"

if [ $# -eq 0 ]; then
  set -- $(ls specs)
fi
printf '%-16s %14s %14s %14s   %s\n' exercise "verdict (s)" "+ repeats (s)" "cargo test (s)" "verdict"
for exercise in "$@"; do
  lib="exercises/$exercise/src/lib.rs"
  crate=$(sed -n 's/^name *= *"\(.*\)"/\1/p' "exercises/$exercise/Cargo.toml" | head -n 1)
  cp "solutions/$exercise/src/lib.rs" "$lib"
  cargo xtask check "$exercise" --plain > /dev/null || true   # the first build of the new code
  cargo test -q -p "$crate" --test spec > /dev/null 2>&1 || true
  # One edit, then the command, timed; what saving a change looks like to cargo.
  timed() {
    echo "// an edit" >> "$lib"
    local start end
    start=$(now)
    "$@" > "$work/out.txt" 2>&1 || true
    end=$(now)
    seconds "$start" "$end"
    echo
  }
  alone=$(for _ in $(seq "$runs"); do timed cargo xtask check "$exercise" --plain --stress 0; done | median)
  verdict=$(head -n 1 "$work/out.txt")
  full=$(for _ in $(seq "$runs"); do timed cargo xtask check "$exercise" --plain; done | median)
  plain=$(for _ in $(seq "$runs"); do timed cargo test -q -p "$crate" --test spec; done | median)
  printf '%-16s %14s %14s %14s   %s\n' "$exercise" "$alone" "$full" "$plain" "$verdict"
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
