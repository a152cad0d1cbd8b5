#!/usr/bin/env bash
# PostgreSQL side by side: Lifeboat, pgBackRest and pg_basebackup on one generated database whose data looks like
# the Learning Assistant's (UUIDs, e-mail addresses, timestamps, JSON, sentences from a vocabulary; not pgbench's
# nearly empty rows): full backup, a second backup after ~1 % of the rows changed, and restore. Prints the ratios.
# Usage: bench/postgres.sh [million progress rows=12 (about 2 GB)] [repetitions=3]
#   (needs: apt-get install -y postgresql pgbackrest python3; run as root)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
rows="${1:-12}"
reps="${2:-3}"
work="${LIFEBOAT_BENCH_DIR:-/tmp/lifeboat-bench-pg}"
bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
port=54329
as_pg() { runuser -u postgres -- "$@"; }
rm -rf "$work"; mkdir -p "$work"; chown postgres "$work"
(cd "$root" && mvn -B -q -DskipTests -pl lifeboat-cli,lifeboat-bench -am package)
jar="$root/lifeboat-cli/target/lifeboat.jar"
lifeboat() { "$root/lifeboat" "$@"; }   # the launcher, with its JVM settings
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/{print $2}') GiB; $("$bin/postgres" --version); $(pgbackrest version)"

as_pg "$bin/initdb" -D "$work/data" -U postgres --auth=trust --data-checksums >/dev/null
cat >> "$work/data/postgresql.conf" <<CONF
port = $port
listen_addresses = '127.0.0.1'
unix_socket_directories = '$work'
wal_level = replica
max_wal_senders = 5
max_wal_size = 4GB
archive_mode = on
archive_command = 'pgbackrest --config=$work/pgbackrest.conf --stanza=bench archive-push %p'
CONF
cat > "$work/pgbackrest.conf" <<CONF
[global]
repo1-path=$work/pgbackrest-repo
repo1-cipher-type=aes-256-cbc
repo1-retention-full=9
repo1-cipher-pass=bench-passphrase-for-pgbackrest
compress-type=zst
compress-level=3
process-max=2
start-fast=y
delta=y
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
psql() { as_pg "$bin/psql" -h 127.0.0.1 -p $port -U postgres -qAtX -v ON_ERROR_STOP=1 "$@"; }

# Sizes in bytes. Files may vanish while du walks (a session's temporary tables go when its backend exits).
bytes() { { du -sb "$1" 2>/dev/null || true; } | cut -f1; }

start=$(date +%s)
psql <<SQL
CREATE TABLE learners (id uuid PRIMARY KEY, email text NOT NULL, name text NOT NULL, locale text, created_at timestamptz, prefs jsonb);
CREATE TABLE progress (id bigint PRIMARY KEY, learner uuid NOT NULL, lesson int NOT NULL, score int, attempts int,
                       updated_at timestamptz, notes text);
CREATE FUNCTION words(n int, seed int) RETURNS text LANGUAGE sql IMMUTABLE AS \$\$
  SELECT string_agg((ARRAY['lesson','quiz','vector','matrix','river','theorem','grammar','verb','photosynthesis','cell',
    'history','empire','ocean','planet','orbit','function','variable','loop','poem','rhythm','chemistry','bond','atom',
    'energy','fraction','angle','triangle','essay','paragraph','summary','review','practice','mistake','hint','correct',
    'again','slowly','quickly','understood','confused','excellent','progress','streak','badge','level','unit','chapter'])
    [1 + abs(hashint4(seed * 31 + i)) % 47], ' ') FROM generate_series(1, n) i
\$\$;
INSERT INTO learners SELECT gen_random_uuid(), 'learner' || g || '@example.org', initcap(words(2, g)),
  (ARRAY['en','de','fr','es','pt','ja'])[1 + g % 6], now() - (g % 900) * interval '1 day',
  jsonb_build_object('theme', (ARRAY['light','dark'])[1 + g % 2], 'daily_goal', 5 + g % 40, 'reminders', g % 3 = 0)
  FROM generate_series(1, ${rows}0000) g;
CREATE TEMP TABLE ids AS SELECT row_number() OVER () AS n, id FROM learners;
CREATE TEMP TABLE sentences AS SELECT n, words(3 + n % 12, n) AS s FROM generate_series(1, 100000) n;
INSERT INTO progress SELECT g, ids.id, 1 + g % 400, ((g::bigint * 7919) % 101)::int, 1 + g % 5,
  now() - (g % 100000) * interval '1 minute', sentences.s
  FROM generate_series(1, ${rows}000000) g
  JOIN ids ON ids.n = 1 + g % ${rows}0000
  JOIN sentences ON sentences.n = 1 + (g * 13) % 100000;
