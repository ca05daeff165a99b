#!/usr/bin/env bash
# Wall time of our backup, update and restore against the databases' own tools on the same data,
# in one run: a SiteServer 5.0 site (benches/gen-site.sh: the bundled sample-5.0 with ROWS
# contents of about 1.7 KB) in MariaDB/MySQL and in PostgreSQL, and its copy in SQLite.
#
#   benches/compare.sh                 # 200,000 contents, release build, the local servers
#   ROWS=5000 benches/compare.sh       # a quick check that every step works
#   JOBS=1 benches/compare.sh          # restore with --jobs 1 (default: the tool's own, cores up to 4)
#   TRIES=1 benches/compare.sh         # each backup and restore once
#
# Each step runs the anchor first, then ours, each under /usr/bin/time -v after a `sync`, and
# checks the row count of the content table after every load; the backups and restores and their
# anchors run TRIES times in turns (default 3), each load into a fresh database, and keep their
# fastest try. It prints one table: seconds of each, the ratio
# ours ÷ anchor (lower is better), rows per second and the peak RSS of ours (rows: all rows of the
# site, contents included). A benchmark, not a test: nothing asserts a time, CI does not run it.
#
# Servers: SITESERVER_TEST_MYSQL_URL and SITESERVER_TEST_POSTGRES_URL, as for the tests (defaults:
# mysql://root@127.0.0.1:3306, postgres://postgres@127.0.0.1:5432). It creates databases named
# sscms_cmp_<pid>_* and drops them at the end; the servers' settings are not touched. Missing
# tools (pgloader, sqlite3, GNU time, jq, the clients) are installed with apt.
set -euo pipefail
cd "$(dirname "$0")/.."

