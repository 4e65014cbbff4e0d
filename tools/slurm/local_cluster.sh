#!/usr/bin/env bash
# A private one-node Slurm cluster on this machine, for tests and for trying job scripts:
#
#   tools/slurm/local_cluster.sh start STATE_DIR   # munged + slurmctld + slurmd, waits for idle
#   eval "$(tools/slurm/local_cluster.sh env STATE_DIR)"   # SLURM_CONF for sinfo/srun/sbatch
#   tools/slurm/local_cluster.sh stop STATE_DIR    # stops exactly the daemons `start` started
#
# Everything (config, munge key, state, spool, logs, pid files) lives in STATE_DIR; the ports are
# picked free at start, so several clusters (parallel tests) run side by side. The daemons run as
# the calling user (root or not). Needs the packages slurmctld, slurmd, slurm-client and munge
# (tools/setup.sh installs them).
set -euo pipefail
# The daemons are in sbin, which Bazel's test PATH lacks.
PATH=$PATH:/usr/sbin:/sbin

die() {
  echo "local_cluster: error: $*" >&2
  exit 1
}

usage() {
  die "usage: local_cluster.sh start|stop|env STATE_DIR"
}

if [ $# -ne 2 ] || [ -z "$2" ]; then usage; fi
command=$1
state=$2
if [ "$command" = start ]; then mkdir -p "$state"; fi
if [ -d "$state" ]; then state=$(cd "$state" && pwd); fi

# Stops the daemon whose pid file is $1 (if it still runs): SIGTERM, up to 10 s, then SIGKILL.
stop_daemon() {
  local pid_file=$1 pid
  [ -f "$pid_file" ] || return 0
  pid=$(cat "$pid_file")
  if [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null; then
    for _ in $(seq 100); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$pid_file"
}

# Two TCP ports of 127.0.0.1 that were free a moment ago.
free_ports() {
  python3 - <<'EOF'
import socket
sockets = [socket.socket() for _ in range(2)]
for s in sockets:
    s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in sockets))
EOF
}

