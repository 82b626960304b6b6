#!/usr/bin/env bash
# Restore drill: back up a database with pg_dump, restore it into a scratch database,
# and prove the copy is whole by comparing every table's row count. Prints the timings.
#
#   scripts/restore_drill.sh [SOURCE_DB]        (default: $PGDATABASE or partymatrix)
#
# Connection settings come from the usual libpq variables (PGHOST, PGPORT, PGUSER, …).
# The scratch database is dropped at the end unless KEEP_SCRATCH=1.
set -euo pipefail

source_db=${1:-${PGDATABASE:-partymatrix}}
scratch_db="${source_db}_restore_drill"
dump_file=$(mktemp -t "${source_db}.XXXXXX.dump")
trap 'rm -f "$dump_file"' EXIT

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

tables_sql="SELECT quote_ident(schemaname) || '.' || quote_ident(relname) FROM pg_stat_user_tables ORDER BY 1"
count_rows() {  # db -> "table count" lines
  local db=$1
  psql -X -At -d "$db" -c "$tables_sql" | while read -r table; do
    printf '%s %s\n' "$table" "$(psql -X -At -d "$db" -c "SELECT count(*) FROM $table")"
  done
}

echo "source: $source_db"
t0=$(now)
pg_dump -Fc -d "$source_db" -f "$dump_file"
t1=$(now)
echo "pg_dump: $(elapsed "$t0" "$t1") s, $(du -h "$dump_file" | cut -f1)"

dropdb --if-exists "$scratch_db"
createdb "$scratch_db"
t2=$(now)
pg_restore --no-owner --exit-on-error -j 2 -d "$scratch_db" "$dump_file"
t3=$(now)
echo "pg_restore into $scratch_db: $(elapsed "$t2" "$t3") s"

count_rows "$source_db" > "$dump_file.src"
count_rows "$scratch_db" > "$dump_file.dst"
if diff -u "$dump_file.src" "$dump_file.dst"; then
  tables=$(wc -l < "$dump_file.src")
  rows=$(awk '{ s += $2 } END { print s }' "$dump_file.src")
  echo "verified: $tables tables, $rows rows, identical counts"
  status=0
else
  echo "MISMATCH: the restored copy differs (see above)" >&2
  status=1
fi
rm -f "$dump_file.src" "$dump_file.dst"
[ "${KEEP_SCRATCH:-0}" = 1 ] || dropdb "$scratch_db"
echo "total: $(elapsed "$t0" "$(now)") s"
exit $status
