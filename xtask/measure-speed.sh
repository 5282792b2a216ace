#!/usr/bin/env bash
# Measures the checker's two speed targets on this machine:
#   1. `cargo xtask check` on a fresh clone, with an empty target folder
#      (target: under 4 minutes on a 2-core machine);
#   2. `cargo xtask check <exercise>` right after the learner saved an edit
#      to that exercise (target: under 3 seconds), both on the untouched
#      starter and on a finished exercise, whose spec runs every test.
#
# Usage: xtask/measure-speed.sh [exercise]      (default: downloader)
# It works in a temporary clone of the committed state and deletes it after.
set -euo pipefail
exercise=${1:-downloader}
repo=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
git clone --quiet "$repo" "$work/clone"
cd "$work/clone"
export CARGO_TARGET_DIR="$work/target"

now() { date +%s.%N; }
seconds() { awk "BEGIN { printf \"%.1f\", $2 - $1 }"; }

echo "machine: $(nproc) cores, $(rustc --version)"
start=$(now)
cargo xtask check --plain > "$work/first.txt" || true
end=$(now)
grep -q "0 of 3 exercises pass." "$work/first.txt" || { cat "$work/first.txt"; exit 1; }
echo "first run on a fresh clone:                  $(seconds "$start" "$end") s   (target: under 240 s)"

lib="exercises/$exercise/src/lib.rs"
recheck() {
  for run in 1 2 3; do
    echo "// an edit ($run)" >> "$lib"   # what saving a change looks like to cargo
    start=$(now)
    cargo xtask check "$exercise" --plain > "$work/again.txt" || true
    end=$(now)
    verdict=$(head -n 1 "$work/again.txt")
    echo "re-check after an edit, $1 (run $run): $(seconds "$start" "$end") s   (target: under 3 s)   [$verdict]"
  done
}
recheck "starter "
cp "solutions/$exercise/src/lib.rs" "$lib"
cargo xtask check "$exercise" --plain > /dev/null || true   # the first build of the new code
recheck "finished"
