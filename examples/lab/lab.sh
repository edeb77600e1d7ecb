#!/usr/bin/env bash
# galeraflow test lab: N hosts (network + mount + UTS + IPC + PID namespaces), each with its own
# sshd and MariaDB/Galera server, forming one real Galera cluster. See README.md beside this file.
#
# usage: lab.sh install | up [N] [--fresh] | down | status | exec NODE CMD... | sql NODE 'SQL'
#        | kill-mysqld NODE... | stop-sshd NODE | start-sshd NODE | service NODE start|stop|bootstrap|status
#        | selftest | clean
set -euo pipefail

LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
STATE=$LAB_DIR/state
TEMPLATES=$LAB_DIR/templates
# shellcheck source=lib.sh
. "$LAB_DIR/lib.sh"
export PATH="$LAB_PATH:$PATH"

main() {
	local cmd=${1:-help}
	[ $# -gt 0 ] && shift
	case $cmd in
	install) need_root; with_lock cmd_install "$@" ;;
	up) need_root; with_lock cmd_up "$@" ;;
	down) need_root; with_lock cmd_down "$@" ;;
	clean) need_root; with_lock cmd_clean "$@" ;;
	status) need_root; cmd_status "$@" ;;
	exec) need_root; cmd_exec "$@" ;;
	sql) need_root; cmd_sql "$@" ;;
	kill-mysqld) need_root; cmd_kill_mysqld "$@" ;;
	stop-sshd) need_root; cmd_stop_sshd "$@" ;;
	start-sshd) need_root; cmd_start_sshd "$@" ;;
	service) need_root; cmd_service "$@" ;;
	selftest) need_root; cmd_selftest "$@" ;;
	help | -h | --help) usage ;;
	*) usage >&2; exit 2 ;;
	esac
}

LAB_ARGS=("$@")
main "$@"
