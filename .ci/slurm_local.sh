#!/usr/bin/env bash
# A single-node Slurm on this machine, for the sweeps chapter's real-scheduler test.
#   .ci/slurm_local.sh start   # munged, slurmctld, slurmd; waits until `sinfo` shows the node idle (idempotent)
#   .ci/slurm_local.sh stop    # stops the three daemons this script started (by their pid files)
#   .ci/slurm_local.sh status
# Needs root and Debian's slurmctld, slurmd, slurm-client and munge packages. Writes /etc/slurm/slurm.conf only
# when it is missing or was written by this script (first line below), so a real cluster's config is never replaced.
set -euo pipefail
MARK='# written by hba_perturb .ci/slurm_local.sh'
CONF=/etc/slurm/slurm.conf
RUN=/run/hba_slurm
host=$(hostname -s)

die() { echo "slurm_local: $*" >&2; exit 1; }
alive() { [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

write_conf() {
  if [ -e "$CONF" ] && ! head -1 "$CONF" | grep -qF "$MARK"; then
    echo "slurm_local: $CONF exists and was not written by this script: using it as it is"; return
  fi
  mkdir -p /etc/slurm
  cat > "$CONF" <<EOF
$MARK
ClusterName=hbatest
SlurmctldHost=$host
AuthType=auth/munge
SlurmUser=root
SlurmctldPort=6817
SlurmdPort=6818
SlurmctldPidFile=$RUN/slurmctld.pid
SlurmdPidFile=$RUN/slurmd.pid
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
SchedulerParameters=bf_interval=1,sched_min_interval=100000
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
MpiDefault=none
ReturnToService=2
MinJobAge=60
KillWait=5
InactiveLimit=0
SlurmdTimeout=60
NodeName=$host CPUs=$(nproc) RealMemory=1024 State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
}

start() {
  [ "$(id -u)" = 0 ] || die "must run as root"
  command -v slurmctld >/dev/null && command -v munged >/dev/null || \
    die "install the packages first: apt-get install -y slurmctld slurmd slurm-client munge"
  mkdir -p "$RUN" /var/spool/slurmctld /var/spool/slurmd /var/log/slurm /run/munge /var/lib/munge /var/log/munge /etc/munge
  chown munge:munge /run/munge /var/lib/munge /var/log/munge /etc/munge
  if [ ! -s /etc/munge/munge.key ]; then
    dd if=/dev/urandom bs=1 count=1024 of=/etc/munge/munge.key 2>/dev/null
  fi
  chown munge:munge /etc/munge/munge.key; chmod 400 /etc/munge/munge.key
  write_conf
  if ! alive /run/munge/munged.pid; then
    runuser -u munge -- /usr/sbin/munged --pid-file=/run/munge/munged.pid
  fi
  alive "$RUN/slurmctld.pid" || /usr/sbin/slurmctld
  alive "$RUN/slurmd.pid" || /usr/sbin/slurmd
  for _ in $(seq 60); do
    state=$(sinfo -h -n "$host" -o %T 2>/dev/null | head -1 || true)
    case "$state" in
      idle*|mixed*|allocated*) echo "slurm_local: node $host $state ($(nproc) CPUs, partition debug)"; return 0;;
      down*|drain*) scontrol update nodename="$host" state=resume 2>/dev/null || true;;
    esac
    sleep 1
  done
  tail -5 /var/log/slurm/slurmctld.log /var/log/slurm/slurmd.log >&2 || true
  die "the node did not become idle in 60 s (state: ${state:-no answer})"
}

stop_one() {  # pid file, name
  if alive "$1"; then
    local pid; pid=$(cat "$1"); kill "$pid"
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
    echo "slurm_local: stopped $2 ($pid)"
  fi
  rm -f "$1"
}

stop() {
  stop_one "$RUN/slurmd.pid" slurmd
  stop_one "$RUN/slurmctld.pid" slurmctld
  stop_one /run/munge/munged.pid munged
}

status() {
  for d in "$RUN/slurmctld.pid" "$RUN/slurmd.pid" /run/munge/munged.pid; do
    if alive "$d"; then echo "$(basename "$d" .pid) running ($(cat "$d"))"; else echo "$(basename "$d" .pid) stopped"; fi
  done
  sinfo 2>/dev/null || true
}

case "${1:-}" in
  start) start;;
  stop) stop;;
  status) status;;
  *) die "usage: $0 start|stop|status";;
esac
