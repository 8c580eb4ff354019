#!/usr/bin/env bash
# Proves on a real Slurm that a sharded sweep merges byte-identically: installs
# slurm-wlm and munge if missing (Debian/Ubuntu, as root), starts a one-node cluster
# on this machine (munged, slurmctld, slurmd with a generated slurm.conf), submits
# scripts/slurm/sweep.sbatch as a job array, waits, runs `brink merge`, compares the
# bytes of points.csv and summary.json with an unsharded sweep, and shuts the daemons
# down. Usage: bash scripts/slurm/local-cluster-test.sh [SHARDS]
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
SHARDS="${1:-3}"

need=()
command -v slurmctld >/dev/null || need+=(slurm-wlm)
command -v munged >/dev/null || need+=(munge)
if [ ${#need[@]} -gt 0 ]; then
    echo "installing ${need[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

cargo build --release --quiet
BRINK="$ROOT/target/release/brink"

WORK=$(mktemp -d /tmp/brink-slurm.XXXXXX)
HOST=$(hostname -s)
CPUS=$(nproc)
MEM=$(awk '/MemTotal/ {print int($2/1024) - 512}' /proc/meminfo)
mkdir -p "$WORK"/{state,spool,log,run}
export SLURM_CONF="$WORK/slurm.conf"
cat > "$SLURM_CONF" <<CONF
ClusterName=brinktest
SlurmctldHost=$HOST
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
SchedulerType=sched/backfill
StateSaveLocation=$WORK/state
SlurmdSpoolDir=$WORK/spool
SlurmctldPidFile=$WORK/run/slurmctld.pid
SlurmdPidFile=$WORK/run/slurmd.pid
SlurmctldLogFile=$WORK/log/slurmctld.log
SlurmdLogFile=$WORK/log/slurmd.log
SlurmctldPort=16817
SlurmdPort=16818
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
JobAcctGatherType=jobacct_gather/none
NodeName=$HOST CPUs=$CPUS RealMemory=$MEM State=UNKNOWN
PartitionName=debug Nodes=$HOST Default=YES MaxTime=INFINITE State=UP
CONF

MUNGE_SOCKET="$WORK/run/munge.socket"
pids=()
cleanup() {
    scancel --quiet --user=root 2>/dev/null || true
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    [ -f "$WORK/run/munged.pid" ] && kill "$(cat "$WORK/run/munged.pid")" 2>/dev/null || true
    sleep 1
}
trap cleanup EXIT

# munge: a key of our own, a socket of our own.
dd if=/dev/urandom bs=1 count=1024 of="$WORK/munge.key" status=none
chmod 400 "$WORK/munge.key"
munged --force --key-file="$WORK/munge.key" --socket="$MUNGE_SOCKET" \
    --pid-file="$WORK/run/munged.pid" --log-file="$WORK/log/munged.log" --seed-file="$WORK/run/munge.seed"
# Slurm's munge plugins find the socket through the config.
echo "AuthInfo=socket=$MUNGE_SOCKET" >> "$SLURM_CONF"

slurmctld -D -i -f "$SLURM_CONF" >"$WORK/log/slurmctld.out" 2>&1 &
pids+=($!)
slurmd -D -f "$SLURM_CONF" -N "$HOST" >"$WORK/log/slurmd.out" 2>&1 &
pids+=($!)

echo "waiting for the node"
for _ in $(seq 1 60); do
    if sinfo -h -o '%T' 2>/dev/null | grep -qE 'idle|mixed'; then break; fi
    sleep 1
done
sinfo -h -o '%T' | grep -qE 'idle|mixed' || { echo "the Slurm node did not come up"; tail -20 "$WORK"/log/*; exit 1; }
sinfo

SWEEP_ARGS="--param oil_squeeze=0..1 --param p_hardliner=0.2..0.8 --design sobol --points 4 -n 800 --seed 7"
echo "unsharded sweep"
# shellcheck disable=SC2086
"$BRINK" sweep scenarios/iran_plan_b.toml $SWEEP_ARGS --quiet --out "$WORK/unsharded"

echo "job array of $SHARDS shards"
OUT="$WORK/sharded" SWEEP_ARGS="$SWEEP_ARGS" SCENARIO=scenarios/iran_plan_b.toml BRINK="$BRINK" \
    sbatch --wait --array=1-"$SHARDS" --chdir="$ROOT" --output="$WORK/log/task-%a.out" scripts/slurm/sweep.sbatch
"$BRINK" merge "$WORK"/sharded/shard-* --out "$WORK/merged"

status=0
for f in points.csv summary.json; do
    if cmp "$WORK/unsharded/$f" "$WORK/merged/$f"; then
        echo "identical: $f"
    else
        echo "DIFFERENT: $f"
        status=1
    fi
done
[ $status -eq 0 ] && echo "OK: $SHARDS Slurm array tasks merged byte-identically to the unsharded sweep"
exit $status
