#!/usr/bin/env bash
# RPO under load (issue 4, item 9): writers at full speed record every acknowledged commit; the primary is killed
# with SIGKILL and its data directory deleted; the cluster is recovered from the repository to the latest point; the
# acknowledged commits missing are counted. Once with WAL streaming, once with the agent in synchronous mode.
# Usage: bench/rpo.sh [load seconds=15] [writers=4]   (needs what the test suite needs: PostgreSQL server binaries)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
seconds="${1:-15}"; writers="${2:-4}"
cd "$root"
mvn -B -q -ntp -DskipTests install >/dev/null
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/{print $2}') GiB, $(ls /usr/lib/postgresql | sort -n | tail -1 | sed 's/^/PostgreSQL /')"
log="$(mktemp)"
if ! mvn -B -ntp -pl lifeboat-cli verify -Dit.test=RpoUnderLoadBenchmark -Dtest=NoUnit -Dsurefire.failIfNoSpecifiedTests=false \
    -Drpo.seconds="$seconds" -Drpo.writers="$writers" >"$log" 2>&1; then
  tail -60 "$log"; rm -f "$log"; exit 1
fi
grep '^RPO ' "$log"
rm -f "$log"
