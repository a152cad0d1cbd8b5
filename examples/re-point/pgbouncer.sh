#!/bin/sh
# A re-point command for PgBouncer: after 'lifeboat failover postgres' promotes a replica, every entry of
# pgbouncer.ini's [databases] section that names the old primary (host=… port=…) is pointed at the new one, the
# file is replaced atomically (mode and owner kept), and PgBouncer is told to RELOAD through its admin console.
# Running it again after a success changes nothing and exits 0.
#
# In the plan (docs/reference/config.md, "re-point"):
#   re-point: {command: [/etc/lifeboat/pgbouncer.sh, /etc/pgbouncer/pgbouncer.ini, "host=127.0.0.1 port=6432 user=pgbouncer dbname=pgbouncer"]}
# Arguments: the pgbouncer.ini to edit; a libpq connection string for the admin console (the user must be in
# admin_users; default "dbname=pgbouncer"). PSQL names the psql to use (default: psql on PATH).
# Lifeboat sets LIFEBOAT_OLD_PRIMARY_HOST/PORT and LIFEBOAT_NEW_PRIMARY_HOST/PORT. Exit status: 0 re-pointed (or
# already pointing there); 2 usage; 3 no entry names the old or the new primary; 4 the reload failed.
set -eu
[ $# -ge 1 ] || { echo "usage: $0 PGBOUNCER_INI [ADMIN_CONNINFO]" >&2; exit 2; }
ini="$1"
admin="${2:-dbname=pgbouncer}"
psql="${PSQL:-psql}"
for v in LIFEBOAT_OLD_PRIMARY_HOST LIFEBOAT_OLD_PRIMARY_PORT LIFEBOAT_NEW_PRIMARY_HOST LIFEBOAT_NEW_PRIMARY_PORT; do
  eval "[ -n \"\${$v:-}\" ]" || { echo "$0: $v is not set (this runs from 'lifeboat failover postgres')" >&2; exit 2; }
done
old="host=$LIFEBOAT_OLD_PRIMARY_HOST port=$LIFEBOAT_OLD_PRIMARY_PORT"
new="host=$LIFEBOAT_NEW_PRIMARY_HOST port=$LIFEBOAT_NEW_PRIMARY_PORT"

tmp="$ini.lifeboat-$$"
trap 'rm -f "$tmp"' EXIT
cp -p "$ini" "$tmp"   # the new file gets the old one's mode and owner
# Fields are compared whole (host=10.0.0.1 never matches host=10.0.0.10); other settings of an entry stay as they are.
awk -v oh="host=$LIFEBOAT_OLD_PRIMARY_HOST" -v op="port=$LIFEBOAT_OLD_PRIMARY_PORT" \
    -v nh="host=$LIFEBOAT_NEW_PRIMARY_HOST" -v np="port=$LIFEBOAT_NEW_PRIMARY_PORT" -v counts="$tmp.counts" '
  /^[ \t]*\[/ { section = $0; gsub(/[ \t]/, "", section) }
  section == "[databases]" && $0 !~ /^[ \t]*[;#]/ {
    h = 0; p = 0; nhit = 0; npt = 0
    for (i = 1; i <= NF; i++) { if ($i == oh) h = i; if ($i == op) p = i; if ($i == nh) nhit = 1; if ($i == np) npt = 1 }
    if (h && p) { $h = nh; $p = np; moved++ } else if (nhit && npt) { already++ }
  }
  { print }
  END { print moved + 0, already + 0 > counts }' "$ini" > "$tmp"
read -r moved already < "$tmp.counts"; rm -f "$tmp.counts"
if [ "$moved" -eq 0 ]; then
  if [ "$already" -gt 0 ]; then
    echo "pgbouncer: $already [databases] entries already point at $new; nothing to do"
    exit 0
  fi
  echo "pgbouncer: no [databases] entry in $ini names $old (or $new)" >&2
  exit 3
fi
mv -f "$tmp" "$ini"
if ! "$psql" "$admin" -X -q -c RELOAD >/dev/null; then
  echo "pgbouncer: $ini now points at $new, but RELOAD through '$admin' failed: reload PgBouncer yourself" >&2
  exit 4
fi
echo "pgbouncer: $moved [databases] entries moved from $old to $new; reloaded"