CREATE INDEX ON progress (learner, lesson);
VACUUM (FREEZE, ANALYZE);
CHECKPOINT;
SQL
size=$(bytes "$work/data")
echo "database: ${rows}M progress rows, ${rows}0k learners (generated in $(( $(date +%s) - start )) s); data directory $(awk -v b=$size 'BEGIN{printf "%.0f MB", b/1e6}')"
as_pg pgbackrest --config="$work/pgbackrest.conf" --stanza=bench stanza-create >/dev/null
# Let archive_command catch up with the load's WAL first, so it does not compete with whichever tool runs first.
last=$(psql -c "SELECT pg_walfile_name(pg_current_wal_lsn())")
psql -c "SELECT pg_switch_wal()" >/dev/null
until [ "$(psql -c "SELECT coalesce(last_archived_wal, '') >= '$last' FROM pg_stat_archiver")" = t ]; do sleep 1; done

# t NAME COMMAND...: prints the wall time of COMMAND (and the sync after it); writes the CPU time (user + system) of
# it and every process it started to $work/cpu-NAME (bash's `times` in the command substitution's own subshell).
t() {
  local name=$1 s e; shift
  s=$(date +%s.%N); "$@" >/dev/null; sync; e=$(date +%s.%N)
  times > "$work/times-$name" # a builtin with a redirect runs in this process (a pipe would fork and see nothing)
  tail -1 "$work/times-$name" | awk '{ n = 0; for (i = 1; i <= 2; i++) { split($i, p, /[ms]/); n += p[1] * 60 + p[2] } printf "%.1f", n }' > "$work/cpu-$name"
  awk -v s=$s -v e=$e 'BEGIN{printf "%.2f", e-s}'
}
cpu() { cat "$work/cpu-$1"; }
mb() { awk -v b="$1" 'BEGIN{printf "%.0f MB", b/1e6}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2f", a/b}'; }
# Bytes of data pages whose LSN is past $1: the pages that changed since then.
changed_pages() {
  python3 - "$work/data" "$1" <<'PY'
import os, struct, sys
root, since = sys.argv[1], sys.argv[2]
hi, lo = since.split('/'); since = (int(hi, 16) << 32) | int(lo, 16)
n = 0
for d in ('base', 'global'):
    for dirpath, _, files in os.walk(os.path.join(root, d)):
        for f in files:
            if not f.split('.')[0].split('_')[0].isdigit() or '_' in f:
                continue
            with open(os.path.join(dirpath, f), 'rb') as fh:
                while True:
                    page = fh.read(8192)
                    if len(page) < 8192:
                        break
                    xlogid, xrecoff = struct.unpack_from('<II', page)
                    if ((xlogid << 32) | xrecoff) > since:
                        n += 8192
print(n)
PY
}

