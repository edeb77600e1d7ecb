package remote

// installScript runs as root (sudo, or a root login) and installs an
// uploaded file atomically. Arguments: staging file, path, mode (octal, ""
// keeps the old one or 644), owner, group ("" keeps the old ones), backup
// stamp ("" for no backup), directory mode ("" to refuse a missing parent).
//
// It resolves symlinks at path (the link stays a link), removes the temp
// files an earlier write of the target left when its connection dropped,
// writes a temp file named .<base>.galeraflow-tmp-XXXXXXXXXX beside the
// target, sets owner and mode, fsyncs it, copies the old file to
// <target>.galeraflow-<stamp>.bak (cp -p: same mode and owner), renames
// the temp over the target and syncs the directory. On any failure the trap removes the temp file, the staging
// file and a backup made for a rename that did not happen.
//
// Requires GNU coreutils (readlink -m, stat -c, mv -T, sync FILE).
const installScript = `set -u
umask 077
src=$1 path=$2 mode=$3 owner=$4 group=$5 stamp=$6 dmode=$7
tmp= bak=
cleanup() {
	rc=$?
	rm -f -- "$src"
	if [ -n "$tmp" ]; then rm -f -- "$tmp"; fi
	if [ "$rc" -ne 0 ] && [ -n "$bak" ]; then rm -f -- "$bak"; fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' HUP INT TERM
fail() { printf 'galeraflow: %s\n' "$*" >&2; exit 1; }
mkparents() {
	[ -d "$1" ] && return 0
	mkparents "$(dirname -- "$1")" || return 1
	mkdir -m "$dmode" -- "$1"
}
target=$(readlink -m -- "$path") || fail "cannot resolve $path"
[ -n "$target" ] || fail "cannot resolve $path"
dir=$(dirname -- "$target")
base=$(basename -- "$target")
if [ ! -d "$dir" ]; then
	if [ -z "$dmode" ]; then
		printf 'galeraflow: directory %s does not exist\n' "$dir" >&2
		exit 44
	fi
	mkparents "$dir" || fail "cannot create directory $dir"
fi
[ ! -d "$target" ] || fail "$target is a directory"
# A write of this target cut off with its connection left its temp file.
rm -f -- "$dir/.$base.galeraflow-tmp-"??????????
exists=0
if [ -e "$target" ]; then
	[ -f "$target" ] || fail "$target is not a regular file"
	exists=1
	omode=$(stat -c %a -- "$target") && ouid=$(stat -c %u -- "$target") && ogid=$(stat -c %g -- "$target") || fail "cannot stat $target"
	[ -n "$mode" ] || mode=$omode
	[ -n "$owner" ] || owner=+$ouid
	[ -n "$group" ] || group=+$ogid
fi
[ -n "$mode" ] || mode=644
# Never world-writable, whatever the old file had.
mode=$(printf '%o' $(( 0$mode & 07775 )))
tmp=$(mktemp -- "$dir/.$base.galeraflow-tmp-XXXXXXXXXX") || fail "cannot create a temporary file in $dir"
cat -- "$src" > "$tmp" || fail "cannot write $tmp"
if [ -n "$owner" ] && [ -n "$group" ]; then
	chown -- "$owner:$group" "$tmp" || fail "cannot set owner $owner:$group"
elif [ -n "$owner" ]; then
	chown -- "$owner" "$tmp" || fail "cannot set owner $owner"
elif [ -n "$group" ]; then
	chgrp -- "$group" "$tmp" || fail "cannot set group $group"
fi
chmod -- "$mode" "$tmp" || fail "cannot set mode $mode"
sync -- "$tmp" 2>/dev/null || sync
if [ "$exists" = 1 ] && [ -n "$stamp" ]; then
	bak="$target.galeraflow-$stamp.bak"
	n=1
	while [ -e "$bak" ]; do
		bak="$target.galeraflow-$stamp-$n.bak"
		n=$((n + 1))
	done
	cp -p -- "$target" "$bak" || fail "cannot back up $target to $bak"
fi
mv -f -T -- "$tmp" "$target" || fail "cannot rename $tmp to $target"
tmp=
sync -- "$dir" 2>/dev/null || true
printf 'target=%s\nbackup=%s\n' "$target" "$bak"
`
