#!/usr/bin/env bash
# Shows emailgend end to end on this machine. It builds a small decky image
# from the host's busybox-static, so no registry is needed. It starts one
# fleet mail decky with IMAP and POP3 containers labeled as DECNET labels
# them, runs the daemon on a fast schedule with the example personas, and
# prints each delivered file with its modification time and Date header.
#
# Usage: scripts/demo.sh [clean]
set -euo pipefail

image=emailgend-demo/decky:latest
decky=demo01
seconds=${DEMO_SECONDS:-20}
bin=${BIN:-bin/emailgend}
workdir=${DEMO_DIR:-/tmp/emailgend-demo}

remove_containers() {
	local ids
	ids=$(docker ps -aq --filter label=emailgend.demo=true)
	if [ -n "$ids" ]; then
		echo "==> removing the previous demo decky and the mail in it"
		docker rm -f $ids >/dev/null
	fi
}

if [ "${1:-}" = clean ]; then
	remove_containers
	docker rmi -f "$image" >/dev/null 2>&1 || true
	rm -rf "$workdir"
	echo "demo containers, image and $workdir removed (where they existed)"
	exit 0
fi

if [ ! -x /bin/busybox ]; then
	echo "demo: /bin/busybox not found; install it with: apt-get install busybox-static" >&2
	exit 1
fi
if ! docker info >/dev/null 2>&1; then
	echo "demo: the Docker engine is not reachable; start it (systemctl start docker) and retry" >&2
	exit 1
fi

echo "==> building $image from /bin/busybox"
rootfs=$(mktemp -d)
trap 'rm -rf "$rootfs"' EXIT
mkdir -p "$rootfs/bin" "$rootfs/tmp" "$rootfs/var/spool" "$rootfs/etc"
cp /bin/busybox "$rootfs/bin/busybox"
for applet in sh cat mv mkdir touch stat rm sleep ls wc date head find sort grep cut; do
	ln -s busybox "$rootfs/bin/$applet"
done
echo 'root:x:0:0:root:/root:/bin/sh' >"$rootfs/etc/passwd"
tar -C "$rootfs" -c . | docker import \
	--change 'CMD ["/bin/sleep", "2147483647"]' \
	--change 'LABEL emailgend.demo=true' - "$image" >/dev/null

echo "==> starting decky $decky (imap and pop3 containers)"
remove_containers
for service in imap pop3; do
	docker run -d --name "$decky-$service" \
		--label emailgend.demo=true \
		--label decnet.fleet.service=true \
		--label decnet.fleet.decky="$decky" \
		--label decnet.fleet.service_name="$service" \
		"$image" >/dev/null
done

rm -rf "$workdir"
mkdir -p "$workdir"
echo "==> running emailgend for ${seconds}s on '@every 2s' (state in $workdir)"
set +e
timeout --signal=TERM "$seconds" "$bin" run \
	--schedule '@every 2s' \
	--personas examples/demo-personas.json \
	--topology-dir "$workdir/topologies" \
	--state "$workdir/state.db" \
	--log-format console
status=$?
set -e
if [ "$status" -ne 0 ] && [ "$status" -ne 124 ]; then
	echo "demo: emailgend exited with status $status" >&2
	exit "$status"
fi

for service in imap pop3; do
	echo
	echo "==> files in $decky-$service, oldest first (modification time in UTC, then the headers)"
	docker exec "$decky-$service" sh -c '
		for f in $(find /var/spool/decnet-emails -name "*.eml" -exec stat -c "%Y %n" {} + | sort -n | cut -d" " -f2); do
			echo "$f"
			echo "  mtime: $(TZ=UTC0 date -r "$f" "+%a, %d %b %Y %H:%M:%S +0000")"
			echo "  $(grep -m1 "^Date:" "$f")"
			echo "  $(grep -m1 "^Subject:" "$f")"
		done'
done

echo
echo "The decky is still running: docker exec $decky-imap cat <file> shows a message."
echo "Remove it with: make demo-clean"
