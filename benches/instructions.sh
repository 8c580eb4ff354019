#!/usr/bin/env bash
# Instructions per run, ECS engine vs plain structs, for each compared scenario:
# repeatable under load (callgrind counts instructions, not time). Needs valgrind.
#   bash benches/instructions.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-400}
cargo bench --bench instructions --no-run -q 2>/dev/null
bin=$(ls -t ${CARGO_TARGET_DIR:-target}/release/deps/instructions-* | grep -v '\.d$' | head -1)
count() { # scenario variant runs -> instructions
  valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bin" "$1" "$2" "$3" 2>&1 \
    | awk '/refs:/ {gsub(",", "", $NF); print $NF}'
}
printf '%-18s %14s %14s %8s\n' scenario ecs/run plain/run ratio
for s in iran_plan_b prisoners_dilemma stag_hunt; do
  # Per run: (N runs - 1 run) / (N - 1), so loading and set-up cancel out.
  e=$(( ($(count $s ecs $runs) - $(count $s ecs 1)) / (runs - 1) ))
  p=$(( ($(count $s plain $runs) - $(count $s plain 1)) / (runs - 1) ))
  awk -v s=$s -v e=$e -v p=$p 'BEGIN { printf "%-18s %14d %14d %8.2f\n", s, e, p, e / p }'
done