ROWS=${ROWS:-200000}
JOBS=${JOBS:-}
PG_URL=${SITESERVER_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432}
MYSQL_URL=${SITESERVER_TEST_MYSQL_URL:-mysql://root@127.0.0.1:3306}
PG_URL=${PG_URL%/}
MYSQL_URL=${MYSQL_URL%/}

apt_install() {
  local sudo=
  if [ "$(id -u)" != 0 ]; then sudo=sudo; fi
  echo "installing $*"
  if ! $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null; then
    $sudo apt-get update -qq >/dev/null
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
  fi
}
# need COMMAND PACKAGE: installs PACKAGE unless COMMAND is there.
need() { command -v "$1" >/dev/null 2>&1 || apt_install "$2"; }
if [ ! -x /usr/bin/time ]; then apt_install time; fi
need pgloader pgloader
need sqlite3 sqlite3
need jq jq
need psql postgresql-client
need pg_dump postgresql-client
if ! command -v mariadb >/dev/null && ! command -v mysql >/dev/null; then apt_install mariadb-client; fi

# shellcheck source=benches/mysql-args.sh
source benches/mysql-args.sh
MYSQL_DUMP=$(command -v mariadb-dump || command -v mysqldump)
# pgloader spells the PostgreSQL scheme pgsql://.
PGLOADER_PG=pgsql://${PG_URL#*://}

cargo build --release -p sscms-cli
BIN=$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')/release/siteserver
export SITESERVER_BIN=$BIN
JOBS_ARGS=()
if [ -n "$JOBS" ]; then JOBS_ARGS=(--jobs "$JOBS"); fi

DB=sscms_cmp_$$
MY_DBS=("${DB}_src" "${DB}_dump" "${DB}_ours")
PG_DBS=("${DB}_src" "${DB}_dump" "${DB}_ours" "${DB}_pgloader" "${DB}_74" "${DB}_migrate")
WORK=$(mktemp -d "${TMPDIR:-/tmp}/sscms-compare.XXXXXX")
cleanup() {
  local d
  for d in "${PG_DBS[@]}"; do
    psql -q -X "$PG_URL/postgres" -c "DROP DATABASE IF EXISTS $d WITH (FORCE)" >/dev/null 2>&1 || true
  done
  for d in "${MY_DBS[@]}"; do
    "$MYSQL_CLIENT" "${MYSQL_ARGS[@]}" -e "DROP DATABASE IF EXISTS $d" >/dev/null 2>&1 || true
  done
  rm -rf "$WORK"
}
trap cleanup EXIT

my() { "$MYSQL_CLIENT" "${MYSQL_ARGS[@]}" --default-character-set=utf8mb4 "$@"; }
pg() { psql -q -X -v ON_ERROR_STOP=1 -At "$@"; }
for d in "${MY_DBS[@]}"; do my -e "CREATE DATABASE $d CHARACTER SET utf8mb4"; done
for d in "${PG_DBS[@]}"; do pg "$PG_URL/postgres" -c "CREATE DATABASE $d ENCODING 'UTF8'"; done

echo "building the 5.0 site with $ROWS contents in MySQL and PostgreSQL"
benches/gen-site.sh mysql "$MYSQL_URL/${DB}_src" "$ROWS"
benches/gen-site.sh postgres "$PG_URL/${DB}_src" "$ROWS"
# Both dumps read a settled database: otherwise the first reader of PostgreSQL's fresh rows
# sets their hint bits (writing every page) and autovacuum may start under the second.
pg "$PG_URL/${DB}_src" -c 'VACUUM (ANALYZE)'

# Row counts of the content table, wherever a load put it.
my_count() { my -N -B -e 'SELECT COUNT(*) FROM model_Content' "$1"; }
pg_count() {
  local table
  table=$(pg "$PG_URL/$1" -c "SELECT format('%I.%I', table_schema, table_name) FROM information_schema.tables
    WHERE lower(table_name) = 'model_content' AND table_schema NOT IN ('pg_catalog', 'information_schema')")
  if [ -z "$table" ]; then echo "no model_Content"; else pg "$PG_URL/$1" -c "SELECT COUNT(*) FROM $table"; fi
}
lite_count() { sqlite3 "$1" 'SELECT COUNT(*) FROM model_Content'; }
# check WHAT COUNT: the content table must hold ROWS rows.
check() {
  if [ "$2" != "$ROWS" ]; then
    echo "error: after $1 model_Content holds '$2' rows, expected $ROWS" >&2
    exit 1
  fi
}

declare -A SECS RSS
# timed NAME CMD...: runs CMD under /usr/bin/time -v (stdout to WORK/NAME.out, stderr to
# WORK/NAME.err) and records its wall seconds and peak RSS (MB) under NAME.
timed() {
  local name=$1
  shift
  local t0 t1 kb
  # What earlier steps left in the page cache goes to disk first: otherwise the kernel's
  # writeback of, say, pg_dump's 400 MB file takes CPU and disk from whichever step comes next.
  sync
  t0=$(date +%s%N)
  if ! /usr/bin/time -v -o "$WORK/$name.time" "$@" >"$WORK/$name.out" 2>"$WORK/$name.err"; then
    tail -n 20 "$WORK/$name.err" >&2
    echo "error: $name failed: $*" >&2
    exit 1
  fi
  t1=$(date +%s%N)
  kb=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$WORK/$name.time")
  SECS[$name]=$(awk "BEGIN { printf \"%.2f\", ($t1 - $t0) / 1e9 }")
  RSS[$name]=$((kb / 1024))
  printf '  %-22s %8s s %6s MB\n' "$name" "${SECS[$name]}" "${RSS[$name]}"
}
# ours NAME ARGS...: our binary with --format json, whose document must say ok.
ours() {
  local name=$1
  shift
  timed "$name" "$BIN" "$@" --format json
  if [ "$(jq -r .ok "$WORK/$name.out")" != true ]; then
    echo "error: $name: $(jq -r .error "$WORK/$name.out")" >&2
    exit 1
  fi
}
# This VM moves a step's time by a third either way from one try to the next (the host's own
# load, the servers' background work): `psql -f` of the same dump took 2.8 to 4.0 s in one day.
# So each backup and each restore runs TRIES times in turns with its anchor, and each keeps its
# fastest try. The sum of the three steps takes the first try of the backup, as pgloader gets one.
TRIES=${TRIES:-3}
# turns ANCHOR-NAME ANCHOR-FN OURS-NAME OURS-FN: FN NAME.k k for k = 1..TRIES, in turns.
turns() {
  local k
  for ((k = 1; k <= TRIES; k++)); do
    "$2" "$1.$k" "$k"
    "$4" "$3.$k" "$k"
  done
  fastest "$1"
  fastest "$3"
}
# fastest NAME: NAME gets the seconds and output of its fastest try, and the peak RSS of all.
fastest() {
  local name=$1 k best=1 rss=0
  for ((k = 1; k <= TRIES; k++)); do
    if awk "BEGIN { exit !(${SECS[$name.$k]} < ${SECS[$name.$best]}) }"; then best=$k; fi
    if [ "${RSS[$name.$k]}" -gt "$rss" ]; then rss=${RSS[$name.$k]}; fi
  done
  SECS[$name]=${SECS[$name.$best]}
  RSS[$name]=$rss
  cp "$WORK/$name.$best.out" "$WORK/$name.out"
}
# PostgreSQL writes out what earlier steps left in memory before each of its steps.
pg_checkpoint() { pg "$PG_URL/postgres" -c CHECKPOINT; }
# pg_settle DB: after a load, vacuums and analyzes what it loaded, untimed, so that autovacuum
# does not take its turn on 200,000 fresh rows during a later step (whichever it is).
pg_settle() { pg "$PG_URL/$1" -c 'VACUUM (ANALYZE)'; }

echo "MySQL"
my_dump() {
  timed "$1" "$MYSQL_DUMP" "${MYSQL_ARGS[@]}" --default-character-set=utf8mb4 --single-transaction \
    --result-file="$WORK/my.sql" "${DB}_src"
}
my_backup() { ours "$1" backup --database-type MySql --connection-string "$MYSQL_URL/${DB}_src" -d "$WORK/my.$2"; }
turns my_dump my_dump my_backup my_backup
mv "$WORK/my.1" "$WORK/my"
check "backup from MySQL" "$(jq '.tables[] | select(.table == "model_Content") | .rows' "$WORK/my_backup.out")"
ALL_ROWS=$(jq .rows "$WORK/my_backup.out")
# my_fresh DB: DB empty again for the next try of a load.
my_fresh() { my -e "DROP DATABASE IF EXISTS $1; CREATE DATABASE $1 CHARACTER SET utf8mb4"; }
my_load() {
  my_fresh "${DB}_dump"
  timed "$1" "$MYSQL_CLIENT" "${MYSQL_ARGS[@]}" --default-character-set=utf8mb4 "${DB}_dump" <"$WORK/my.sql"
  check "mariadb < dump" "$(my_count "${DB}_dump")"
}
my_restore() {
  my_fresh "${DB}_ours"
  ours "$1" restore --database-type MySql --connection-string "$MYSQL_URL/${DB}_ours" -d "$WORK/my" "${JOBS_ARGS[@]}"
  check "restore into MySQL" "$(my_count "${DB}_ours")"
}
turns my_load my_load my_restore my_restore

echo "PostgreSQL"
pg_checkpoint
pg_dump_try() { timed "$1" pg_dump --no-owner --no-privileges -f "$WORK/pg.sql" "$PG_URL/${DB}_src"; }
pg_backup() { ours "$1" backup --database-type PostgreSql --connection-string "$PG_URL/${DB}_src" -d "$WORK/pg.$2"; }
turns pg_dump pg_dump_try pg_backup pg_backup
mv "$WORK/pg.1" "$WORK/pg"
check "backup from PostgreSQL" "$(jq '.tables[] | select(.table == "model_Content") | .rows' "$WORK/pg_backup.out")"
# pg_fresh DB: DB empty again for the next try of a load, with what dropping it wrote on disk.
pg_fresh() {
  pg "$PG_URL/postgres" -c "DROP DATABASE IF EXISTS $1 WITH (FORCE)" -c "CREATE DATABASE $1 ENCODING 'UTF8'"
  pg_checkpoint
}
pg_load() {
  pg_fresh "${DB}_dump"
  timed "$1" psql -q -X -v ON_ERROR_STOP=1 -f "$WORK/pg.sql" "$PG_URL/${DB}_dump"
  check "psql -f dump" "$(pg_count "${DB}_dump")"
  pg_settle "${DB}_dump"
}
pg_restore() {
  pg_fresh "${DB}_ours"
  ours "$1" restore --database-type PostgreSql --connection-string "$PG_URL/${DB}_ours" -d "$WORK/pg" "${JOBS_ARGS[@]}"
  check "restore into PostgreSQL" "$(pg_count "${DB}_ours")"
  pg_settle "${DB}_ours"
}
turns pg_load pg_load pg_restore pg_restore

echo "MySQL 5.0 -> PostgreSQL 7.4"
pg_checkpoint
timed pgloader pgloader --root-dir "$WORK/pgloader" --with "prefetch rows = 5000" \
  "$MYSQL_URL/${DB}_src" "$PGLOADER_PG/${DB}_pgloader"
check "pgloader" "$(pg_count "${DB}_pgloader")"
pg_settle "${DB}_pgloader"
ours update update -d "$WORK/my" -o "$WORK/my74"
pg_checkpoint
ours restore74 restore --database-type PostgreSql --connection-string "$PG_URL/${DB}_74" -d "$WORK/my74" "${JOBS_ARGS[@]}"
check "backup + update + restore" "$(pg_count "${DB}_74")"
pg_settle "${DB}_74"
SECS[steps74]=$(awk "BEGIN { printf \"%.2f\", ${SECS[my_backup.1]} + ${SECS[update]} + ${SECS[restore74]} }")
RSS[steps74]=$(printf '%s\n' "${RSS[my_backup]}" "${RSS[update]}" "${RSS[restore74]}" | sort -n | tail -n 1)
pg_checkpoint
ours migrate migrate --from-type MySql --from-connection-string "$MYSQL_URL/${DB}_src" \
  --to-type PostgreSql --to-connection-string "$PG_URL/${DB}_migrate" -d "$WORK/migrate" "${JOBS_ARGS[@]}"
check "migrate" "$(pg_count "${DB}_migrate")"

echo "SQLite"
ours lite_restore restore --database-type SQLite --connection-string "$WORK/site.db" -d "$WORK/my"
check "restore into SQLite" "$(lite_count "$WORK/site.db")"
lite_dump() { timed "$1" sqlite3 "$WORK/site.db" ".output $WORK/lite.sql" .dump; }
lite_backup() { ours "$1" backup --database-type SQLite --connection-string "$WORK/site.db" -d "$WORK/lite.$2"; }
turns lite_dump lite_dump lite_backup lite_backup
check "backup from SQLite" "$(jq '.tables[] | select(.table == "model_Content") | .rows' "$WORK/lite_backup.out")"
timed lite_load sqlite3 "$WORK/dump.db" <"$WORK/lite.sql"
check "sqlite3 < dump" "$(lite_count "$WORK/dump.db")"

# row STEP ANCHOR-LABEL ANCHOR-NAME OURS-NAME
row() {
  local a=${SECS[$3]} o=${SECS[$4]}
  printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$1" "$2" "$a" "$o" \
    "$(awk "BEGIN { printf \"%.2f\", $o / $a }")" "$(awk "BEGIN { printf \"%d\", $ALL_ROWS / $o }")" "${RSS[$4]}"
}
echo
echo "$ROWS contents ($ALL_ROWS rows in $(jq '.tables | length' "$WORK/my_backup.out") tables, $(du -sh "$WORK/my" | cut -f1) of JSON),"
echo "$(date -u +%F), $(nproc) cores, $(my -N -B -e 'SELECT VERSION()'), PostgreSQL $(pg "$PG_URL/postgres" -c 'SHOW server_version'),"
echo "$(pgloader --version 2>/dev/null | awk 'NR == 1'), SQLite $(sqlite3 --version | cut -d' ' -f1), restore jobs ${JOBS:-default}:"
echo
echo '| step | anchor | anchor s | ours s | ours ÷ anchor | rows/s | ours peak RSS MB |'
echo '|---|---|---:|---:|---:|---:|---:|'
row "backup from MySQL" "\`mariadb-dump --single-transaction\`" my_dump my_backup
row "restore into MySQL" "\`mariadb db < dump\`" my_load my_restore
row "backup from PostgreSQL" "\`pg_dump\`" pg_dump pg_backup
row "restore into PostgreSQL" "\`psql -f dump\`" pg_load pg_restore
row "MySQL 5.0 → PostgreSQL 7.4: backup + update + restore" "\`pgloader\`" pgloader steps74
row "MySQL 5.0 → PostgreSQL 7.4: \`migrate\`" "\`pgloader\`" pgloader migrate
row "backup from SQLite" "\`sqlite3 .dump\`" lite_dump lite_backup
row "restore into SQLite" "\`sqlite3 new.db < dump\`" lite_load lite_restore
echo
echo "backup + update + restore = ${SECS[my_backup.1]} + ${SECS[update]} + ${SECS[restore74]} s"
for n in my_dump my_backup my_load my_restore pg_dump pg_backup pg_load pg_restore lite_dump lite_backup; do
  printf '%s tries:' "$n"
  for ((k = 1; k <= TRIES; k++)); do printf ' %s' "${SECS[$n.$k]}"; done
  echo
done
