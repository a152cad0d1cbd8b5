#!/usr/bin/env bash
# PostgreSQL base backups side by side: Lifeboat, pg_basebackup and pgBackRest, on one pgbench database, full and
# after a round of changes. Each tool compresses; Lifeboat and pgBackRest also encrypt.
# Usage: bench/postgres.sh [pgbench scale=30]   (needs: apt-get install -y postgresql pgbackrest; run as root)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
scale="${1:-30}"
work="${LIFEBOAT_BENCH_DIR:-/tmp/lifeboat-bench-pg}"
bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
port=54329
as_pg() { runuser -u postgres -- "$@"; }
rm -rf "$work"; mkdir -p "$work"; chown postgres "$work"
(cd "$root" && mvn -B -q -DskipTests -pl lifeboat-cli -am package)
jar="$root/lifeboat-cli/target/lifeboat.jar"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/{print $2}') GiB; $("$bin/postgres" --version); $(pgbackrest version)"

as_pg "$bin/initdb" -D "$work/data" -U postgres --auth=trust --data-checksums >/dev/null
cat >> "$work/data/postgresql.conf" <<CONF
port = $port
listen_addresses = '127.0.0.1'
unix_socket_directories = '$work'
wal_level = replica
max_wal_senders = 5
archive_mode = on
archive_command = 'pgbackrest --config=$work/pgbackrest.conf --stanza=bench archive-push %p'
CONF
cat > "$work/pgbackrest.conf" <<CONF
[global]
repo1-path=$work/pgbackrest-repo
repo1-cipher-type=aes-256-cbc
repo1-retention-full=2
repo1-cipher-pass=bench-passphrase-for-pgbackrest
compress-type=zst
compress-level=3
process-max=2
start-fast=y
log-level-console=warn
lock-path=$work/pgbackrest-lock
log-path=$work

[bench]
pg1-path=$work/data
pg1-port=$port
pg1-socket-path=$work
CONF
chown postgres "$work/pgbackrest.conf"
as_pg "$bin/pg_ctl" -D "$work/data" -l "$work/server.log" -w start >/dev/null
trap 'as_pg "$bin/pg_ctl" -D "$work/data" -m immediate stop >/dev/null 2>&1 || true' EXIT
as_pg "$bin/pgbench" -h 127.0.0.1 -p $port -i -s "$scale" -q postgres >/dev/null 2>&1
size=$(du -sb "$work/data" | cut -f1)
echo "database: pgbench scale $scale, data directory $(awk -v b=$size 'BEGIN{printf "%.0f MB", b/1e6}')"
as_pg pgbackrest --config="$work/pgbackrest.conf" --stanza=bench stanza-create >/dev/null

t() { local s e; s=$(date +%s.%N); "$@" >/dev/null; sync; e=$(date +%s.%N); awk -v s=$s -v e=$e 'BEGIN{printf "%.2f", e-s}'; }
mb() { du -sb "$1" | cut -f1 | awk '{printf "%.0f MB", $1/1e6}'; }

export LIFEBOAT_PASSPHRASE=bench-passphrase-for-lifeboat
java -jar "$jar" repo init --repo "$work/lifeboat-repo" >/dev/null
for round in full changed; do
  if [ "$round" = changed ]; then
    as_pg "$bin/pgbench" -h 127.0.0.1 -p $port -T 15 -c 2 postgres >/dev/null 2>&1
  fi
  lb=$(t java -jar "$jar" backup postgres --repo "$work/lifeboat-repo" --host 127.0.0.1 --port $port --data-dir "$work/data" --name bench)
  pgb_dir="$work/basebackup-$round"; rm -rf "$pgb_dir"
  pgb=$(t as_pg "$bin/pg_basebackup" -h 127.0.0.1 -p $port -D "$pgb_dir" -Ft -z -X fetch -c fast)
  type=full; [ "$round" = changed ] && type=incr
  br=$(t as_pg pgbackrest --config="$work/pgbackrest.conf" --stanza=bench --type=$type backup)
  echo "$round: lifeboat ${lb}s (repo $(mb "$work/lifeboat-repo"))  pg_basebackup -Ft -z ${pgb}s ($(mb "$pgb_dir"), no encryption)  pgbackrest $type ${br}s (repo $(mb "$work/pgbackrest-repo"))"
done