export LIFEBOAT_PASSPHRASE=bench-passphrase-for-lifeboat
declare -A time size
# This machine's timings vary by up to half from one run to the next (other guests share the host), so full
# backups and restores run $reps times each, the tools taking turns, and the ratios use the medians.
median() { printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END { printf "%.2f", NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
# Sizes are what each backup adds to its tool's repository, the WAL needed to restore it included: Lifeboat keeps
# that WAL in the snapshot, pgBackRest in its archive (its archive_command runs all along, and a backup ends only
# once its last segment is archived), so for pgBackRest the growth of backup sets and archive together counts.
lb_t=(); lb_c=(); br_t=(); br_c=()
for i in $(seq 1 "$reps"); do
  repo="$work/lifeboat-repo-$i"
  lifeboat repo init --repo "$repo" >/dev/null
  r0=$(bytes "$repo")
  lb_t+=("$(t lb_full_$i lifeboat backup postgres --repo "$repo" --host 127.0.0.1 --port $port --data-dir "$work/data" --name bench)")
  lb_c+=("$(cpu lb_full_$i)")
  size[lb_full]=$(( $(bytes "$repo") - r0 ))
  b0=$(bytes "$work/pgbackrest-repo")
  br_t+=("$(t br_full_$i as_pg pgbackrest --config="$work/pgbackrest.conf" --stanza=bench --type=full backup)")
  br_c+=("$(cpu br_full_$i)")
  size[br_full]=$(( $(bytes "$work/pgbackrest-repo") - b0 ))
  echo "full backup $i/$reps: lifeboat ${lb_t[-1]} s (CPU ${lb_c[-1]} s), $(mb ${size[lb_full]})   pgbackrest ${br_t[-1]} s (CPU ${br_c[-1]} s), +$(mb ${size[br_full]})"
  [ "$i" -lt "$reps" ] && rm -rf "$repo"
done
mv "$work/lifeboat-repo-$reps" "$work/lifeboat-repo"
time[lb_full]=$(median "${lb_t[@]}"); time[br_full]=$(median "${br_t[@]}")
echo "full backup, medians: lifeboat ${time[lb_full]} s (CPU $(median "${lb_c[@]}") s)   pgbackrest ${time[br_full]} s (CPU $(median "${br_c[@]}") s)"
# The same full backup three times in one JVM: the first pays the JIT's compilation as every one-shot command does,
# the others run warm, as the agent's scheduled backups do (it is a long-running process).
jvm="-XX:+UseParallelGC -Xmn256m"
grep -qE '\[(always|madvise)\]' /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null && jvm="$jvm -XX:+UseTransparentHugePages"
warm=$(java $jvm -cp "$root/lifeboat-bench/target/lifeboat-bench.jar" dev.lifeboat.bench.WarmPostgresBackup \
  "jdbc:postgresql://127.0.0.1:$port/postgres" postgres "$work/data" "$work" 3)
echo "$warm"
time[lb_warm]=$(median $(echo "$warm" | awk '/\(warm\)/ { print $6 }'))
pgb_dir="$work/basebackup"; rm -rf "$pgb_dir"
time[pgb]=$(t pgb as_pg "$bin/pg_basebackup" -h 127.0.0.1 -p $port -D "$pgb_dir" -Ft -z -X fetch -c fast)
echo "pg_basebackup -Ft -z: ${time[pgb]} s, $(mb $(bytes "$pgb_dir")) (gzip, no encryption)"

before=$(psql -c "SELECT pg_current_wal_lsn()")
psql -c "UPDATE progress SET score = score + 1, attempts = attempts + 1, updated_at = now() WHERE id % 100 = 37" >/dev/null
psql -c "CHECKPOINT" >/dev/null
changed=$(changed_pages "$before")
r0=$(bytes "$work/lifeboat-repo")
time[lb_changed]=$(t lb_changed lifeboat backup postgres --repo "$work/lifeboat-repo" --host 127.0.0.1 --port $port --data-dir "$work/data" --name bench)
size[lb_changed]=$(( $(bytes "$work/lifeboat-repo") - r0 ))
b0=$(bytes "$work/pgbackrest-repo")
time[br_changed]=$(t br_changed as_pg pgbackrest --config="$work/pgbackrest.conf" --stanza=bench --type=incr backup)
size[br_changed]=$(( $(bytes "$work/pgbackrest-repo") - b0 ))
echo "after 1 % of rows changed: lifeboat ${time[lb_changed]} s (CPU $(cpu lb_changed) s), +$(mb ${size[lb_changed]})   pgbackrest incr ${time[br_changed]} s (CPU $(cpu br_changed) s), +$(mb ${size[br_changed]})"

rl="$work/restore-lifeboat"; rb="$work/restore-pgbackrest"
lb_t=(); lb_c=(); br_t=(); br_c=()
for i in $(seq 1 "$reps"); do
  rm -rf "$rl" "$rb"; mkdir -p "$rb"; chown postgres "$rb"; chmod 700 "$rb"
  lb_t+=("$(t lb_restore_$i lifeboat restore postgres --repo "$work/lifeboat-repo" --snapshot latest --name bench --to "$rl")")
  lb_c+=("$(cpu lb_restore_$i)")
  br_t+=("$(t br_restore_$i as_pg pgbackrest --config="$work/pgbackrest.conf" --stanza=bench --pg1-path="$rb" restore)")
  br_c+=("$(cpu br_restore_$i)")
  echo "restore $i/$reps (newest backup into an empty directory): lifeboat ${lb_t[-1]} s (CPU ${lb_c[-1]} s)   pgbackrest ${br_t[-1]} s (CPU ${br_c[-1]} s)"
done
time[lb_restore]=$(median "${lb_t[@]}"); time[br_restore]=$(median "${br_t[@]}")
echo "restore, medians: lifeboat ${time[lb_restore]} s (CPU $(median "${lb_c[@]}") s)   pgbackrest ${time[br_restore]} s (CPU $(median "${br_c[@]}") s)"
echo
echo "ratios (pgBackRest's time or size divided by Lifeboat's; above 1 means Lifeboat is faster or smaller; times are medians of $reps):"
echo "  full backup speed      $(ratio ${time[br_full]} ${time[lb_full]})x   (target >= 1.5)"
echo "  full backup size       $(ratio ${size[br_full]} ${size[lb_full]})x   (target >= 1.0)"
echo "  full backup speed, warm JVM (the agent's scheduled backups; backup only, no JVM start or key derivation)  $(ratio ${time[br_full]} ${time[lb_warm]})x"
echo "  second backup speed    $(ratio ${time[br_changed]} ${time[lb_changed]})x"
echo "  restore speed          $(ratio ${time[br_restore]} ${time[lb_restore]})x   (target >= 1.5)"
echo "second backup: Lifeboat stored $(mb ${size[lb_changed]}) for $(mb $changed) of changed pages: $(ratio ${size[lb_changed]} $changed)x (target <= 1.5); pgBackRest $(ratio ${size[br_changed]} $changed)x"
