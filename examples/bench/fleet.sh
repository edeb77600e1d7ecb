# The benchmark's fleet: N real OpenSSH sshd on loopback, one per address
# 127.0.10.1..N (port $BENCH_PORT), each in its own mount namespace where its
# own folder is mounted at the same path ($FLEET/node), so every tool sees
# the "same" /etc/mysql on every host, as on real machines. Sourced by
# bench.sh; needs root (sshd as root, unshare, mount).
#
# Layout under $FLEET (a temp dir, made per benchmark run):
#   keys/client{,.pub} authorized_keys   the controller's key (key auth only)
#   known_hosts                          every host's key, generated per run
#   template/                            a node's pristine files
#   hosts/hNNN/{sshd_config,host_key,sshd.log,sshd.pid,root/,home/}
#                                        root/ is the host's files, home/ its /root
#   node/                                the mount point each sshd sees its root/ at
# Nothing is started by name: every sshd's PID is kept and stopped by it.

BENCH_PORT=${BENCH_PORT:-2222}

fleet_addr() { echo "127.0.10.$1"; }
fleet_host() { printf 'h%03d' "$1"; }

# fleet_init: keys, template node files, certificates (once per benchmark).
fleet_init() {
	mkdir -p "$FLEET/keys" "$FLEET/hosts" "$FLEET/node" "$FLEET/certs"
	# sshd's privilege separation directory (the service unit makes it at boot).
	mkdir -p -m 0755 /run/sshd
	ssh-keygen -q -t ed25519 -N '' -C gfbench-client -f "$FLEET/keys/client"
	cp "$FLEET/keys/client.pub" "$FLEET/keys/authorized_keys"
	: >"$FLEET/known_hosts"
	# A CA and one certificate/key pair (RSA 2048: 1-2 KB each, as the
	# workload asks). The same three files go to every host.
	(
		cd "$FLEET/certs"
		openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj /CN=gfbench-ca \
			-keyout ca-key.pem -out ca.pem 2>/dev/null
		openssl req -newkey rsa:2048 -nodes -subj /CN=gfbench-node \
			-keyout server-key.pem -out server.csr 2>/dev/null
		openssl x509 -req -in server.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial \
			-days 30 -out server-cert.pem 2>/dev/null
		rm -f server.csr ca.srl
	)
	mkdir -p "$FLEET/template/etc/mysql/ssl" "$FLEET/template/var"
	cat >"$FLEET/template/etc/mysql/my.cnf" <<'CNF'
# A node's option file as a package would leave it (the benchmark's stand-in
# for /etc/mysql/my.cnf).
[client]
port = 3306
socket = /run/mysqld/mysqld.sock

[mysqld]
user = mysql
bind-address = 127.0.0.1
max_connections = 100
CNF
	chmod 0644 "$FLEET/template/etc/mysql/my.cnf"
}

# fleet_reset N: every host's files back to the template, so each run does
# the full work (no tool finds anything already done).
fleet_reset() {
	local i dir
	for ((i = 1; i <= $1; i++)); do
		dir=$FLEET/hosts/$(fleet_host "$i")/root
		mkdir -p "$dir"
		rm -rf "${dir:?}/etc" "${dir:?}/var"
		cp -a "$FLEET/template/." "$dir/"
	done
}

