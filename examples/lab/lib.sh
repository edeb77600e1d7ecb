# shellcheck shell=bash
# Functions for lab.sh. Sourced, never run on its own.

# ---------------------------------------------------------------- settings
LAB_BRIDGE=gflab0
LAB_NET=10.231.7
LAB_BRIDGE_IP=$LAB_NET.1
LAB_NS_PREFIX=gflab-          # namespaces and root-side veths: gflab-n1, gflab-n2, ...
LAB_MAX_NODES=40
LAB_PACKAGES=(mariadb-server mariadb-client mariadb-backup galera-4 socat rsync openssh-server
	openssh-client sudo openssl iproute2 tini procps util-linux)
# Bounds for every wait (seconds). Override from the environment for slow machines.
: "${LAB_JOIN_TIMEOUT:=120}"     # one node from `start` to Synced (tiny data: 5-15 s)
: "${LAB_STOP_TIMEOUT:=120}"     # one node's clean stop
: "${LAB_HOST_TIMEOUT:=20}"      # a host's init and sshd coming up / going away
: "${LAB_LOCK_TIMEOUT:=900}"     # waiting for another lab.sh holding the lock
LAB_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

# ---------------------------------------------------------------- output
T0=$(date +%s%N)
log() { printf '[lab %6ss] %s\n' "$(elapsed)" "$*" >&2; }
die() {
	printf 'lab: ERROR: %s\n' "$*" >&2
	exit 1
}
elapsed() { awk -v a="$T0" -v b="$(date +%s%N)" 'BEGIN { printf "%.1f", (b - a) / 1e9 }'; }
need_root() { [ "$(id -u)" = 0 ] || die "run as root"; }

usage() {
	cat <<'EOF'
usage: bash examples/lab/lab.sh COMMAND
  install                     install the Debian packages the lab needs (only missing ones)
  up [N] [--fresh]            make N hosts (default 3) and a Synced Galera cluster; no-op when healthy
  down                        stop everything the lab started (by PID), remove namespaces and bridge
  clean                       down, then delete state/ (keys and certificates too) and the lab users
  status                      one line per host
  exec NODE CMD...            run CMD inside host NODE (all of its namespaces), as root
  sql NODE 'SQL'              run SQL on NODE as root over the local socket (mariadb -N -B)
  kill-mysqld NODE...         SIGKILL the node's mariadbd
  stop-sshd NODE | start-sshd NODE
  service NODE start|stop|bootstrap|status   the host's service command (lab-mysql)
  selftest                    up, then check cluster, ssh logins, sudo and the service shim
EOF
}

# The lab's namespaces, bridge and addresses belong to the whole machine, so its lock does too:
# two checkouts (a CI clone beside a working tree) must not build labs at the same time.
: "${LAB_LOCK_FILE:=/run/lock/galeraflow-lab.lock}"

# with_lock FN ARGS...: run FN holding $LAB_LOCK_FILE. The lock is held by a flock(1) process that
# re-runs this script with the descriptor closed (-o), so daemons started by the lab never inherit
# it (an inherited descriptor would keep the lock held for the lab's whole life).
with_lock() {
	# Already the child of our flock(1)? Then run (and do not pass the marker on).
	if [ "${GFLAB_LOCKED:-}" = 1 ] && [ "$(cat "/proc/$PPID/comm" 2>/dev/null)" = flock ]; then
		unset GFLAB_LOCKED
		"$@"
		return
	fi
	unset GFLAB_LOCKED
	mkdir -p "$STATE" "$(dirname "$LAB_LOCK_FILE")"
	local rc=0
	if ! flock -n "$LAB_LOCK_FILE" true; then
		log "another lab.sh holds $LAB_LOCK_FILE; waiting up to ${LAB_LOCK_TIMEOUT}s"
	fi
	GFLAB_LOCKED=1 flock -o -w "$LAB_LOCK_TIMEOUT" -E 75 "$LAB_LOCK_FILE" \
		bash "$LAB_DIR/lab.sh" "${LAB_ARGS[@]}" || rc=$?
	[ $rc = 75 ] && die "timed out after ${LAB_LOCK_TIMEOUT}s waiting for $LAB_LOCK_FILE (another lab.sh is running)"
	exit $rc
}

# ---------------------------------------------------------------- processes
# proc_alive PID: the process exists and is not a zombie (a zombie still answers kill -0).
proc_alive() {
	local pid=$1 st
	[ -n "$pid" ] && [ -r "/proc/$pid/stat" ] || return 1
	st=$(sed -E 's/^.*\) (.).*/\1/' "/proc/$pid/stat" 2>/dev/null) || return 1
	[ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]
}
proc_starttime() { sed -E 's/^.*\) //' "/proc/$1/stat" 2>/dev/null | awk '{print $20}'; }

# wait_gone TIMEOUT PID...: true when all are gone within TIMEOUT seconds.
wait_gone() {
	local timeout=$1 end p left
	shift
	end=$(($(date +%s) + timeout))
	while :; do
		left=0
		for p in "$@"; do proc_alive "$p" && left=1; done
		[ $left = 0 ] && return 0
		[ "$(date +%s)" -ge $end ] && return 1
		sleep 0.1
	done
}

# root_ns_daemons EXE: PIDs running EXE in this (the root) PID and network namespace.
root_ns_daemons() {
	local exe=$1 myp myn p
	myp=$(readlink /proc/self/ns/pid)
	myn=$(readlink /proc/self/ns/net)
	for p in /proc/[0-9]*; do
		[ "$(readlink "$p/exe" 2>/dev/null)" = "$exe" ] || continue
		[ "$(readlink "$p/ns/pid" 2>/dev/null)" = "$myp" ] || continue
		[ "$(readlink "$p/ns/net" 2>/dev/null)" = "$myn" ] || continue
		echo "${p#/proc/}"
	done
}

# ---------------------------------------------------------------- install
missing_packages() {
	local p st
	for p in "${LAB_PACKAGES[@]}"; do
		st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
		[ "$st" = installed ] || echo "$p"
	done
}

# stop_install_daemons " PIDS BEFORE ": stop a service the install started in the root namespace,
# by PID. Only the packages' own services count: a new process that the service's PID file names.
# Other mariadbd/sshd processes on this machine (someone's test server) are none of our business.
stop_install_daemons() {
	local before=$1 p pidfile parent
	for pidfile in /run/mysqld/mysqld.pid /run/sshd.pid; do
		p=$(cat "$pidfile" 2>/dev/null || true)
		if ! [[ $p =~ ^[0-9]+$ ]] || ! proc_alive "$p"; then continue; fi
		case "$before" in *" $p "*) continue ;; esac
		case " $(root_ns_daemons /usr/sbin/mariadbd | tr '\n' ' ') $(root_ns_daemons /usr/sbin/sshd | tr '\n' ' ') " in
		*" $p "*) ;;
		*) continue ;;
		esac
		log "packages: stopping pid $p ($(cat "/proc/$p/comm" 2>/dev/null), $pidfile) started by the install"
		parent=$(sed -E 's/^.*\) //' "/proc/$p/stat" 2>/dev/null | awk '{print $2}' || true)
		# mysqld_safe would restart its child: stop the watcher first.
		[ "$(cat "/proc/$parent/comm" 2>/dev/null)" = mysqld_safe ] && kill -TERM "$parent" 2>/dev/null
		kill -TERM "$p" 2>/dev/null || true
		wait_gone 30 "$p" || kill -KILL "$p" 2>/dev/null || true
	done
}

