#!/usr/bin/env bash
# Measures the learner's loop on this machine, in a temporary clone of the
# committed state (deleted after):
#   1. the first `cargo xtask check` on a fresh clone, with an empty target
#      folder: what a learner waits for once;
#   2. for each exercise (default: all of them), with its reference solution
#      in place, the time from saving an edit to the verdict, as the median of
#      RUNS edits (default 5). An edit adds a function to the exercise's
#      `lib.rs`, so that cargo rebuilds it and the spec binary, as after a
#      learner's change:
#        - `cargo xtask check <exercise> --stress 0`: the verdict alone;
#        - `cargo xtask check <exercise>`: with the repeats of the
#          race-sensitive tests (the default `--stress`);
#        - `cargo xtask watch <exercise>`, already running: from the save to
#          the first line of its verdict (it checks with the default repeats,
#          but cargo does not start the checker for each save);
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
printf '%-16s %12s %14s %12s %14s   %s\n' exercise "verdict (s)" "+ repeats (s)" "watch (s)" "cargo test (s)" "verdict"
# A change that cargo must compile, as a learner's is: a new function (hidden
# from the docs, so that no lint speaks of it), named after the clock, since
# the edits are made in subshells that cannot count for each other.
edit() {
  local n
  n=$(date +%s%N)
  printf '\n#[doc(hidden)]\npub fn measured_edit_%s() -> u64 {\n    %s\n}\n' "$n" "$n" >> "$1"
}

# The watcher, started once per exercise, reads its keys from a pipe; each
# save is timed until the first line of the verdict it prints (a line that
# starts with a mark and the exercise's name).
watch_pid=
stop_watch() {
  if [ -n "$watch_pid" ]; then
    echo q >&"${WATCH[1]}" 2> /dev/null || true
    wait "$watch_pid" 2> /dev/null || true
    watch_pid=
  fi
}
trap 'stop_watch; rm -rf "$work"' EXIT
until_line() { # pattern: reads the watcher's output up to a line that matches
  local line
  while IFS= read -r -t 60 -u "${WATCH[0]}" line; do
    case "$line" in $1) return 0 ;; esac
  done
  echo "the watcher stopped, or printed nothing that matches $1 for 60 s" >&2
  return 1
}

for exercise in "$@"; do
  lib="exercises/$exercise/src/lib.rs"
  crate=$(sed -n 's/^name *= *"\(.*\)"/\1/p' "exercises/$exercise/Cargo.toml" | head -n 1)
  cp "solutions/$exercise/src/lib.rs" "$lib"
  cargo xtask check "$exercise" --plain > /dev/null || true   # the first build of the new code
  cargo test -q -p "$crate" --test spec > /dev/null 2>&1 || true
  # One edit, then the command, timed.
  timed() {
    edit "$lib"
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

  coproc WATCH { cargo xtask watch "$exercise" 2>&1; }
  watch_pid=$WATCH_PID
  # In this shell, not a subshell: bash does not pass a coprocess's pipes on.
  until_line "Watching \`$exercise\`*" || exit 1
  : > "$work/watched.txt"
  for _ in $(seq "$runs"); do
    edit "$lib"
    start=$(now)
    until_line "[! ]* $exercise: *" || exit 1
    end=$(now)
    until_line "Watching \`$exercise\`*" || exit 1
    echo "$(seconds "$start" "$end")" >> "$work/watched.txt"
  done
  watched=$(median < "$work/watched.txt")
  stop_watch

  plain=$(for _ in $(seq "$runs"); do timed cargo test -q -p "$crate" --test spec; done | median)
  printf '%-16s %12s %14s %12s %14s   %s\n' "$exercise" "$alone" "$full" "$watched" "$plain" "$verdict"
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
