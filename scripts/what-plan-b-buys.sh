#!/usr/bin/env bash
# The tables of README's "What Plan B buys": a grid over relief_depth x oil_squeeze
# (P(deal), P(strike), P(breakout) with 95% Wilson intervals) and Sobol total indices
# of the main parameters for each outcome, from `brink sweep` on the Iran flagship.
#
#   scripts/what-plan-b-buys.sh [OUT_DIR]      (default /tmp/plan-b)
#
# Runs: 25 grid points x 4000 runs, and a Sobol design of 64 x (7 + 2) points x 500
# runs, seed 2021 (about 400,000 runs in all). Needs a release build (cargo build
# --release) and python3 for the tables (scripts/plan_b_tables.py).
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-/tmp/plan-b}
brink=./target/release/brink
rm -rf "$out/grid" "$out/sobol"
mkdir -p "$out"
$brink sweep scenarios/iran_plan_b.toml --design grid \
  --param relief_depth=0..1 --param oil_squeeze=0..1 --points 5 -n 4000 -q -o "$out/grid"
$brink sweep scenarios/iran_plan_b.toml --design sobol \
  --param relief_depth=0..1 --param oil_squeeze=0..1 --param p_hardliner=0..1 \
  --param p_constrained=0..1 --param p_resolute=0..1 --param talks_credit=0..1 \
  --param escalate_step=0..0.1 --points 64 -n 500 -q -o "$out/sobol"
python3 scripts/plan_b_tables.py "$out"
