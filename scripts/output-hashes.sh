#!/usr/bin/env bash
# Prints the SHA-256 of every output file brink writes for a fixed set of commands
# (run, replay, sweep with sobol and lhs designs, a sharded sweep + merge, tune, solve)
# on the shipped scenarios and games. Run it before and after a change that must not
# change behaviour and compare:
#
#   scripts/output-hashes.sh > /tmp/before.txt   # on the old commit
#   scripts/output-hashes.sh > /tmp/after.txt    # on the new one
#   diff /tmp/before.txt /tmp/after.txt && echo identical
#
# Usage: scripts/output-hashes.sh [BRINK_BINARY]   (default: builds target/release/brink)
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -ge 1 ]; then
  brink=$1
else
  cargo build --release --quiet
  brink=target/release/brink
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

h() { sha256sum | cut -c1-16; }

for s in scenarios/*.toml; do
  name=$(basename "$s" .toml)
  "$brink" run "$s" -n 3000 -s 7 -j 2 -q -o "$out/run-$name" -f json > "$out/run-$name.stdout"
  echo "run $name stdout $(h < "$out/run-$name.stdout")"
  for f in $(cd "$out/run-$name" && ls); do
    echo "run $name $f $(h < "$out/run-$name/$f")"
  done
  echo "run $name csv $("$brink" run "$s" -n 500 -s 3 -q -f csv | h)"
  echo "run $name table $("$brink" run "$s" -n 500 -s 3 -q | h)"
  echo "replay $name text $("$brink" replay "$s" -s 11 -r 5 | h)"
  echo "replay $name json $("$brink" replay "$s" -s 11 -r 5 -f json | h)"
done

sc=scenarios/iran_plan_b.toml
sweep() { "$brink" sweep "$sc" --param oil_squeeze=0..1 --param lambda_iran=1..20:log -n 200 -s 5 -q "$@" > /dev/null; }
sweep --design sobol --points 8 -o "$out/sobol"
sweep --design lhs --points 12 -o "$out/lhs"
sweep --design lhs --points 12 --shard 1/2 -o "$out/sh1"
sweep --design lhs --points 12 --shard 2/2 -o "$out/sh2"
"$brink" merge "$out/sh1" "$out/sh2" -o "$out/merged" > /dev/null
for d in sobol lhs merged; do
  for f in $(cd "$out/$d" && find . -maxdepth 1 -type f ! -name '*.lock' | sort); do
    echo "sweep $d $f $(h < "$out/$d/$f")"
  done
done
echo "replay from-sweep $("$brink" replay --from "$out/lhs" --point 3 -r 2 | h)"

"$brink" tune scenarios/chicken.toml --target crash=0.2 --param lambda=0.5..8 --budget 12 -n 400 -s 9 -q -o "$out/tune" > "$out/tune.stdout"
echo "tune stdout $(h < "$out/tune.stdout")"
for f in $(cd "$out/tune" && ls); do echo "tune $f $(h < "$out/tune/$f")"; done

for g in crates/brink-solve/tests/games/*.{nfg,efg,toml,json}; do
  for m in pure support vertex lh lp logit enum-n spe seqform replicator; do
    # Kuhn poker's reduced normal form is too large for these two (issue: the solver
    # cannot yet refuse work that would exhaust memory).
    case "$(basename "$g") $m" in "kuhn_poker.efg vertex" | "kuhn_poker.efg enum-n") continue ;; esac
    for fmt in text json; do
      r=$( (ulimit -v 4000000; "$brink" solve "$g" -m "$m" -f "$fmt" 2>&1; echo "exit $?") | h)
      echo "solve $(basename "$g") $m $fmt $r"
    done
  done
done
