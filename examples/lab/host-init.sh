#!/bin/bash
# host-init.sh HOSTDIR NODE — becomes PID 1 of one lab host.
# lab.sh starts it as: nsenter --net=/run/netns/gflab-NODE unshare --mount --uts --ipc --pid --fork
# --propagation private --kill-child host-init.sh ..., so it already runs in the host's network
# namespace and in fresh mount, UTS, IPC and PID namespaces (it is PID 1 there). It binds the host's
# own trees over the shared system, mounts a fresh /proc, records its PID as seen from the root
# namespace, then execs tini (reaps orphans, e.g. daemonized sshd and mariadbd) over `sleep infinity`.
set -euo pipefail
H=$1
NODE=$2

# Our PID in the root namespace: /proc is still the root namespace's proc here, and the builtin
# read opens /proc/self/status as this very process (no fork).
rootpid=
while read -r k v rest; do
	if [ "$k" = NSpid: ]; then rootpid=$v; break; fi
done </proc/self/status
[ -n "$rootpid" ] || { echo "host-init: cannot read NSpid" >&2; exit 1; }

mount --make-rprivate /
# The host's tree may live under a path this script mounts over (a clone
# of the repo in /tmp or /root): reach it through /mnt, which nothing else
# here covers, so every bind below still finds its source.
mount --bind "$H" /mnt
H=/mnt
bind() { mount --bind "$H/$1" "$2"; }
bind etc-mysql /etc/mysql
bind etc-ssh /etc/ssh
bind etc-sudoers.d /etc/sudoers.d
bind etc-hosts /etc/hosts
bind etc-hostname /etc/hostname
bind var-lib-mysql /var/lib/mysql
bind var-log /var/log
bind run /run
bind tmp /tmp
bind root /root
bind home /home
bind usr-local-sbin /usr/local/sbin
mount -t proc -o nosuid,nodev,noexec proc /proc
# Nice to have: this host's own /sys view of its network and a private /dev/shm.
mount -t sysfs -o ro sysfs /sys 2>/dev/null || true
mount -t tmpfs -o mode=1777,size=64m shm /dev/shm 2>/dev/null || true
hostname "$NODE"

# Ready: lab.sh waits for this file (PID and its start time, to tell a reused PID apart).
starttime=$(sed -E 's/^.*\) //' "/proc/1/stat" | awk '{print $20}')
printf '%s %s\n' "$rootpid" "$starttime" >"$H/init.pid.tmp"
mv "$H/init.pid.tmp" "$H/init.pid"
cd /
exec tini -- sleep infinity
