#!/usr/bin/env bash
# A throwaway single-node Slurm for the tests: munged with its own key and socket, slurmctld and
# slurmd on 127.0.0.1 with free ports, a generated slurm.conf, everything (spool, state, logs)
# in one temporary directory; no change to the host's /etc. `start` writes the configuration's
# path to STATE_DIR/slurm.conf (clients find it through SLURM_CONF) and waits until the node
# takes jobs; `stop` stops the daemons and removes the directory.
# Usage: scripts/slurm-test-cluster.sh start STATE_DIR
#        scripts/slurm-test-cluster.sh stop STATE_DIR
# Needs Debian's slurm-wlm and munge. As root (a plain container) the daemons run as root and
# munged as the munge user; as another user the daemons run as that user.
set -euo pipefail

usage() { echo "usage: $0 start|stop STATE_DIR" >&2; exit 2; }
[ $# -eq 2 ] || usage
action=$1
state=$2

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
free_port() {
  local port
  for _ in $(seq 1 50); do
    port=$((20000 + RANDOM % 40000))
    port_in_use "$port" || { echo "$port"; return; }
  done
  echo "slurm-test-cluster: no free port found" >&2
  exit 1
}

start() {
  for program in munged slurmctld slurmd sinfo; do
    command -v "$program" >/dev/null || { echo "slurm-test-cluster: $program not found (apt install slurm-wlm munge)" >&2; exit 1; }
  done
  mkdir -p "$state"
  [ ! -f "$state/base" ] || stop
  local base user munge_user ctld_port slurmd_port cpus memory
  base=$(mktemp -d "${TMPDIR:-/tmp}/typetune-slurm.XXXXXX")
  echo "$base" > "$state/base"
  chmod 755 "$base"
  user=$(id -un)
  munge_user=$user
  [ "$(id -u)" -ne 0 ] || munge_user=munge
  mkdir -p "$base/munge" "$base/ctld" "$base/spool" "$base/log"
  # munged refuses a key or socket directory that others can write to.
  dd if=/dev/urandom of="$base/munge/munge.key" bs=1024 count=1 status=none
  chmod 700 "$base/munge"
  chmod 400 "$base/munge/munge.key"
  [ "$munge_user" = "$user" ] || chown -R "$munge_user" "$base/munge"
  local as_munge=()
  [ "$munge_user" = "$user" ] || as_munge=(runuser -u "$munge_user" --)
  "${as_munge[@]}" munged --force --key-file="$base/munge/munge.key" --socket="$base/munge/munge.socket" \
    --pid-file="$base/munge/munged.pid" --log-file="$base/munge/munged.log" --seed-file="$base/munge/munged.seed"
  chmod 755 "$base/munge"  # clients (sbatch, the daemons) reach the socket

  ctld_port=$(free_port)
  slurmd_port=$(free_port)
  cpus=$(nproc)
  memory=$(awk '/MemTotal/ { printf "%d", $2 / 1024 / 2 }' /proc/meminfo)
  cat > "$base/slurm.conf" <<EOF
ClusterName=typetune-test
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=$user
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$base/munge/munge.socket
CredType=cred/munge
StateSaveLocation=$base/ctld
SlurmdSpoolDir=$base/spool
SlurmctldPidFile=$base/slurmctld.pid
SlurmdPidFile=$base/slurmd.pid
SlurmctldLogFile=$base/log/slurmctld.log
SlurmdLogFile=$base/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MpiDefault=none
KillWait=5
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$memory State=UNKNOWN
PartitionName=test Nodes=localhost Default=YES MaxTime=INFINITE State=UP OverSubscribe=FORCE:4
EOF
  if [ "$(id -u)" -ne 0 ]; then
    sed -i 's/^SlurmdUser=root/SlurmdUser='"$user"'/' "$base/slurm.conf"
  fi
  export SLURM_CONF="$base/slurm.conf"
  slurmctld -c -i -f "$SLURM_CONF"
  slurmd -N localhost -f "$SLURM_CONF"
  echo "$SLURM_CONF" > "$state/slurm.conf"
  for _ in $(seq 1 60); do
    if sinfo -h -N -o '%T' 2>/dev/null | grep -Eq '^(idle|mixed|allocated)'; then
      echo "slurm-test-cluster: up (controller 127.0.0.1:$ctld_port, $cpus CPUs); SLURM_CONF=$SLURM_CONF"
      return
    fi
    sleep 0.5
  done
  echo "slurm-test-cluster: the node did not come up; logs follow" >&2
  cat "$base/log/slurmctld.log" "$base/log/slurmd.log" "$base/munge/munged.log" >&2 || true
  stop
  exit 1
}

stop() {
  local base
  [ -f "$state/base" ] || { echo "slurm-test-cluster: nothing started in $state"; return 0; }
  base=$(cat "$state/base")
  for pidfile in "$base/slurmd.pid" "$base/slurmctld.pid" "$base/munge/munged.pid"; do
    if [ -f "$pidfile" ]; then
      kill "$(cat "$pidfile")" 2>/dev/null || true
    fi
  done
  for pidfile in "$base/slurmd.pid" "$base/slurmctld.pid" "$base/munge/munged.pid"; do
    for _ in $(seq 1 50); do
      [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null || break
      sleep 0.1
    done
  done
  rm -rf "$base"
  rm -f "$state/base" "$state/slurm.conf"
  echo "slurm-test-cluster: stopped"
}

case "$action" in
  start) start ;;
  stop) stop ;;
  *) usage ;;
esac