cmd_install() {
	local missing
	mapfile -t missing < <(missing_packages)
	if [ ${#missing[@]} = 0 ]; then
		log "packages: all present"
		return 0
	fi
	log "packages: installing ${missing[*]}"
	local own_policy=0 before_m before_s
	# Without a policy-rc.d the maintainer scripts start a mariadbd in the root namespace whose
	# stop path kills by name (it would hit the lab's servers). Keep an existing one untouched.
	# (A file with our marker is ours too: left behind by an install that was killed.)
	if grep -q galeraflow-lab /usr/sbin/policy-rc.d 2>/dev/null; then
		own_policy=1
	elif [ ! -e /usr/sbin/policy-rc.d ]; then
		printf '#!/bin/sh\n# galeraflow-lab: no service starts during install\nexit 101\n' >/usr/sbin/policy-rc.d
		chmod 0755 /usr/sbin/policy-rc.d
		own_policy=1
	fi
	before_m=" $(root_ns_daemons /usr/sbin/mariadbd | tr '\n' ' ') "
	before_s=" $(root_ns_daemons /usr/sbin/sshd | tr '\n' ' ') "
	[ $own_policy = 1 ] && trap 'grep -q galeraflow-lab /usr/sbin/policy-rc.d 2>/dev/null && rm -f /usr/sbin/policy-rc.d' EXIT
	local apt=(apt-get -y -q --no-install-recommends -o DPkg::Lock::Timeout=300
		-o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold install)
	local rc=0
	DEBIAN_FRONTEND=noninteractive "${apt[@]}" "${missing[@]}" >"$STATE/install.log" 2>&1 || rc=$?
	if [ $rc != 0 ]; then
		log "packages: install failed (rc=$rc), running apt-get update and retrying"
		# An install killed half way (a killed session) leaves dpkg needing this first.
		if grep -q 'dpkg --configure -a' "$STATE/install.log"; then
			DEBIAN_FRONTEND=noninteractive dpkg --configure -a >>"$STATE/install.log" 2>&1 || true
		fi
		DEBIAN_FRONTEND=noninteractive apt-get -q -o DPkg::Lock::Timeout=300 update >>"$STATE/install.log" 2>&1 || true
		rc=0
		DEBIAN_FRONTEND=noninteractive "${apt[@]}" "${missing[@]}" >>"$STATE/install.log" 2>&1 || rc=$?
	fi
	if [ $own_policy = 1 ] && grep -q galeraflow-lab /usr/sbin/policy-rc.d 2>/dev/null; then
		rm -f /usr/sbin/policy-rc.d
	fi
	stop_install_daemons "$before_m$before_s"
	if [ $rc != 0 ]; then
		tail -n 30 "$STATE/install.log" >&2
		die "apt-get install failed (full log: $STATE/install.log)"
	fi
	mapfile -t missing < <(missing_packages)
	[ ${#missing[@]} = 0 ] || die "still missing after install: ${missing[*]} (see $STATE/install.log)"
	log "packages: done"
}

# ---------------------------------------------------------------- naming
node_ip() { echo "$LAB_NET.$((10 + ${1#n}))"; }
host_dir() { echo "$STATE/hosts/$1"; }
ns_name() { echo "$LAB_NS_PREFIX$1"; }
state_nodes() { cat "$STATE/nodes" 2>/dev/null || true; }

# check_node NODE: NODE is n1..nN of the lab as built.
check_node() {
	local n=${1:-} max
	[[ $n =~ ^n[1-9][0-9]*$ ]] || die "bad node name '${n}' (want n1, n2, ...)"
	max=$(state_nodes)
	[ -n "$max" ] || die "the lab is not up (run: bash examples/lab/lab.sh up)"
	[ "${n#n}" -le "$max" ] || die "no node $n in this lab (it has n1..n$max)"
}

# ---------------------------------------------------------------- host processes
# host_init_pid NODE: root-namespace PID of the host's init (tini), if it is alive and is the
# very process recorded (same start time), else fail.
host_init_pid() {
	local f pid start
	f=$(host_dir "$1")/init.pid
	[ -r "$f" ] && read -r pid start <"$f" || return 1
	proc_alive "$pid" || return 1
	[ "$(proc_starttime "$pid")" = "$start" ] || return 1
	echo "$pid"
}

# hexec NODE CMD...: run CMD as root inside the host (all of its namespaces), clean environment.
hexec() {
	local node=$1 pid
	shift
	pid=$(host_init_pid "$node") || die "host $node is not running (try: bash examples/lab/lab.sh up)"
	nsenter -t "$pid" -m -u -i -n -p -w \
		env -i PATH="$LAB_PATH" HOME=/root USER=root LOGNAME=root SHELL=/bin/bash LANG=C.UTF-8 \
		TERM="${TERM:-dumb}" "$@"
}

# hsql NODE SQL: run SQL as root over the node's local socket.
hsql() { hexec "$1" timeout 20 mariadb -N -B -e "$2"; }

# wsrep NODE: "state size status" (e.g. "Synced 3 Primary"), or "down" when the server does not answer.
wsrep() {
	local out
	out=$(hsql "$1" "SHOW GLOBAL STATUS WHERE Variable_name IN ('wsrep_local_state_comment','wsrep_cluster_size','wsrep_cluster_status')" 2>/dev/null) || {
		echo down
		return 0
	}
	awk '{v[$1]=$2} END {printf "%s %s %s\n", (v["wsrep_local_state_comment"]!=""?v["wsrep_local_state_comment"]:"?"), (v["wsrep_cluster_size"]!=""?v["wsrep_cluster_size"]:"?"), (v["wsrep_cluster_status"]!=""?v["wsrep_cluster_status"]:"?")}' <<<"$out"
}

sshd_alive() { hexec "$1" sh -c 'p=$(cat /run/sshd.pid 2>/dev/null) && [ "$(cat /proc/$p/comm 2>/dev/null)" = sshd ] && echo "$p"' 2>/dev/null; }

# log_tail NODE: the end of the node's logs, for error messages.
log_tail() {
	local H
	H=$(host_dir "$1")
	for f in var-log/mysql/error.log var-log/lab-mysql.log var-log/mysql/mariadbd.out; do
		[ -s "$H/$f" ] || continue
		printf -- '--- %s: /var/log/%s (last 25 lines; full file: %s) ---\n' "$1" "${f#var-log/}" "$H/$f" >&2
		tail -n 25 "$H/$f" >&2
	done
}

# ---------------------------------------------------------------- teardown
# lab_leftovers: true when anything of a lab exists (processes, namespaces, links).
lab_leftovers() {
	local d
	for d in "$STATE"/hosts/*/; do
		[ -e "$d/init.pid" ] && return 0
	done
	ip netns list 2>/dev/null | grep -q "^$LAB_NS_PREFIX" && return 0
	ip link show "$LAB_BRIDGE" >/dev/null 2>&1 && return 0
	ip -o link show 2>/dev/null | grep -q ": $LAB_NS_PREFIX" && return 0
	grep -q " $STATE/" /proc/self/mountinfo && return 0
	return 1
}

# stop_host NODE: stop the host's mariadbd cleanly, then its init (the kernel kills the rest of
# its PID namespace), then anything left in its network namespace. All by PID.
stop_host() {
	local node=$1 pid ns p left
	ns=$(ns_name "$node")
	if pid=$(host_init_pid "$node"); then
		# The init's parent is the unshare(1) that waits for it: wait for that one too.
		local parent
		parent=$(sed -E 's/^.*\) //' "/proc/$pid/stat" 2>/dev/null | awk '{print $2}' || true)
		[ "$(cat "/proc/$parent/comm" 2>/dev/null)" = unshare ] || parent=""
		hexec "$node" env LAB_STOP_TIMEOUT="$LAB_STOP_TIMEOUT" lab-mysql stop >/dev/null 2>&1 ||
			log "$node: clean stop of mariadbd failed; killing the host"
		kill -TERM "$pid" 2>/dev/null || true
		if ! wait_gone "$LAB_HOST_TIMEOUT" "$pid"; then
			log "$node: init $pid ignored SIGTERM for ${LAB_HOST_TIMEOUT}s; SIGKILL"
			kill -KILL "$pid" 2>/dev/null || true
			wait_gone "$LAB_HOST_TIMEOUT" "$pid" || die "$node: init $pid does not go away"
		fi
		if [ -n "$parent" ] && ! wait_gone "$LAB_HOST_TIMEOUT" "$parent"; then
			kill -KILL "$parent" 2>/dev/null || true
			wait_gone 5 "$parent" || die "$node: unshare $parent does not go away"
		fi
	fi
	# Stragglers: processes that entered only the network namespace (ip netns exec shells...).
	if [ -e "/run/netns/$ns" ]; then
		left=$(ip netns pids "$ns" 2>/dev/null | tr '\n' ' ' || true)
		if [ -n "${left// /}" ]; then
			for p in $left; do kill -TERM "$p" 2>/dev/null || true; done
			# shellcheck disable=SC2086
			wait_gone 5 $left || for p in $left; do kill -KILL "$p" 2>/dev/null || true; done
			# shellcheck disable=SC2086
			wait_gone 5 $left || die "$node: processes $left in $ns do not go away"
		fi
	fi
	rm -f "$(host_dir "$node")/init.pid"
}

teardown() {
	local nodes=() d n ns l m
	for d in "$STATE"/hosts/*/; do
		[ -d "$d" ] && nodes+=("$(basename "$d")")
	done
	for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep "^$LAB_NS_PREFIX" || true); do
		n=${ns#"$LAB_NS_PREFIX"}
		[[ " ${nodes[*]} " == *" $n "* ]] || nodes+=("$n")
	done
	# Servers first, one at a time, highest node first: a node that leaves a healthy cluster
	# goes in a second, while simultaneous leaves wait on Galera's timeouts. It also leaves
	# grastate.dat as a normal shutdown does (the last one stopped is safe_to_bootstrap).
	local sorted
	sorted=$(printf '%s\n' "${nodes[@]}" | sort -t n -k 2 -n -r)
	for n in $sorted; do
		host_init_pid "$n" >/dev/null || continue
		hexec "$n" env LAB_STOP_TIMEOUT="$LAB_STOP_TIMEOUT" lab-mysql stop >/dev/null 2>&1 ||
			log "$n: clean stop of mariadbd failed; its host will be killed"
	done
	# Then the hosts, in parallel: each stop is bounded on its own.
	local pids=()
	for n in "${nodes[@]}"; do
		stop_host "$n" &
		pids+=($!)
	done
	local rc=0
	for p in "${pids[@]}"; do wait "$p" || rc=1; done
	[ $rc = 0 ] || die "could not stop every host (see above)"
	# Mounts of ours in this namespace (none normally: the hosts' mounts die with their mount
	# namespaces), deepest first.
	for m in $(awk -v s="$STATE/" 'index($5, s) == 1 {print $5}' /proc/self/mountinfo | sort -r); do
		umount -l "$m" 2>/dev/null || true
	done
	for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep "^$LAB_NS_PREFIX" || true); do
		ip netns del "$ns" 2>/dev/null || true
	done
	for l in $(ip -o link show 2>/dev/null | awk -F': ' '{print $2}' | cut -d@ -f1 | grep "^$LAB_NS_PREFIX" || true); do
		ip link del "$l" 2>/dev/null || true
	done
	ip link del "$LAB_BRIDGE" 2>/dev/null || true
	rm -f "$STATE/nodes"
}

cmd_down() {
	if ! lab_leftovers; then
		log "nothing to stop: no lab processes, namespaces or bridge"
		rm -f "$STATE/nodes"
		return 0
	fi
	log "stopping the lab"
	teardown
	lab_leftovers && die "leftovers remain after down: $(ip netns list | grep "^$LAB_NS_PREFIX" | tr '\n' ' ') $(ip -br link | grep -E "^($LAB_BRIDGE|$LAB_NS_PREFIX)" | tr '\n' ' ')"
	log "lab is down (host trees kept in $STATE/hosts for inspection)"
}

cmd_clean() {
	cmd_down
	# Everything but the lock file we hold.
	find "${STATE:?}" -mindepth 1 -maxdepth 1 ! -name lab.lock -exec rm -rf --one-file-system {} +
	local u
	for u in deploy ops; do
		if getent passwd "$u" | grep -q 'galeraflow lab'; then userdel "$u" 2>/dev/null || true; fi
	done
	log "state removed (packages stay installed)"
}

# ---------------------------------------------------------------- secrets, keys, certificates
gen_password() { openssl rand -base64 24 | tr -dc 'A-Za-z0-9' | head -c 20; }

# ensure_secret FILE: a generated password, kept once made.
ensure_secret() {
	[ -s "$1" ] && return 0
	(umask 077 && gen_password >"$1.tmp" && echo >>"$1.tmp" && mv "$1.tmp" "$1")
}

ensure_ssh_keys() { # N
	local n=$1 k S=$STATE/ssh
	mkdir -p "$S/hostkeys" "$S/wrongkeys"
	chmod 0700 "$S"
	[ -s "$S/id_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -C 'galeraflow-lab client' -f "$S/id_ed25519"
	for k in $(seq "$n"); do
		[ -s "$S/hostkeys/n$k" ] || ssh-keygen -q -t ed25519 -N '' -C "n$k host key" -f "$S/hostkeys/n$k"
		[ -s "$S/wrongkeys/n$k" ] || ssh-keygen -q -t ed25519 -N '' -C "not n$k" -f "$S/wrongkeys/n$k"
	done
	# known_hosts: every host by name and by IP; wrong_known_hosts: same names, other keys.
	local kh="" wkh=""
	for k in $(seq "$n"); do
		kh+="n$k,$(node_ip "n$k") $(cut -d' ' -f1,2 "$S/hostkeys/n$k.pub")"$'\n'
		wkh+="n$k,$(node_ip "n$k") $(cut -d' ' -f1,2 "$S/wrongkeys/n$k.pub")"$'\n'
	done
	printf '%s' "$kh" >"$S/known_hosts"
	printf '%s' "$wkh" >"$S/wrong_known_hosts"
	chmod 0644 "$S/known_hosts" "$S/wrong_known_hosts"
	ensure_secret "$S/ops-sudo.pw"
	chmod 0600 "$S/ops-sudo.pw"
}

# issue_cert CA_PREFIX NAME CN EXT: key NAME-key.pem (PKCS#8) and NAME-cert.pem signed by CA_PREFIX.
issue_cert() {
	local ca=$1 name=$2 cn=$3 ext=$4 C=$STATE/certs
	openssl genpkey -quiet -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$C/$name-key.pem" 2>/dev/null ||
		openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$C/$name-key.pem"
	openssl req -new -key "$C/$name-key.pem" -subj "/O=galeraflow lab/CN=$cn" -out "$C/$name.csr"
	printf '%s\n' "$ext" >"$C/$name.ext"
	openssl x509 -req -in "$C/$name.csr" -CA "$C/$ca.pem" -CAkey "$C/$ca-key.pem" \
		-set_serial "0x$(openssl rand -hex 16 | sed 's/^./4/')" -days 825 -sha256 \
		-extfile "$C/$name.ext" -out "$C/$name-cert.pem" 2>/dev/null
	rm -f "$C/$name.csr" "$C/$name.ext"
	chmod 0600 "$C/$name-key.pem"
	chmod 0644 "$C/$name-cert.pem"
}

make_ca() { # PREFIX CN
	local C=$STATE/certs
	openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$C/$1-key.pem" 2>/dev/null
	openssl req -x509 -new -key "$C/$1-key.pem" -subj "/O=galeraflow lab/CN=$2" -days 825 -sha256 \
		-set_serial "0x$(openssl rand -hex 16 | sed 's/^./4/')" \
		-addext 'basicConstraints=critical,CA:TRUE' -addext 'keyUsage=critical,keyCertSign,cRLSign' \
		-addext 'subjectKeyIdentifier=hash' -out "$C/$1.pem"
	chmod 0600 "$C/$1-key.pem"
	chmod 0644 "$C/$1.pem"
}

node_ext() { # NODE
	printf '%s\n' 'basicConstraints=critical,CA:FALSE' 'keyUsage=critical,digitalSignature,keyEncipherment' \
		'extendedKeyUsage=serverAuth,clientAuth' 'subjectKeyIdentifier=hash' 'authorityKeyIdentifier=keyid' \
		"subjectAltName=DNS:$1,IP:$(node_ip "$1"),DNS:localhost,IP:127.0.0.1"
}

# cert_ok CERT CA: exists, verifies against CA, valid for 30 more days.
cert_ok() {
	[ -s "$1" ] && [ -s "$2" ] || return 1
	openssl x509 -in "$1" -noout -checkend $((30 * 86400)) >/dev/null 2>&1 || return 1
	openssl verify -CAfile "$2" "$1" >/dev/null 2>&1
}

ensure_certs() { # N
	local n=$1 k C=$STATE/certs
	mkdir -p "$C"
	if ! cert_ok "$C/ca.pem" "$C/ca.pem" || [ ! -s "$C/ca-key.pem" ]; then
		log "certs: new lab CA"
		rm -f "$C"/ca* "$C"/n[0-9]*-* "$C"/client-*
		make_ca ca "galeraflow lab CA"
	fi
	for k in $(seq "$n"); do
		cert_ok "$C/n$k-cert.pem" "$C/ca.pem" && [ -s "$C/n$k-key.pem" ] && continue
		issue_cert ca "n$k" "n$k" "$(node_ext "n$k")"
	done
	if ! cert_ok "$C/client-cert.pem" "$C/ca.pem" || [ ! -s "$C/client-key.pem" ]; then
		issue_cert ca client "galeraflow lab client" "$(printf '%s\n' 'basicConstraints=critical,CA:FALSE' \
			'keyUsage=critical,digitalSignature,keyEncipherment' 'extendedKeyUsage=clientAuth' \
			'subjectKeyIdentifier=hash' 'authorityKeyIdentifier=keyid')"
	fi
	if ! cert_ok "$C/foreign-ca.pem" "$C/foreign-ca.pem" || [ ! -s "$C/foreign-ca-key.pem" ]; then
		rm -f "$C"/foreign-*
		make_ca foreign-ca "galeraflow foreign CA"
	fi
	if ! cert_ok "$C/foreign-n1-cert.pem" "$C/foreign-ca.pem" || [ ! -s "$C/foreign-n1-key.pem" ]; then
		issue_cert foreign-ca foreign-n1 n1 "$(node_ext n1)"
	fi
	rm -f "$C"/*.srl
}

# ensure_users: deploy (sudo without password) and ops (sudo with password). Shared /etc/passwd:
# the hosts share it; their homes are per host. `*` (not `!`) so sshd/PAM accept key logins.
ensure_users() {
	local u pw hash salt cur
	for u in deploy ops; do
		if ! getent passwd "$u" >/dev/null; then
			useradd -M -d "/home/$u" -s /bin/bash -c 'galeraflow lab' "$u"
		fi
	done
	[ "$(getent shadow deploy | cut -d: -f2)" = '*' ] || usermod -p '*' deploy
	pw=$(head -n 1 "$STATE/ssh/ops-sudo.pw")
	cur=$(getent shadow ops | cut -d: -f2)
	salt=$(cut -d'$' -f3 <<<"$cur")
	hash=""
	[[ $cur == \$6\$* ]] && hash=$(openssl passwd -6 -salt "$salt" -stdin <<<"$pw")
	if [ "$hash" != "$cur" ]; then
		usermod -p "$(openssl passwd -6 -stdin <<<"$pw")" ops
	fi
}

# ---------------------------------------------------------------- host trees
# ensure_template_datadir: state/template/datadir, made by mariadb-install-db once per server
# version and settings; each host gets a copy (faster than one install-db per host).
ensure_template_datadir() {
	local T=$STATE/template want
	want="$(mariadbd --version 2>/dev/null) | innodb_buffer_pool_size=48M innodb_log_file_size=16M"
	if [ -d "$T/datadir" ] && [ "$(cat "$T/stamp" 2>/dev/null)" = "$want" ]; then
		return 0
	fi
	rm -rf --one-file-system "$T"
	mkdir -p "$T/tmp"
	chmod 0755 "$T"
	chmod 1777 "$T/tmp"
	printf '[mysqld]\ninnodb_buffer_pool_size=48M\ninnodb_log_file_size=16M\ntmpdir=%s\n' "$T/tmp" >"$T/install-db.cnf"
	chmod 0644 "$T/install-db.cnf"
	if ! mariadb-install-db --defaults-file="$T/install-db.cnf" --datadir="$T/datadir" --user=mysql \
		--skip-test-db --auth-root-authentication-method=socket >"$T/install-db.log" 2>&1; then
		tail -n 20 "$T/install-db.log" >&2
		die "mariadb-install-db failed (log: $T/install-db.log)"
	fi
	chown -R mysql:mysql "$T/datadir"
	rm -rf "$T/tmp"
	echo "$want" >"$T/stamp"
	log "template datadir made ($T/datadir)"
}

# build_host NODE N: a fresh tree for one host (everything that is bound over the shared system).
build_host() {
	local node=$1 n=$2 H k addrs="" ip
	H=$(host_dir "$node")
	ip=$(node_ip "$node")
	rm -rf --one-file-system "$H"
	mkdir -p "$H"
	for k in $(seq "$n"); do addrs+="${addrs:+,}$(node_ip "n$k")"; done

	# /etc/mysql: Debian's, symlink chain (my.cnf -> /etc/alternatives/my.cnf -> mariadb.cnf) intact.
	cp -a /etc/mysql "$H/etc-mysql"
	sed -e "s/@NODE@/$node/g" -e "s/@IP@/$ip/g" -e "s/@ADDRESSES@/$addrs/g" \
		"$TEMPLATES/60-galera.cnf" >"$H/etc-mysql/mariadb.conf.d/60-galera.cnf"
	install -m 0644 "$TEMPLATES/55-lab.cnf" "$H/etc-mysql/mariadb.conf.d/55-lab.cnf"
	chmod 0644 "$H/etc-mysql/mariadb.conf.d/60-galera.cnf"

	# /etc/ssh: Debian's config, this host's own key only.
	cp -a /etc/ssh "$H/etc-ssh"
	rm -f "$H"/etc-ssh/ssh_host_*
	install -m 0600 "$STATE/ssh/hostkeys/$node" "$H/etc-ssh/ssh_host_ed25519_key"
	install -m 0644 "$STATE/ssh/hostkeys/$node.pub" "$H/etc-ssh/ssh_host_ed25519_key.pub"
	install -m 0644 "$TEMPLATES/sshd-lab.conf" "$H/etc-ssh/sshd_config.d/00-lab.conf"

	mkdir -m 0755 "$H/etc-sudoers.d"
	[ -d /etc/sudoers.d ] && cp -a /etc/sudoers.d/. "$H/etc-sudoers.d/"
	printf '%s\n' '# galeraflow lab users' 'Defaults lecture=never' \
		'deploy ALL=(ALL:ALL) NOPASSWD: ALL' 'ops ALL=(ALL:ALL) ALL' >"$H/etc-sudoers.d/lab"
	chmod 0440 "$H/etc-sudoers.d/lab"

	{
		printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n'
		printf '%s\tcontroller\n' "$LAB_BRIDGE_IP"
		for k in $(seq "$n"); do printf '%s\tn%s\n' "$(node_ip "n$k")" "$k"; done
	} >"$H/etc-hosts"
	echo "$node" >"$H/etc-hostname"
	chmod 0644 "$H/etc-hosts" "$H/etc-hostname"

	# /var/lib/mysql: a copy of the template datadir (a fresh install-db result; no Galera state).
	cp -a "$STATE/template/datadir" "$H/var-lib-mysql"
	chown -R mysql:mysql "$H/var-lib-mysql"
	chmod 0755 "$H/var-lib-mysql"

	mkdir -p "$H/var-log/mysql"
	chown mysql:adm "$H/var-log/mysql"
	chmod 2750 "$H/var-log/mysql"
	chmod 0755 "$H/var-log"
	mkdir -p "$H/run/mysqld" "$H/run/sshd" "$H/run/lab-systemd" "$H/run/systemd/system" "$H/run/lock"
	chown mysql:root "$H/run/mysqld"
	chmod 0755 "$H/run" "$H/run/mysqld" "$H/run/sshd"
	chmod 1777 "$H/run/lock"
	mkdir -m 1777 "$H/tmp"
	chmod 1777 "$H/tmp"

	# Logins: the lab's client key for root, deploy and ops.
	mkdir -p "$H/root/.ssh" "$H/home"
	chmod 0700 "$H/root" "$H/root/.ssh"
	chmod 0755 "$H/home"
	install -m 0600 "$STATE/ssh/id_ed25519.pub" "$H/root/.ssh/authorized_keys"
	local u
	for u in deploy ops; do
		mkdir -p "$H/home/$u/.ssh"
		cp -a /etc/skel/. "$H/home/$u/" 2>/dev/null || true
		install -m 0600 "$STATE/ssh/id_ed25519.pub" "$H/home/$u/.ssh/authorized_keys"
		chmod 0700 "$H/home/$u/.ssh"
		chmod 0750 "$H/home/$u"
		chown -R "$u:$u" "$H/home/$u"
	done

	mkdir -p "$H/usr-local-sbin"
	chmod 0755 "$H/usr-local-sbin"
	for k in lab-mysql systemctl logger; do install -m 0755 "$TEMPLATES/$k" "$H/usr-local-sbin/$k"; done
}

# ---------------------------------------------------------------- network
net_up() { # N
	local n=$1 k node ns
	ip link add "$LAB_BRIDGE" type bridge
	ip addr add "$LAB_BRIDGE_IP/24" dev "$LAB_BRIDGE"
	ip link set "$LAB_BRIDGE" up
	for k in $(seq "$n"); do
		node=n$k
		ns=$(ns_name "$node")
		ip netns add "$ns"
		ip link add "$ns" type veth peer name eth0 netns "$ns"
		ip link set "$ns" master "$LAB_BRIDGE" up
		ip -n "$ns" addr add "$(node_ip "$node")/24" dev eth0
		ip -n "$ns" link set lo up
		ip -n "$ns" link set eth0 up
	done
}

# ---------------------------------------------------------------- host start
start_host() { # NODE
	local node=$1 H ns end
	H=$(host_dir "$node")
	ns=$(ns_name "$node")
	rm -f "$H/init.pid"
	# Own session, no inherited terminal or pipes: the host outlives this script.
	setsid env -i PATH="$LAB_PATH" LANG=C.UTF-8 nsenter --net="/run/netns/$ns" \
		unshare --mount --uts --ipc --pid --fork --propagation private --kill-child \
		bash "$LAB_DIR/host-init.sh" "$H" "$node" </dev/null >>"$H/init.log" 2>&1 &
	end=$(($(date +%s) + LAB_HOST_TIMEOUT))
	until host_init_pid "$node" >/dev/null; do
		if [ "$(date +%s)" -ge $end ]; then
			tail -n 20 "$H/init.log" >&2
			die "$node: host init did not come up within ${LAB_HOST_TIMEOUT}s (log: $H/init.log)"
		fi
		sleep 0.05
	done
}

start_sshd() { # NODE
	local node=$1 end
	hexec "$node" systemctl start ssh >/dev/null 2>&1 || true
	end=$(($(date +%s) + LAB_HOST_TIMEOUT))
	until [ -n "$(sshd_alive "$node")" ] && hexec "$node" ss -Hltn 'sport = :22' | grep -q LISTEN; do
		if [ "$(date +%s)" -ge $end ]; then
			tail -n 20 "$(host_dir "$node")/var-log/sshd.log" >&2 2>/dev/null
			die "$node: sshd did not listen on :22 within ${LAB_HOST_TIMEOUT}s (log: $(host_dir "$node")/var-log/sshd.log)"
		fi
		sleep 0.1
	done
}

# wait_synced NODE SIZE: until the node is Synced in a Primary cluster of SIZE, bounded. On
# failure it says why on stderr and returns 1.
wait_synced() {
	local node=$1 size=$2 end st=""
	end=$(($(date +%s) + LAB_JOIN_TIMEOUT))
	while :; do
		st=$(wsrep "$node")
		[ "$st" = "Synced $size Primary" ] && return 0
		if [ "$st" = down ] && ! hexec "$node" lab-mysql status >/dev/null 2>&1; then
			log "$node: mariadbd is not running (it died while joining)"
			return 1
		fi
		if [ "$(date +%s)" -ge $end ]; then
			log "$node: not Synced in a cluster of $size after ${LAB_JOIN_TIMEOUT}s (last: $st)"
			return 1
		fi
		sleep 0.3
	done
}

# try_start NODE VERB SIZE: lab-mysql VERB (start|bootstrap), then wait for Synced in SIZE.
try_start() {
	local node=$1 verb=$2 size=$3
	if ! hexec "$node" env LAB_START_TIMEOUT="$LAB_JOIN_TIMEOUT" lab-mysql "$verb" >&2; then
		log "$node: lab-mysql $verb failed"
		return 1
	fi
	wait_synced "$node" "$size"
}

# start_node NODE VERB SIZE N: try_start; on failure show the logs, keep them in
# state/failed-logs/, rebuild that one host from scratch and try once more. The lab is test
# infrastructure: a rare hiccup must not fail a CI run, but a real problem fails after one retry.
start_node() {
	local node=$1 verb=$2 size=$3 n=$4 H F
	# Fault injection to test this path: LAB_FAULT_ONCE=n2 breaks n2's first start.
	if [ "${LAB_FAULT_ONCE:-}" = "$node" ]; then
		printf '[mysqld]\nlab_injected_fault = 1\n' >"$(host_dir "$node")/etc-mysql/mariadb.conf.d/99-fault.cnf"
	fi
	try_start "$node" "$verb" "$size" && return 0
	H=$(host_dir "$node")
	F=$STATE/failed-logs/$node-$(date +%Y%m%d-%H%M%S)
	log_tail "$node"
	log "$node: processes in the host:"
	hexec "$node" ps -eo pid,ppid,stat,etime,args >&2 2>/dev/null || true
	mkdir -p "$F"
	cp -a "$H/var-log/." "$F/" 2>/dev/null || true
	log "$node: logs kept in $F; rebuilding the host and trying once more"
	LAB_STOP_TIMEOUT=20 stop_host "$node"
	build_host "$node" "$n"
	start_host "$node"
	start_sshd "$node"
	if ! try_start "$node" "$verb" "$size"; then
		log_tail "$node"
		die "$node: $verb failed twice; logs above and in $F and $H/var-log (the hosts stay up for inspection; bash examples/lab/lab.sh down removes them)"
	fi
	log "$node: the second attempt worked"
}

# ---------------------------------------------------------------- inventory
write_inventory() { # N
	local n=$1 k f=$LAB_DIR/inventory.yml
	{
		cat <<'YAML'
# The lab cluster made by `make lab-up` (examples/lab/lab.sh). Regenerated by lab-up.
# Paths are relative to this file's folder; the files under state/ are generated (not in git).
cluster: lab
flavor: mariadb
ssh:
  user: root
  identity: state/ssh/id_ed25519
  agent: false
  known_hosts: state/ssh/known_hosts
  host_key_policy: strict
  ssh_config: none
  connect_timeout: 5s
service:
  start: lab-mysql start
  stop: lab-mysql stop
  bootstrap: lab-mysql bootstrap
  status: lab-mysql status
tls:
  ca: state/certs/ca.pem
  server_cert: state/certs/{node}-cert.pem
  server_key: state/certs/{node}-key.pem
  client_cert: state/certs/client-cert.pem
  client_key: state/certs/client-key.pem
  remote_dir: /etc/mysql/ssl
  replication: true
sst:
  method: mysqldump
  user: sst_user
  password: file:state/sst.pw
timeouts:
  command: 2m
  stop: 2m
  start: 5m
nodes:
YAML
		for k in $(seq "$n"); do printf '  - {name: n%s, address: %s}\n' "$k" "$(node_ip "n$k")"; done
	} >"$f.tmp"
	if cmp -s "$f.tmp" "$f"; then rm -f "$f.tmp"; else mv "$f.tmp" "$f"; fi
}

# ---------------------------------------------------------------- up
lab_healthy() { # N
	local n=$1 k
	[ "$(state_nodes)" = "$n" ] || return 1
	ip link show "$LAB_BRIDGE" >/dev/null 2>&1 || return 1
	for k in $(seq "$n"); do
		host_init_pid "n$k" >/dev/null || return 1
		[ -n "$(sshd_alive "n$k")" ] || return 1
		[ "$(wsrep "n$k")" = "Synced $n Primary" ] || return 1
	done
}

# save_previous_logs: keep the logs of the lab about to be replaced in state/previous-logs/, so a
# failure stays explainable after the next `up` rebuilt everything.
save_previous_logs() {
	local d n P=$STATE/previous-logs
	compgen -G "$STATE/hosts/*/var-log" >/dev/null || return 0
	rm -rf --one-file-system "$P"
	for d in "$STATE"/hosts/*/; do
		n=$(basename "$d")
		[ -d "$d/var-log" ] || continue
		mkdir -p "$P/$n"
		cp -a "$d/var-log/." "$P/$n/" 2>/dev/null || true
		cp -a "$d/init.log" "$P/$n/" 2>/dev/null || true
	done
}

cmd_up() {
	local n=3 fresh=0 a k
	for a in "$@"; do
		case $a in
		--fresh) fresh=1 ;;
		'' | *[!0-9]*) die "usage: lab.sh up [N] [--fresh]" ;;
		*) n=$((10#$a)) ;;
		esac
	done
	[ "$n" -ge 1 ] && [ "$n" -le $LAB_MAX_NODES ] || die "N must be 1..$LAB_MAX_NODES"
	cmd_install
	if [ $fresh = 0 ] && lab_healthy "$n"; then
		write_inventory "$n"
		log "lab is up and healthy: $n nodes Synced, cluster size $n (nothing to do)"
		return 0
	fi
	if lab_leftovers; then
		log "removing what is left of an earlier lab"
		teardown
	fi
	save_previous_logs
	rm -rf --one-file-system "$STATE/hosts"
	mkdir -p "$STATE/hosts"
	ensure_ssh_keys "$n"
	ensure_certs "$n"
	ensure_secret "$STATE/sst.pw"
	chmod 0600 "$STATE/sst.pw"
	ensure_users
	ensure_template_datadir
	log "keys, certificates, users, template datadir ready"
	local pids=() rc=0
	for k in $(seq "$n"); do
		build_host "n$k" "$n" &
		pids+=($!)
	done
	for a in "${pids[@]}"; do wait "$a" || rc=1; done
	[ $rc = 0 ] || die "building the host trees failed (see above)"
	log "host trees built in $STATE/hosts"
	net_up "$n"
	echo "$n" >"$STATE/nodes"
	for k in $(seq "$n"); do start_host "n$k"; done
	for k in $(seq "$n"); do start_sshd "n$k"; done
	log "$n hosts up (namespaces, init, sshd)"
	start_node n1 bootstrap 1 "$n"
	log "n1 bootstrapped a new cluster"
	for k in $(seq 2 "$n"); do
		start_node "n$k" start "$k" "$n"
		log "n$k joined (cluster size $k)"
	done
	for k in $(seq "$n"); do
		[ "$(wsrep "n$k")" = "Synced $n Primary" ] || die "n$k: not Synced in a cluster of $n at the end: $(wsrep "n$k")"
	done
	write_inventory "$n"
	log "lab is up: $n nodes Synced, cluster size $n (inventory: examples/lab/inventory.yml)"
}

# ---------------------------------------------------------------- status and host commands
cmd_status() {
	local n k node ns init sshd mpid st all_ok=0
	n=$(state_nodes)
	if [ -z "$n" ]; then
		if lab_leftovers; then
			echo "lab: not up, but leftovers exist (run: bash examples/lab/lab.sh down)"
		else
			echo "lab: down"
		fi
		return 3
	fi
	printf '%-4s %-12s %-6s %-8s %-12s %-14s %s\n' NODE ADDRESS NETNS INIT SSHD MARIADBD WSREP
	for k in $(seq "$n"); do
		node=n$k
		ns=no
		[ -e "/run/netns/$(ns_name "$node")" ] && ns=yes
		if init=$(host_init_pid "$node"); then
			sshd=$(sshd_alive "$node" || true)
			sshd=${sshd:+alive($sshd)}
			mpid=$(hexec "$node" lab-mysql pid 2>/dev/null || true)
			mpid=${mpid:+alive($mpid)}
			st=$(wsrep "$node")
		else
			init=dead sshd="" mpid="" st=down
		fi
		[ "$st" = "Synced $n Primary" ] && [ -n "$sshd" ] || all_ok=3
		printf '%-4s %-12s %-6s %-8s %-12s %-14s %s\n' "$node" "$(node_ip "$node")" "$ns" "$init" \
			"${sshd:-dead}" "${mpid:-dead}" "$st"
	done
	return $all_ok
}

cmd_exec() {
	[ $# -ge 1 ] || die "usage: lab.sh exec NODE [CMD...]"
	local node=$1
	shift
	check_node "$node"
	[ $# -gt 0 ] || set -- bash -l
	hexec "$node" "$@"
}

cmd_sql() {
	[ $# = 2 ] || die "usage: lab.sh sql NODE 'SQL'"
	check_node "$1"
	hexec "$1" mariadb -N -B -e "$2"
}

cmd_kill_mysqld() {
	[ $# -ge 1 ] || die "usage: lab.sh kill-mysqld NODE..."
	local node pid
	for node in "$@"; do
		check_node "$node"
		if ! pid=$(hexec "$node" lab-mysql pid 2>/dev/null); then
			log "$node: mariadbd is not running"
			continue
		fi
		# pid is in the host's PID namespace: kill it from inside, then wait until it is gone.
		hexec "$node" sh -c 'kill -KILL "$1"; i=0; while [ $i -lt 100 ]; do
			st=$(sed -E "s/^.*\) (.).*/\1/" /proc/$1/stat 2>/dev/null) || exit 0
			[ "$st" = Z ] && exit 0; i=$((i+1)); sleep 0.1; done; exit 1' sh "$pid" ||
			die "$node: mariadbd (pid $pid in the host) still there after SIGKILL"
		log "$node: mariadbd (pid $pid in the host) killed with SIGKILL"
	done
}

cmd_stop_sshd() {
	[ $# = 1 ] || die "usage: lab.sh stop-sshd NODE"
	check_node "$1"
	hexec "$1" systemctl stop ssh || die "$1: could not stop sshd"
	local end=$(($(date +%s) + LAB_HOST_TIMEOUT))
	while hexec "$1" ss -Hltn 'sport = :22' | grep -q LISTEN; do
		[ "$(date +%s)" -ge $end ] && die "$1: sshd still listens on :22"
		sleep 0.1
	done
	log "$1: sshd stopped (existing sessions keep running, new connections are refused)"
}

cmd_start_sshd() {
	[ $# = 1 ] || die "usage: lab.sh start-sshd NODE"
	check_node "$1"
	start_sshd "$1"
	log "$1: sshd listening on $(node_ip "$1"):22"
}

cmd_service() {
	[ $# = 2 ] || die "usage: lab.sh service NODE start|stop|bootstrap|status"
	check_node "$1"
	case $2 in start | stop | bootstrap | status | restart) ;; *) die "unknown service verb '$2'" ;; esac
	hexec "$1" lab-mysql "$2"
}

# ---------------------------------------------------------------- selftest
cmd_selftest() {
	local n fails=0 k out pw node last
	bash "$LAB_DIR/lab.sh" up "$@" || die "selftest: up failed"
	n=$(state_nodes)
	last=n$n
	local S=$STATE/ssh
	local ssh=(ssh -F /dev/null -i "$S/id_ed25519" -o IdentitiesOnly=yes -o BatchMode=yes
		-o StrictHostKeyChecking=yes -o "UserKnownHostsFile=$S/known_hosts" -o ConnectTimeout=5)
	ok() { printf 'ok   %s\n' "$*"; }
	bad() { printf 'FAIL %s\n' "$*"; fails=$((fails + 1)); }
	check() { # description, then a command that must succeed
		local d=$1
		shift
		if ("$@") >/dev/null 2>&1; then ok "$d"; else bad "$d"; fi
	}
	expect() { # description, expected output, command
		local d=$1 want=$2 got
		shift 2
		got=$("$@" 2>&1) || true
		if [ "$got" = "$want" ]; then ok "$d"; else bad "$d: want '$want', got '$got'"; fi
	}

	for k in $(seq "$n"); do
		node=n$k
		expect "$node: Synced in a Primary cluster of $n" "Synced $n Primary" wsrep "$node"
		expect "$node: hostname" "$node" hexec "$node" hostname
		expect "$node: one mariadbd in its PID namespace" 1 hexec "$node" sh -c 'pidof mariadbd | wc -w'
		expect "$node: my.cnf symlink chain intact" /etc/mysql/mariadb.cnf hexec "$node" readlink -f /etc/mysql/my.cnf
		expect "$node: ssh root (strict host key)" "wsrep_cluster_size	$n" \
			"${ssh[@]}" "root@$(node_ip "$node")" "mariadb -N -B -e \"show status like 'wsrep_cluster_size'\""
	done
	node=n$(( n > 1 ? 2 : 1 ))
	local ip
	ip=$(node_ip "$node")
	expect "$node: ssh by name from known_hosts" "$node" "${ssh[@]}" -o "HostKeyAlias=$node" "root@$ip" hostname
	expect "$node: deploy sudo -n" "wsrep_local_state_comment	Synced" \
		"${ssh[@]}" "deploy@$ip" "sudo -n mariadb -N -B -e \"show status like 'wsrep_local_state_comment'\""
	expect "$node: deploy is not root without sudo" deploy "${ssh[@]}" "deploy@$ip" "id -un"
	check "$node: ops sudo -n refused" bash -c '! "$@" "sudo -n true"' _ "${ssh[@]}" "ops@$ip"
	pw=$(head -n 1 "$S/ops-sudo.pw")
	expect "$node: ops sudo -S with password" root \
		bash -c 'printf "%s\n" "$1" | "${@:2}"' _ "$pw" "${ssh[@]}" "ops@$ip" "sudo -S -p '' id -un"
	check "$node: wrong_known_hosts is refused" bash -c '! "$@" true' _ \
		ssh -F /dev/null -i "$S/id_ed25519" -o IdentitiesOnly=yes -o BatchMode=yes -o StrictHostKeyChecking=yes \
		-o "UserKnownHostsFile=$S/wrong_known_hosts" -o ConnectTimeout=5 "root@$ip"
	check "$node: sftp as deploy into its home" bash -c 'printf "put %s\n" "$1" | "${@:2}"' _ \
		"$STATE/certs/ca.pem" sftp -q -F /dev/null -i "$S/id_ed25519" -o BatchMode=yes \
		-o StrictHostKeyChecking=yes -o "UserKnownHostsFile=$S/known_hosts" -b - "deploy@$ip"
	expect "$node: file landed in deploy's home on $node only" yes hexec "$node" sh -c '[ -s /home/deploy/ca.pem ] && echo yes'

	# Replication.
	hsql n1 "CREATE DATABASE IF NOT EXISTS labselftest; CREATE TABLE IF NOT EXISTS labselftest.t (id INT PRIMARY KEY, v VARCHAR(20)); REPLACE INTO labselftest.t VALUES (1, 'replicated')" >/dev/null 2>&1 || true
	expect "$last: sees a row written on n1" replicated hsql "$last" "SELECT v FROM labselftest.t WHERE id = 1"

	# The systemctl shim: stop and start one node the way a Debian host is driven.
	if [ "$n" -ge 2 ]; then
		expect "$last: systemctl is-active mariadb" active hexec "$last" systemctl is-active mariadb
		check "$last: systemctl stop mariadb" hexec "$last" systemctl stop mariadb
		expect "$last: is-active after stop" inactive hexec "$last" systemctl is-active mariadb
		expect "n1: cluster size after $last stopped" "Synced $((n - 1)) Primary" wsrep n1
		check "$last: service mariadb start (through the shim)" hexec "$last" service mariadb start
		check "$last: Synced again" wait_synced "$last" "$n"
	fi

	# The restart galeraflow does: stop one at a time (last first), bootstrap the last one stopped
	# with the stock galera_new_cluster, start the others one at a time.
	if [ "$n" -ge 2 ] && [ "${LAB_SELFTEST_QUICK:-0}" != 1 ]; then
		for k in $(seq "$n" -1 1); do check "n$k: lab-mysql stop" hexec "n$k" lab-mysql stop; done
		expect "n1: safe_to_bootstrap: 1 (stopped last)" 1 \
			hexec n1 sh -c "sed -n 's/^safe_to_bootstrap: //p' /var/lib/mysql/grastate.dat"
		expect "$last: safe_to_bootstrap: 0" 0 \
			hexec "$last" sh -c "sed -n 's/^safe_to_bootstrap: //p' /var/lib/mysql/grastate.dat"
		check "n1: galera_new_cluster" hexec n1 galera_new_cluster
		check "n1: Synced as a cluster of 1" wait_synced n1 1
		expect "n1: no bootstrap flag left in the shim environment" "" hexec n1 sh -c 'grep -h . /run/lab-systemd/environment 2>/dev/null | grep -v "=$" || true'
		for k in $(seq 2 "$n"); do
			check "n$k: systemctl start mariadb" hexec "n$k" systemctl start mariadb
			check "n$k: Synced in a cluster of $k" wait_synced "n$k" "$k"
		done
		expect "$last: row survived the restart" replicated hsql "$last" "SELECT v FROM labselftest.t WHERE id = 1"
	fi
	hsql n1 "DROP DATABASE IF EXISTS labselftest" >/dev/null 2>&1 || true
	expect "inventory lists $n nodes" "$n" grep -c '^  - {name: n' "$LAB_DIR/inventory.yml"
	if [ $fails = 0 ]; then
		echo "selftest: all checks passed"
	else
		echo "selftest: $fails check(s) failed"
		return 1
	fi
}