start() {
  local missing=()
  for tool in munged munge slurmctld slurmd sinfo srun sbatch scontrol python3; do
    command -v "$tool" >/dev/null || missing+=("$tool")
  done
  [ ${#missing[@]} -eq 0 ] ||
    die "${missing[*]} not found: run tools/setup.sh (packages slurmctld slurmd slurm-client munge)"
  for pid_file in munged.pid slurmctld.pid slurmd.pid; do
    if [ -f "$state/$pid_file" ] && kill -0 "$(cat "$state/$pid_file")" 2>/dev/null; then
      die "a cluster already runs in $state ($pid_file); stop it first"
    fi
  done

  chmod 700 "$state"
  remove_sockets
  rm -rf "$state/ctld" "$state/sockets" "$state"/*.log
  # Unix socket paths have at most 107 bytes: under a long STATE_DIR (Bazel's TEST_TMPDIR) the
  # munge socket and slurmd's spool (step sockets) go to a short folder that STATE_DIR/sockets
  # links to.
  local sockets=$state/sockets
  if [ ${#state} -gt 40 ]; then
    sockets=$(mktemp -d /tmp/trm-slurm.XXXXXX)
    ln -s "$sockets" "$state/sockets"
  fi
  mkdir -p "$state/ctld" "$sockets/spool"

  # munged refuses group-writable folders on the way to its files (a umask-002 home, say):
  # --force makes those warnings, acceptable for a private daemon whose files are ours (0700).
  head -c 1024 /dev/urandom >"$state/munge.key"
  chmod 600 "$state/munge.key"
  munged --force --socket="$sockets/munge.socket" --key-file="$state/munge.key" \
    --pid-file="$state/munged.pid" --log-file="$state/munged.log" \
    --seed-file="$state/munged.seed" ||
    die_stopped "munged did not start; see $state/munged.log"

  local user host cpus memory_mb ctld_port slurmd_port
  user=$(id -un)
  host=$(hostname -s)
  cpus=$(env -u OMP_NUM_THREADS -u OMP_THREAD_LIMIT nproc)  # nproc obeys them
  # Memory is not a scheduled resource here (CR_Core); half of it keeps slurmd from draining
  # the node for having less than configured.
  memory_mb=$(awk '/^MemTotal:/ { printf "%d", $2 / 2048 }' /proc/meminfo)
  read -r ctld_port slurmd_port < <(free_ports)
  cat >"$state/slurm.conf" <<EOF
# Written by tools/slurm/local_cluster.sh: a one-node cluster private to $state.
ClusterName=trmlocal
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=$user
SlurmdUser=$user
AuthType=auth/munge
# cred_expire is also how long a requeued job waits before it may start again (default 120 s).
AuthInfo=socket=$sockets/munge.socket,cred_expire=10
CredType=cred/munge
StateSaveLocation=$state/ctld
SlurmdSpoolDir=$sockets/spool
SlurmctldPidFile=$state/slurmctld.pid
SlurmdPidFile=$state/slurmd.pid
SlurmctldLogFile=$state/slurmctld.log
SlurmdLogFile=$state/slurmd.log
PlugStackConfig=$state/plugstack.conf
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
# Schedule pending and requeued jobs within a second (defaults: 60 s and 30 s).
SchedulerParameters=sched_interval=1,bf_interval=1
MailProg=/bin/true
# The node is described by its CPU count alone: do not hold it against the real sockets and cores.
SlurmdParameters=config_overrides
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
MpiDefault=none
JobRequeue=1
ReturnToService=2
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$memory_mb State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
  : >"$state/plugstack.conf"  # no SPANK plugins of the host's /etc/slurm

  slurmctld -f "$state/slurm.conf" >>"$state/slurmctld.log" 2>&1 ||
    die_stopped "slurmctld did not start; see $state/slurmctld.log"
  slurmd -f "$state/slurm.conf" -N "$host" >>"$state/slurmd.log" 2>&1 ||
    die_stopped "slurmd did not start; see $state/slurmd.log"

  local deadline=$((SECONDS + 30))
  while [ $SECONDS -lt $deadline ]; do
    if [ "$(SLURM_CONF="$state/slurm.conf" sinfo -h -n "$host" -o %t 2>/dev/null)" = "idle" ]; then
      return 0
    fi
    sleep 0.2
  done
  die_stopped "the node did not come up idle within 30 s;" \
    "see $state/slurmd.log and $state/slurmctld.log"
}

# The short socket folder of a long STATE_DIR.
remove_sockets() {
  if [ -L "$state/sockets" ]; then
    rm -rf "$(readlink "$state/sockets")"
    rm -f "$state/sockets"
  fi
}

# A failed start leaves no daemon behind, only its logs.
die_stopped() {
  stop
  die "$@"
}

stop() {
  [ -d "$state" ] || return 0
  # Jobs still running would outlive slurmd (their slurmstepd and tasks are not its children).
  if [ -f "$state/slurmctld.pid" ] && kill -0 "$(cat "$state/slurmctld.pid")" 2>/dev/null; then
    export SLURM_CONF=$state/slurm.conf
    scancel --user="$(id -un)" 2>/dev/null || true
    for _ in $(seq 100); do
      [ -z "$(squeue -h 2>/dev/null)" ] && break
      sleep 0.1
    done
  fi
  stop_daemon "$state/slurmd.pid"
  stop_daemon "$state/slurmctld.pid"
  stop_daemon "$state/munged.pid"
  remove_sockets
}

case "$command" in
  start) start ;;
  stop) stop ;;
  env)
    [ -f "$state/slurm.conf" ] || die "no cluster in $state (start it with: local_cluster.sh start)"
    echo "export SLURM_CONF=$state/slurm.conf"
    ;;
  *) usage ;;
esac
