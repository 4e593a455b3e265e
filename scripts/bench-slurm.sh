#!/usr/bin/env bash
# Overhead of the Slurm executor on a one-node cluster of its own (needs root, slurm-wlm,
# munge and a release build of tlspipe-testkit): a chain of K stages that do nothing, so each
# waits for the previous one's record, and K independent ones. Prints, per job, the time from
# sbatch to the job's start on the node, the job's own run, and the whole round trip as the
# driver sees it (submit → start → record → next submission).
set -euo pipefail
cd "$(dirname "$0")/.."
K=${K:-8}
POLL=${POLL:-0.5}
kit=$PWD/.build/release/tlspipe-testkit
[ -x "$kit" ] || { echo "slurm bench: build first (swift build -c release)"; exit 0; }
if [ "$(id -u)" != 0 ] || ! command -v slurmctld >/dev/null && [ ! -x /usr/sbin/slurmctld ]; then
  echo "slurm bench: skipped (needs root and slurm-wlm + munge; scripts/install-test-tools.sh installs them)"; exit 0
fi
work=$(mktemp -d /tmp/tlspipe-slurm-bench.XXXXXX)
cluster=$PWD/scripts/slurm-test-cluster.sh
trap '"$cluster" stop "$work/cluster" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
"$cluster" start "$work/cluster" >/dev/null
export SLURM_CONF=$work/cluster/slurm.conf
cd "$work"
echo "{\"poll_seconds\": $POLL}" > slurm.json
{
  echo '{"name": "bench", "stages": ['
  for k in $(seq 1 "$K"); do
    sep=","; [ "$k" = "$K" ] && sep=""
    if [ "$k" = 1 ]; then echo "{\"id\": \"c$k\", \"kind\": \"debug-sleep\", \"params\": {\"seconds\": 0, \"value\": $k}}$sep"
    else echo "{\"id\": \"c$k\", \"kind\": \"debug-sleep\", \"params\": {\"seconds\": 0, \"value\": $k}, \"inputs\": {\"upstream\": [\"c$((k-1))\"]}}$sep"; fi
  done
  echo ']}'
} > chain.json
{
  echo '{"name": "bench", "stages": ['
  for k in $(seq 1 "$K"); do
    sep=","; [ "$k" = "$K" ] && sep=""
    echo "{\"id\": \"i$k\", \"kind\": \"debug-sleep\", \"params\": {\"seconds\": 0, \"value\": $k}}$sep"
  done
  echo ']}'
} > independent.json

t0=$(date +%s.%N); "$kit" run chain.json --executor slurm --slurm-profile slurm.json --quiet >/dev/null; t1=$(date +%s.%N)
"$kit" run independent.json --executor slurm --slurm-profile slurm.json --quiet >/dev/null; t2=$(date +%s.%N)
t3=$(date +%s.%N); "$kit" run chain.json --data-dir local --figures-dir local-fig --quiet >/dev/null; t4=$(date +%s.%N)

for f in data/chain/c*.h5; do "$kit" audit "$f" --json; done > chain-provenance.jsonl 2>/dev/null || true
python3 - "$K" "$t0" "$t1" "$t2" "$t3" "$t4" "$POLL" <<'EOF'
import json, sys, datetime
K, t0, t1, t2, t3, t4, poll = int(sys.argv[1]), *map(float, sys.argv[2:])
def ts(s): return datetime.datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp()
book = {e["stage"]: e for e in json.load(open("data/chain/.tlspipe/slurm/jobs.json"))["jobs"]}
dec = json.JSONDecoder(); text = open("chain-provenance.jsonl").read(); i = 0; provs = []
while i < len(text):
    while i < len(text) and text[i].isspace(): i += 1
    if i >= len(text): break
    obj, i = dec.raw_decode(text, i); provs.append(obj)
starts = [ts(p["start_time"]) - ts(book[p["stage_id"]]["submitted"]) for p in provs]
runs = [p["wall_seconds"] for p in provs]
med = lambda v: sorted(v)[len(v) // 2]
print(f"slurm executor, one-node cluster, poll {poll:g} s, {K} jobs each:")
print(f"  sbatch → job running on the node: median {med(starts):.2f} s (min {min(starts):.2f}, max {max(starts):.2f})")
print(f"  the job itself (tlspipe exec-stage of a stage doing nothing): median {med(runs):.3f} s")
print(f"  chain of {K} dependent stages: {t1 - t0:.1f} s = {(t1 - t0) / K:.2f} s per stage round trip (locally: {(t4 - t3) / K:.3f} s)")
print(f"  {K} independent stages: {t2 - t1:.1f} s ({(t2 - t1) / K:.2f} s per stage, 1 core each on {__import__('os').cpu_count()} cores)")
EOF
