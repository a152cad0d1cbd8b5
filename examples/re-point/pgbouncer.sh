#!/bin/sh
# A re-point command for PgBouncer: after 'lifeboat failover postgres' promotes a replica, every entry of
# pgbouncer.ini's [databases] section that names the old primary (host=… and port=…, a missing port meaning 5432)
# is pointed at the new one, the file is replaced atomically (mode and owner kept, synced first), PgBouncer is told
# to RELOAD, and the clients of each moved database are disconnected (KILL, then RESUME) so that none stays on the
# old, fenced primary: in session pooling a server connection is otherwise only replaced when its client leaves.
# Running it again after a success changes nothing and exits 0.
#
# In the plan (docs/postgres-failover.md):
#   re-point: {command: [/etc/lifeboat/pgbouncer.sh, /etc/pgbouncer/pgbouncer.ini, "host=127.0.0.1 port=6432 user=pgbouncer dbname=pgbouncer"]}
# Arguments: the pgbouncer.ini to edit; a libpq connection string for the admin console (the user must be in
# admin_users; default "dbname=pgbouncer"). Keep passwords out of it: Lifeboat shows the command it runs; use
# ~/.pgpass of the user running Lifeboat (HOME is passed on). PSQL names the psql to use (default: psql on PATH).
# Entries must name the primary as the plan does (the same host name or address).
# Lifeboat sets LIFEBOAT_OLD_PRIMARY_HOST/PORT and LIFEBOAT_NEW_PRIMARY_HOST/PORT. Exit status: 0 re-pointed (or
# already pointing there); 2 usage; 3 no entry names the old or the new primary; 4 the reload failed.
set -eu
[ $# -ge 1 ] || { echo "usage: $0 PGBOUNCER_INI [ADMIN_CONNINFO]" >&2; exit 2; }
ini=$(readlink -f -- "$1")   # edit the file itself, not a symlink to it
admin="${2:-dbname=pgbouncer}"
psql="${PSQL:-psql}"
for v in LIFEBOAT_OLD_PRIMARY_HOST LIFEBOAT_OLD_PRIMARY_PORT LIFEBOAT_NEW_PRIMARY_HOST LIFEBOAT_NEW_PRIMARY_PORT; do
  eval "[ -n \"\${$v:-}\" ]" || { echo "$0: $v is not set (this runs from 'lifeboat failover postgres')" >&2; exit 2; }
done
old="host=$LIFEBOAT_OLD_PRIMARY_HOST port=$LIFEBOAT_OLD_PRIMARY_PORT"
new="host=$LIFEBOAT_NEW_PRIMARY_HOST port=$LIFEBOAT_NEW_PRIMARY_PORT"

tmp="$ini.lifeboat-$$"
trap 'rm -f "$tmp" "$tmp.moved"' EXIT
cp -p "$ini" "$tmp"   # the new file gets the old one's mode and owner
# Fields are compared whole (host=10.0.0.1 never matches host=10.0.0.10); other settings of an entry stay as they are.
# The names of the moved databases go to $tmp.moved; "already" counts entries that point at the new primary.
awk -v oh="$LIFEBOAT_OLD_PRIMARY_HOST" -v op="$LIFEBOAT_OLD_PRIMARY_PORT" \
    -v nh="$LIFEBOAT_NEW_PRIMARY_HOST" -v np="$LIFEBOAT_NEW_PRIMARY_PORT" -v moved_file="$tmp.moved" '
  function port_of(   i) { for (i = 1; i <= NF; i++) if ($i ~ /^port=/) return substr($i, 6); return "5432" }
  function field(name,   i) { for (i = 1; i <= NF; i++) if ($i ~ ("^" name "=")) return i; return 0 }
  /^[ \t]*\[/ { section = $0; gsub(/[ \t]/, "", section) }
  section == "[databases]" && $0 !~ /^[ \t]*[;#]/ && $0 ~ /=/ {
    h = field("host")
    if (h && $h == "host=" oh && port_of() == op) {
      db = $1; sub(/=.*/, "", db)
      $h = "host=" nh
      p = field("port")
      if (p) $p = "port=" np; else $(NF + 1) = "port=" np
      print db > moved_file
    } else if (h && $h == "host=" nh && port_of() == np) {
      already++
    }
  }
  { print }
  END { print "already", already + 0 > (moved_file ".already") }' "$ini" > "$tmp"
moved=$( [ -f "$tmp.moved" ] && wc -l < "$tmp.moved" | tr -d ' ' || echo 0)
already=$(cut -d' ' -f2 "$tmp.moved.already"); rm -f "$tmp.moved.already"
if [ "$moved" -eq 0 ]; then
  if [ "$already" -gt 0 ]; then
    # An earlier run may have edited the file but failed to reload: reloading again is harmless.
    if ! "$psql" "$admin" -X -q -v ON_ERROR_STOP=1 -c RELOAD >/dev/null; then
      echo "pgbouncer: $ini points at $new, but RELOAD through the admin console failed: reload PgBouncer yourself" >&2
      exit 4
    fi
    echo "pgbouncer: $already [databases] entries already point at $new; reloaded"
    exit 0
  fi
  echo "pgbouncer: no [databases] entry in $ini names $old (or $new)" >&2
  exit 3
fi
sync "$tmp" 2>/dev/null || true
mv -f "$tmp" "$ini"
# RELOAD picks up the new addresses; KILL drops every client and server connection of a moved database (the old
# primary is fenced and read-only anyway) and RESUME lets clients in again, now to the new primary. Names are
# double-quoted for the admin console (which otherwise takes only [0-9a-z_]); ON_ERROR_STOP makes any failure count.
quote() { printf '"%s"' "$(printf '%s' "$1" | sed 's/"/""/g')"; }
set -- -c RELOAD
while read -r db; do
  set -- "$@" -c "KILL $(quote "$db")" -c "RESUME $(quote "$db")"
done < "$tmp.moved"
if ! "$psql" "$admin" -X -q -v ON_ERROR_STOP=1 "$@" >/dev/null; then
  # Never leave a database paused: RESUME each one on its own (errors for those never killed are expected).
  while read -r db; do
    "$psql" "$admin" -X -q -c "RESUME $(quote "$db")" >/dev/null 2>&1 || true
  done < "$tmp.moved"
  echo "pgbouncer: $ini now points at $new, but RELOAD or KILL/RESUME through the admin console failed: reload PgBouncer yourself" >&2
  exit 4
fi
echo "pgbouncer: $moved [databases] entries moved from $old to $new; reloaded, their clients reconnected"
