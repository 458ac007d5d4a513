#!/usr/bin/env bash
# Prints the CPU time and resident memory of a running emailgend over one
# idle minute (a 5-minute schedule, so no tick runs while it measures).
# Usage: scripts/measure-idle.sh [binary]; run from the repository root.
set -eu
dir=$(mktemp -d)
bin=${1:-bin/emailgend}
"$bin" run --schedule '@every 5m' --personas examples/personas.json --state "$dir/state.db" \
  --topology-dir "$dir/topologies" --log-format json 2>"$dir/log" &
pid=$!
sleep 5
ticks=$(getconf CLK_TCK)
cpu() { awk '{print $14 + $15}' /proc/$pid/stat; }
start=$(cpu)
sleep 60
end=$(cpu)
rss=$(awk '/VmRSS/ {print $2}' /proc/$pid/status)
hwm=$(awk '/VmHWM/ {print $2}' /proc/$pid/status)
kill -TERM $pid; wait $pid || true
echo "cpu_seconds_in_60s=$(echo "scale=3; ($end - $start) / $ticks" | bc) rss_kib=$rss peak_rss_kib=$hwm"
rm -rf "$dir"
