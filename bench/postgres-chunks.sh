#!/usr/bin/env bash
# Chunk size for PostgreSQL data files (ADR 0007): for each size, a full backup of a pgbench database, 15 s of
# pgbench, a second backup; prints the bytes the second backup stored and the repository's index size.
# Usage: bench/postgres-chunks.sh [pgbench scale=30] [sizes="8192 16384 32768 65536"]   (run as root)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
scale="${1:-30}"; sizes="${2:-8192 16384 32768 65536}"
work="${LIFEBOAT_BENCH_DIR:-/tmp/lifeboat-bench-chunks}"
bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
port=54328
as_pg() { runuser -u postgres -- "$@"; }
rm -rf "$work"; mkdir -p "$work"; chown postgres "$work"
(cd "$root" && mvn -B -q -DskipTests -pl lifeboat-cli -am package)
jar="$root/lifeboat-cli/target/lifeboat.jar"
as_pg "$bin/initdb" -D "$work/data" -U postgres --auth=trust --data-checksums >/dev/null
printf "port = $port\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '$work'\nwal_level = replica\n" >> "$work/data/postgresql.conf"
as_pg "$bin/pg_ctl" -D "$work/data" -l "$work/server.log" -w start >/dev/null
trap 'as_pg "$bin/pg_ctl" -D "$work/data" -m immediate stop >/dev/null 2>&1 || true' EXIT
as_pg "$bin/pgbench" -h 127.0.0.1 -p $port -i -s "$scale" -q postgres >/dev/null 2>&1
as_pg "$bin/psql" -h 127.0.0.1 -p $port -qc "CHECKPOINT" postgres
export LIFEBOAT_PASSPHRASE=bench
for size in $sizes; do
  repo="$work/repo-$size"
  java -jar "$jar" repo init --repo "$repo" >/dev/null
  java -jar "$jar" backup postgres --repo "$repo" --host 127.0.0.1 --port $port --data-dir "$work/data" --name bench --chunk-size "$size" >/dev/null
  as_pg "$bin/pgbench" -h 127.0.0.1 -p $port -T 15 -c 2 postgres 2>/dev/null | grep -E "^number of transactions actually" || true
  as_pg "$bin/psql" -h 127.0.0.1 -p $port -qc "CHECKPOINT" postgres
  json=$(java -jar "$jar" backup postgres --repo "$repo" --host 127.0.0.1 --port $port --data-dir "$work/data" --name bench --chunk-size "$size" --json)
  new=$(echo "$json" | python3 -c 'import json,sys; s=json.load(sys.stdin)["stats"]; print(s["newBytes"], s["storedBytes"], s["chunks"])')
  index=$(du -sb "$repo/index" | cut -f1)
  echo "chunk $size: second backup new bytes / stored bytes / chunks: $new; index objects $index bytes"
done
