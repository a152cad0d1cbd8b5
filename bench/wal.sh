#!/usr/bin/env bash
# WAL archiving throughput side by side: the same backlog of WAL segments drained by pgBackRest's archive-push
# (asynchronous, process-max 2, zst level 3, aes-256-cbc) and by Lifeboat's archive_command spool, the agent reading
# ready segments ahead from pg_wal (zstd level 3, AES-256-GCM). WAL is generated first with archiving held back (archive_command fails),
# then the tool's command is put in place and the time to archive the whole backlog is measured.
# Usage: bench/wal.sh [segments=128]   (needs: apt-get install -y postgresql pgbackrest; run as root)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
segments="${1:-128}"
work="${LIFEBOAT_BENCH_DIR:-/tmp/lifeboat-bench-wal}"
bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
port=54339
as_pg() { runuser -u postgres -- "$@"; }
(cd "$root" && mvn -B -q -DskipTests -pl lifeboat-cli -am package)
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/{print $2}') GiB; $("$bin/postgres" --version); $(pgbackrest version)"
psql() { as_pg "$bin/psql" -h 127.0.0.1 -p $port -U postgres -qAtX -v ON_ERROR_STOP=1 "$@"; }
export LIFEBOAT_PASSPHRASE=bench-passphrase-for-lifeboat

# A fresh cluster holding a backlog of $segments unarchived segments of realistic WAL (inserts of text rows).
backlog() {
  rm -rf "$work"; mkdir -p "$work/spool" "$work/pgbackrest-spool"; chown -R postgres "$work"
  as_pg "$bin/initdb" -D "$work/data" -U postgres --auth=trust >/dev/null
  cat >> "$work/data/postgresql.conf" <<CONF
port = $port
listen_addresses = '127.0.0.1'
unix_socket_directories = '$work'
wal_level = replica
max_wal_size = 8GB
archive_mode = on
archive_command = '/bin/false'
CONF
  as_pg "$bin/pg_ctl" -D "$work/data" -l "$work/server.log" -w start >/dev/null
  psql -c "CREATE TABLE events (id bigint, at timestamptz DEFAULT now(), body text)"
  first=$(psql -c "SELECT pg_walfile_name(pg_current_wal_lsn())")
  while [ "$(psql -c "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0') / 16777216 >= $segments + 1")" != t ]; do
    psql -c "INSERT INTO events (id, body) SELECT g, md5(g::text) || ' learner progress ' || (g % 977) FROM generate_series(1, 200000) g"
  done
  last=$(psql -c "SELECT pg_walfile_name(pg_current_wal_lsn())")
  psql -c "SELECT pg_switch_wal()" >/dev/null
}

# Seconds until the archiver reports $last archived, after archive_command is set to $1.
drain() {
  local s e
  psql -c "ALTER SYSTEM SET archive_command = '$1'" -c "SELECT pg_reload_conf()" >/dev/null
  s=$(date +%s.%N)
  until [ "$(psql -c "SELECT coalesce(last_archived_wal, '') >= '$last' FROM pg_stat_archiver")" = t ]; do sleep 0.2; done
  e=$(date +%s.%N)
  awk -v s=$s -v e=$e 'BEGIN{printf "%.2f", e-s}'
}
stop() { as_pg "$bin/pg_ctl" -D "$work/data" -m immediate stop >/dev/null 2>&1 || true; }
trap stop EXIT

# pgBackRest, asynchronous archive-push with two processes.
backlog
cat > "$work/pgbackrest.conf" <<CONF
[global]
repo1-path=$work/pgbackrest-repo
repo1-cipher-type=aes-256-cbc
repo1-cipher-pass=bench-passphrase-for-pgbackrest
compress-type=zst
compress-level=3
process-max=2
archive-async=y
spool-path=$work/pgbackrest-spool
log-level-console=warn
lock-path=$work/pgbackrest-lock
log-path=$work

[bench]
pg1-path=$work/data
pg1-port=$port
pg1-socket-path=$work
CONF
chown postgres "$work/pgbackrest.conf"
as_pg pgbackrest --config="$work/pgbackrest.conf" --stanza=bench stanza-create >/dev/null
n=$(( 16#${last:16:8} - 16#${first:16:8} + 1 ))
br=$(drain "pgbackrest --config=$work/pgbackrest.conf --stanza=bench archive-push %p")
echo "pgbackrest archive-push (async, process-max 2): $n segments in ${br} s, $(awk -v n=$n -v t=$br 'BEGIN{printf "%.0f MB/s, %.0f ms per segment", n*16.777/t, t*1000/n}')"
stop

# Lifeboat: archive_command copies into the spool; the agent stores and removes what it finds there.
backlog
cat > "$work/lifeboat.yaml" <<PLAN
version: 1
name: wal-bench
objectives: {rto: 1h, rpo: 15m}
resources:
  postgres:
    app-db: {primary: 127.0.0.1:$port, user: postgres, data-dir: $work/data}
repository:
  regions:
    local: {store: filesystem, path: $work/lifeboat-repo}
  encryption: {passphrase: {env: LIFEBOAT_PASSPHRASE}}
schedules:
  wal-archive: {job: wal, resources: [app-db], max-lag: 5m, options: {spool: $work/spool}}
PLAN
export LIFEBOAT_CONFIG="$work/lifeboat.yaml"
"$root/lifeboat" repo init >/dev/null
"$root/lifeboat" agent --status-every 1h >"$work/agent.log" 2>&1 &
agent=$!
trap 'kill $agent 2>/dev/null || true; stop' EXIT
sleep 3
# The command the agent asks for (it says so when it starts): copy into the spool, wait until stored.
command=$(sed -n "s/.*set archive_command = '\(.*\)'$/\1/p" "$work/agent.log" | head -1)
[ -n "$command" ] || { cat "$work/agent.log"; exit 1; }
lb=$(drain "$command")
echo "lifeboat spool + agent: $n segments in ${lb} s, $(awk -v n=$n -v t=$lb 'BEGIN{printf "%.0f MB/s, %.0f ms per segment", n*16.777/t, t*1000/n}')"
echo "ratio (pgBackRest's time / Lifeboat's): $(awk -v a=$br -v b=$lb 'BEGIN{printf "%.2f", a/b}')x"
kill $agent 2>/dev/null || true
wait $agent 2>/dev/null || true
