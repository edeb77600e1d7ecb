#!/bin/bash
# make bench: galeraflow against parallel-ssh and Ansible, the same workload
# on the same fleet of real OpenSSH sshd on loopback (see README.md).
#
# Environment (all optional):
#   BENCH_SIZES="3 10 50 100"   fleet sizes
#   BENCH_RUNS=5                runs per tool and size
#   BENCH_ANSIBLE_RUNS_50=3     Ansible runs at N >= 50 (minutes each at N=100)
#   BENCH_ANSIBLE_RUNS_100=2    Ansible runs at N >= 100
#   BENCH_TOOLS="galeraflow parallel-ssh ansible"
#   BENCH_OUT=examples/bench/results   where results.md/.csv and chart.svg go
#   BENCH_PORT=2222             the port every fleet sshd listens on
# Needs root (sshd, mount namespaces), Debian (apt-get) and Go.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
SIZES=${BENCH_SIZES:-"3 10 50 100"}
RUNS=${BENCH_RUNS:-5}
ANSIBLE_RUNS_50=${BENCH_ANSIBLE_RUNS_50:-3}
ANSIBLE_RUNS_100=${BENCH_ANSIBLE_RUNS_100:-2}
TOOLS=${BENCH_TOOLS:-"galeraflow parallel-ssh ansible"}
OUT=${BENCH_OUT:-$HERE/results}
W=$HERE/workload

[ "$(id -u)" = 0 ] || { echo "bench: run as root (sshd fleet, mount namespaces)" >&2; exit 1; }

# What the benchmark needs from Debian. mariadb-client-core brings
# my_print_defaults, which galeraflow's option-file step verifies with.
need=()
command -v ansible-playbook >/dev/null || need+=(ansible)
command -v parallel-ssh >/dev/null || need+=(pssh)
command -v crudini >/dev/null || need+=(crudini)
[ -x /usr/sbin/sshd ] || need+=(openssh-server)
command -v ssh >/dev/null || need+=(openssh-client)
command -v openssl >/dev/null || need+=(openssl)
command -v my_print_defaults >/dev/null || need+=(mariadb-client-core)
command -v unshare >/dev/null || need+=(util-linux)
command -v pgrep >/dev/null || need+=(procps)
if ((${#need[@]})); then
	echo "bench: installing ${need[*]}" >&2
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

FLEET=$(mktemp -d /tmp/gfbench.XXXXXX)
export FLEET
# shellcheck source=fleet.sh
. "$HERE/fleet.sh"
MAXN=0
for n in $SIZES; do ((n > MAXN)) && MAXN=$n; done
cleanup() {
	close_masters "$FLEET/pssh-cm" 2>/dev/null || true
	close_masters "$FLEET/ansible/cp" 2>/dev/null || true
	fleet_stop "$MAXN" || true
	rm -rf "$FLEET"
}
trap cleanup EXIT

echo "bench: building galeraflow and benchtool" >&2
(cd "$REPO" && go build -o "$FLEET/bin/galeraflow" ./cmd/galeraflow && go build -o "$FLEET/bin/benchtool" ./examples/bench/benchtool)
GF=$FLEET/bin/galeraflow
BT=$FLEET/bin/benchtool
fleet_init
NODE=$FLEET/node

META=$FLEET/meta.txt
{
	echo "- date: $(date -u +%Y-%m-%dT%H:%MZ)"
	echo "- cores: $(nproc)"
	echo "- cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
	echo "- memory: $(awk '/MemTotal/ {printf "%.0f GB", $2/1048576}' /proc/meminfo)"
	echo "- kernel: $(uname -r); $(. /etc/os-release && echo "$PRETTY_NAME")"
	echo "- OpenSSH: $(ssh -V 2>&1 | cut -d, -f1); galeraflow: $(cd "$REPO" && git describe --always --dirty 2>/dev/null || echo dev)"
	echo "- Ansible: $(ansible --version 2>/dev/null | sed -n 1p) ($(dpkg-query -W -f='Debian ansible ${Version}' ansible 2>/dev/null || true)); parallel-ssh $(parallel-ssh --version 2>&1); crudini $(crudini --version 2>&1)"
	echo "- load average when the benchmark started: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine slows every tool alike)"
	echo "- runs per size: $RUNS (Ansible: $ANSIBLE_RUNS_50 at N>=50, $ANSIBLE_RUNS_100 at N>=100)"
} >"$META"

# setup_tools N: the three tools' files for a fleet of N.
setup_tools() {
	local n=$1 i
	# galeraflow: an inventory and a playbook whose sources sit beside it.
	mkdir -p "$FLEET/gf"
	ln -sfn "$FLEET/certs" "$FLEET/gf/certs"
	sed -e "s|@NODE@|$NODE|g" "$W/galeraflow-playbook.yml" >"$FLEET/gf/galeraflow-playbook.yml"
	sed -e "s|@NODE@|$NODE|g; s|@FLEET@|$FLEET|g; s|@N@|$n|g; s|@PORT@|$BENCH_PORT|g" \
		"$W/galeraflow-inventory.yml" >"$FLEET/gf/inventory.yml"
	for ((i = 1; i <= n; i++)); do
		echo "  - {name: $(fleet_host "$i"), address: $(fleet_addr "$i")}" >>"$FLEET/gf/inventory.yml"
	done
	# parallel-ssh: a hosts file.
	mkdir -p "$FLEET/pssh-cm"
	fleet_hosts_file "$n" >"$FLEET/pssh-hosts"
	# Ansible: inventory, config, playbook.
	local a=$FLEET/ansible
	mkdir -p "$a/tmp" "$a/cp"
	{
		echo "[fleet]"
		for ((i = 1; i <= n; i++)); do echo "$(fleet_host "$i") ansible_host=$(fleet_addr "$i")"; done
		echo "[fleet:vars]"
		echo "ansible_port=$BENCH_PORT"
		echo "ansible_user=root"
		echo "ansible_ssh_private_key_file=$FLEET/keys/client"
	} >"$a/hosts.ini"
	sed -e "s|@N@|$n|g; s|@DIR@|$a|g; s|@FLEET@|$FLEET|g" "$W/ansible.cfg" >"$a/ansible.cfg"
	sed -e "s|@NODE@|$NODE|g; s|@CERTS@|$FLEET/certs|g" "$W/ansible-playbook.yml" >"$a/playbook.yml"
}

# tool_cmd TOOL N: the command line of one run.
tool_cmd() {
	case $1 in
	galeraflow) echo "env GALERAFLOW_LOCK_DIR=$FLEET $GF run $FLEET/gf/inventory.yml" ;;
	parallel-ssh) echo "bash $W/pssh.sh $FLEET/pssh-hosts $2 $FLEET $NODE $FLEET/certs" ;;
	ansible) echo "env ANSIBLE_CONFIG=$FLEET/ansible/ansible.cfg ansible-playbook $FLEET/ansible/playbook.yml" ;;
	esac
}

