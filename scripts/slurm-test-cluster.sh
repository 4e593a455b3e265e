#!/usr/bin/env bash
# A single-node Slurm cluster of its own in a scratch folder, for tests and for trying
# `tlspipe run --executor slurm` on one machine (needs root, Debian's slurm-wlm and munge).
#   scripts/slurm-test-cluster.sh start DIR   → writes DIR/slurm.conf, starts munged (if none
#                                                runs), slurmctld -D and slurmd -D; prints
#                                                SLURM_CONF=DIR/slurm.conf once the node is idle
#   scripts/slurm-test-cluster.sh stop DIR    → stops the daemons it started
# Job accounting (sacct) needs slurmdbd and stays off, as on many small clusters.
set -euo pipefail
# The daemons outlive this script: they must not inherit any descriptor of its caller. A
# socket or pipe they kept would make the caller wait for them forever (Foundation's Process
# sees a child end only when every copy of its socket closes). 255 is bash's own script file.
for fd in /proc/$$/fd/*; do
  n=${fd##*/}
  case $n in 0|1|2|255) ;; *) eval "exec $n>&-" 2>/dev/null || true ;; esac
done
exec </dev/null
cmd=${1:-}; dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: $0 start|stop DIR" >&2; exit 2; }
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)

stop() {
  for d in slurmd slurmctld; do
    if [ -f "$dir/$d.pid" ]; then kill "$(cat "$dir/$d.pid")" 2>/dev/null || true; fi
  done
  for d in slurmd slurmctld; do
    if [ -f "$dir/$d.pid" ]; then
      p=$(cat "$dir/$d.pid")
      for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$p" 2>/dev/null || true
      rm -f "$dir/$d.pid"
    fi
  done
}

if [ "$cmd" = stop ]; then stop; exit 0; fi
[ "$cmd" = start ] || { echo "usage: $0 start|stop DIR" >&2; exit 2; }
for t in munged slurmctld slurmd sinfo; do
  command -v "$t" >/dev/null || [ -x "/usr/sbin/$t" ] || { echo "$t not found: apt-get install slurm-wlm munge" >&2; exit 3; }
done
[ "$(id -u)" = 0 ] || { echo "a local Slurm cluster needs root (SlurmUser=root)" >&2; exit 3; }
stop

# munge: one daemon per machine, with a key.
if ! pgrep -x munged >/dev/null; then
  mkdir -p /etc/munge /run/munge /var/lib/munge /var/log/munge
  if [ ! -s /etc/munge/munge.key ]; then
    dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
  fi
  chown -R munge:munge /etc/munge /run/munge /var/lib/munge /var/log/munge
  chmod 400 /etc/munge/munge.key
  chmod 755 /run/munge
  su -s /bin/sh munge -c /usr/sbin/munged >"$dir/munged.out" 2>&1 || { echo "munged did not start: $(tail -n 3 "$dir/munged.out")" >&2; exit 4; }
fi

# Ports of our own (a free pair from a random base), so that clusters of several test runs or a
# site's own Slurm never answer for ours.
port=""
for _ in $(seq 50); do
  p=$(( 20000 + RANDOM % 20000 ))
  if ! (exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null && ! (exec 3<>/dev/tcp/127.0.0.1/$((p + 1))) 2>/dev/null; then port=$p; break; fi
done
[ -n "$port" ] || { echo "no free port pair for slurmctld/slurmd" >&2; exit 4; }
cpus=$(nproc)
mem=$(awk '/MemTotal/ { printf "%d", $2 / 1024 * 0.8 }' /proc/meminfo)
mkdir -p "$dir/state" "$dir/spool"
cat > "$dir/slurm.conf" <<EOF
ClusterName=tlspipe-test
SlurmctldHost=localhost
SlurmUser=root
AuthType=auth/munge
CredType=cred/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
SchedulerType=sched/backfill
MailProg=/bin/true
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
SlurmctldPort=$port
SlurmdPort=$((port + 1))
ReturnToService=2
MinJobAge=600
MaxArraySize=10001
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
NodeName=localhost CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF="$dir/slurm.conf"
/usr/sbin/slurmctld -D -f "$SLURM_CONF" >"$dir/slurmctld.out" 2>&1 &
echo $! > "$dir/slurmctld.pid"
/usr/sbin/slurmd -D -N localhost -f "$SLURM_CONF" >"$dir/slurmd.out" 2>&1 &
echo $! > "$dir/slurmd.pid"
for _ in $(seq 150); do
  if sinfo -h -o %t 2>/dev/null | grep -qx idle; then echo "SLURM_CONF=$SLURM_CONF"; exit 0; fi
  sleep 0.2
done
echo "Slurm did not come up; see $dir/slurmctld.log and $dir/slurmd.log" >&2
stop
exit 4
