#!/bin/bash
# The restart path on the lab: galeraflow's `restart` wall time against the
# inherent cost, the lab's own service commands run by hand in the same
# order (stop every node one at a time, bootstrap the last one stopped,
# start the others one at a time), each over an already open SSH
# connection so only the commands are timed. Prints both and the ratio.
#
# Needs the lab up (make lab-up) and nobody else using it: it restarts the
# cluster. Not part of `make bench` for that reason. Usage:
#   bash examples/bench/restart.sh [ROUNDS]      (default 3 rounds)
#   ORDER="n1 n2 n3" to change the stop order (galeraflow stops in inventory
#   order and bootstraps the last node stopped; check with `galeraflow restart --dry-run`).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
INV=$REPO/examples/lab/inventory.yml
STATE=$REPO/examples/lab/state
ROUNDS=${1:-3}
ORDER=${ORDER:-"n1 n2 n3"}
declare -A ADDR=([n1]=10.231.7.11 [n2]=10.231.7.12 [n3]=10.231.7.13)

[ -f "$INV" ] || { echo "restart.sh: no lab inventory: run make lab-up first" >&2; exit 1; }
BIN=$(mktemp -d)
CM=$(mktemp -d)
cleanup() {
	for n in $ORDER; do ssh -F /dev/null -o ControlPath="$CM/$n" -O exit x >/dev/null 2>&1 || true; done
	rm -rf "$BIN" "$CM"
}
trap cleanup EXIT
(cd "$REPO" && go build -o "$BIN/galeraflow" ./cmd/galeraflow)

sshn() { # sshn NODE COMMAND: over the node's master connection
	local n=$1
	shift
	ssh -F /dev/null -o ControlPath="$CM/$n" -o BatchMode=yes root@"${ADDR[$n]}" "$@"
}
for n in $ORDER; do # one master connection per node, opened before any timing
	ssh -F /dev/null -i "$STATE/ssh/id_ed25519" -o IdentitiesOnly=yes -o UserKnownHostsFile="$STATE/ssh/known_hosts" \
		-o StrictHostKeyChecking=yes -o BatchMode=yes -o ControlMaster=yes -o ControlPath="$CM/$n" -o ControlPersist=600 \
		-fN root@"${ADDR[$n]}"
done
now() { date +%s.%N; }

# by_hand: the service commands in galeraflow's order, back to back. The
# start commands return when lab-mysql returns; nothing else is waited for
# (galeraflow also waits for Synced and checks each step).
by_hand() {
	local nodes=($ORDER) last
	for n in "${nodes[@]}"; do sshn "$n" "lab-mysql stop"; done
	last=${nodes[${#nodes[@]} - 1]}
	sshn "$last" "lab-mysql bootstrap"
	for n in "${nodes[@]}"; do
		[ "$n" = "$last" ] || sshn "$n" "lab-mysql start"
	done
}

for ((r = 1; r <= ROUNDS; r++)); do
	t0=$(now)
	"$BIN/galeraflow" restart "$INV" >/dev/null
	t1=$(now)
	by_hand
	t2=$(now)
	"$BIN/galeraflow" status "$INV" >/dev/null # the cluster is whole again before the next round
	awk -v r="$r" -v t0="$t0" -v t1="$t1" -v t2="$t2" \
		'BEGIN { g = t1 - t0; h = t2 - t1; printf "round %d: galeraflow restart %.2f s, by hand %.2f s, ratio %.2f\n", r, g, h, g / h }'
done