# fleet_start N: N sshd, each started in a private mount namespace, waited
# for until it accepts connections.
fleet_start() {
	local n=$1 i h dir addr key
	: >"$FLEET/known_hosts"
	for ((i = 1; i <= n; i++)); do
		h=$(fleet_host "$i")
		dir=$FLEET/hosts/$h
		addr=$(fleet_addr "$i")
		mkdir -p "$dir/root"
		[ -f "$dir/host_key" ] || ssh-keygen -q -t ed25519 -N '' -C "$h" -f "$dir/host_key"
		key=$(cut -d' ' -f1,2 "$dir/host_key.pub")
		echo "[$addr]:$BENCH_PORT $key" >>"$FLEET/known_hosts"
		cat >"$dir/sshd_config" <<CFG
ListenAddress $addr:$BENCH_PORT
HostKey $dir/host_key
PidFile $dir/sshd.pid
AuthorizedKeysFile $FLEET/keys/authorized_keys
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM yes
StrictModes no
UseDNS no
LogLevel INFO
MaxStartups 200
PrintMotd no
AcceptEnv LANG LC_*
Subsystem sftp /usr/lib/openssh/sftp-server
CFG
		: >"$dir/sshd.log"
		fleet_home "$dir/home"
		unshare --mount --propagation private /bin/sh -c \
			'mount --bind "$1" "$2" && mount --bind "$3" /root && exec /usr/sbin/sshd -D -f "$4" -E "$5"' \
			sh "$dir/root" "$FLEET/node" "$dir/home" "$dir/sshd_config" "$dir/sshd.log" </dev/null >>"$dir/sshd.log" 2>&1 &
		echo $! >"$dir/pid"
	done
	for ((i = 1; i <= n; i++)); do
		addr=$(fleet_addr "$i")
		local tries=0
		until (exec 3<>"/dev/tcp/$addr/$BENCH_PORT") 2>/dev/null; do
			tries=$((tries + 1))
			if ((tries > 200)); then
				echo "sshd on $addr:$BENCH_PORT did not start; its log:" >&2
				cat "$FLEET/hosts/$(fleet_host "$i")/sshd.log" >&2
				return 1
			fi
			sleep 0.05
		done
	done
	# The TCP probes above are logged by sshd as dropped connections, not
	# logins: the login count starts from here.
}

# fleet_home DIR: a host's own /root, as a fresh Debian install has it (the
# controller's /root may hold a heavy .bashrc that bash reads for every
# command sshd runs, and it holds the tools' staging folders per host).
fleet_home() {
	mkdir -p -m 0700 "$1"
	[ -f "$1/.bashrc" ] || cp /usr/share/base-files/dot.bashrc "$1/.bashrc"
	[ -f "$1/.profile" ] || cp /usr/share/base-files/dot.profile "$1/.profile"
}

# fleet_stop N: stop every sshd by the PID recorded at start.
fleet_stop() {
	local i pidf pids=()
	for ((i = 1; i <= $1; i++)); do
		pidf=$FLEET/hosts/$(fleet_host "$i")/pid
		[ -f "$pidf" ] || continue
		pids+=("$(cat "$pidf")")
		rm -f "$pidf"
	done
	((${#pids[@]} == 0)) && return 0
	kill "${pids[@]}" 2>/dev/null || true
	# Until they are gone (their listening sockets with them).
	local tries=0
	while kill -0 "${pids[@]}" 2>/dev/null && ((tries++ < 100)); do sleep 0.05; done
}

# fleet_quiesce N: wait (at most 10 s) until no sshd of the fleet still
# serves a connection of the last run, so the sessions one tool leaves
# closing on the fleet are not billed to the next tool.
fleet_quiesce() {
	local i pidf pids=() tries=0
	for ((i = 1; i <= $1; i++)); do
		pidf=$FLEET/hosts/$(fleet_host "$i")/pid
		[ -f "$pidf" ] && pids+=("$(cat "$pidf")")
	done
	((${#pids[@]} == 0)) && return 0
	local list
	list=$(IFS=,; echo "${pids[*]}")
	while pgrep -P "$list" >/dev/null && ((tries++ < 200)); do sleep 0.05; done
}

# fleet_logins N: total "Accepted publickey" lines in the fleet's logs.
fleet_logins() {
	local i total=0 c
	for ((i = 1; i <= $1; i++)); do
		c=$(grep -c 'Accepted publickey' "$FLEET/hosts/$(fleet_host "$i")/sshd.log" || true)
		total=$((total + c))
	done
	echo "$total"
}

# fleet_hosts_file N: "root@addr:port" lines for parallel-ssh.
fleet_hosts_file() {
	local i
	for ((i = 1; i <= $1; i++)); do echo "root@$(fleet_addr "$i"):$BENCH_PORT"; done
}
