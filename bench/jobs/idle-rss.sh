#!/usr/bin/env bash
# The scheduler's cost on the idle daemon: `jada daemon` with nothing queued, with both built-in
# jobs off and then on, RSS after 10 s and CPU ticks over the next 10 s, twice each.
#   npm run build && bash bench/jobs/idle-rss.sh
set -euo pipefail
cli="$(cd "$(dirname "$0")/../.." && pwd)/apps/jada-daemon/dist/cli.js"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
measure() {
  echo "$2" > jada.config.json
  rm -rf .jada
  ANTHROPIC_API_KEY=sk-bench ANTHROPIC_BASE_URL=http://127.0.0.1:9 node "$cli" daemon > /dev/null 2>&1 &
  local pid=$!
  sleep 10
  local before after rss
  before=$(awk '{print $14+$15}' "/proc/$pid/stat")
  sleep 10
  after=$(awk '{print $14+$15}' "/proc/$pid/stat")
  rss=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
  kill -TERM "$pid"
  wait "$pid" 2>/dev/null || true
  printf '| %s | %.1f MiB | %d |\n' "$1" "$(echo "$rss / 1024" | bc -l)" "$((after - before))"
}
echo "| daemon | RSS | CPU ticks in 10 s |"
echo "|---|---|---|"
for _ in 1 2; do
  measure "jobs off" '{"jobs":{"tokens-check":{"enabled":false},"self-check":{"enabled":false}}}'
  measure "jobs on" '{}'
done
