#!/bin/bash
# The benchmark's workload as a parallel-ssh script (Debian's pssh), the
# shell-script baseline: one SSH master connection per host (ControlMaster,
# opened by the first command, reused by the others), the three files by
# parallel-scp, then one parallel-ssh that sets modes and owners, merges
# the eight option-file keys with crudini and runs the two commands.
# Usage: pssh.sh HOSTS_FILE N FLEET NODE_DIR CERTS_DIR
set -euo pipefail
hosts=$1 n=$2 fleet=$3 node=$4 certs=$5
opts=(-h "$hosts" -p "$n" -t 120
	-O "IdentityFile=$fleet/keys/client" -O IdentitiesOnly=yes -O BatchMode=yes
	-O "UserKnownHostsFile=$fleet/known_hosts" -O StrictHostKeyChecking=yes
	-O ControlMaster=auto -O "ControlPath=$fleet/pssh-cm/%C" -O ControlPersist=60)
ssl=$node/etc/mysql/ssl
parallel-scp "${opts[@]}" "$certs/ca.pem" "$certs/server-cert.pem" "$certs/server-key.pem" "$ssl/" >/dev/null
parallel-ssh "${opts[@]}" "set -e
chown root:root $ssl/ca.pem $ssl/server-cert.pem $ssl/server-key.pem
chmod 0644 $ssl/ca.pem $ssl/server-cert.pem
chmod 0600 $ssl/server-key.pem
crudini --merge $node/etc/mysql/my.cnf <<'INI'
[mysqld]
ssl_ca = $ssl/ca.pem
ssl_cert = $ssl/server-cert.pem
ssl_key = $ssl/server-key.pem
[client]
ssl_ca = $ssl/ca.pem
ssl_cert = $ssl/server-cert.pem
ssl_key = $ssl/server-key.pem
[sst]
encrypt = 3
tca = $ssl/ca.pem
INI
uname -r > $node/var/cmd1.out
id -un > $node/var/cmd2.out" >/dev/null