# close_masters DIR: end the SSH master connections a run left (after the
# timing, so the next run logs in afresh like the first).
close_masters() {
	local s pids=()
	for s in "$1"/*; do
		[ -S "$s" ] || continue
		ssh -F /dev/null -o ControlPath="$s" -O exit x >/dev/null 2>&1 &
		pids+=($!)
	done
	# Only these: a bare `wait` would wait for the fleet's sshd too.
	((${#pids[@]} == 0)) || wait "${pids[@]}" || true
	rm -f "$1"/*
}

runs_for() {
	local tool=$1 n=$2
	if [ "$tool" = ansible ]; then
		((n >= 100)) && { echo "$ANSIBLE_RUNS_100"; return; }
		((n >= 50)) && { echo "$ANSIBLE_RUNS_50"; return; }
	fi
	echo "$RUNS"
}

RAW=$FLEET/raw.csv
echo "tool,n,run,wall_s,peak_rss_kb,user_s,sys_s,logins,check" >"$RAW"
LOG=$FLEET/runs.log
for n in $SIZES; do
	echo "bench: N=$n: starting $n sshd" >&2
	fleet_start "$n"
	setup_tools "$n"
	for ((r = 1; r <= RUNS; r++)); do
		# Tools alternate within each round, so a slow minute of the
		# machine hurts them alike.
		for tool in $TOOLS; do
			((r <= $(runs_for "$tool" "$n"))) || continue
			fleet_quiesce "$n"
			fleet_reset "$n"
			before=$(fleet_logins "$n")
			# benchtool prints its figures on stdout, the tool's output on stderr.
			stats=$($BT run -- $(tool_cmd "$tool" "$n") 2>>"$LOG" | tail -1) || true
			after=$(fleet_logins "$n")
			close_masters "$FLEET/pssh-cm"
			close_masters "$FLEET/ansible/cp"
			check=ok
			if ! [[ $stats == *exit=0* ]] || ! "$BT" check "$FLEET" "$n" >>"$LOG" 2>&1; then
				check=failed
			fi
			eval "$(echo "$stats" | tr ' ' '\n' | grep -E '^[a-z_]+=[0-9.]+$')"
			echo "$tool,$n,$r,$wall_s,$peak_rss_kb,$user_s,$sys_s,$((after - before)),$check" >>"$RAW"
			printf 'bench: N=%-3d %-12s run %d: %7.2f s, %6.0f MB, %d logins/host, check %s\n' \
				"$n" "$tool" "$r" "$wall_s" "$((peak_rss_kb / 1024))" "$(((after - before) / n))" "$check" >&2
			if [ "$check" != ok ]; then
				echo "bench: $tool failed at N=$n; the last lines of its log:" >&2
				tail -20 "$LOG" >&2
				exit 1
			fi
		done
	done
	fleet_stop "$n"
done

mkdir -p "$OUT"
cp "$RAW" "$OUT/raw.csv"
"$BT" report "$RAW" "$OUT" "$META"
