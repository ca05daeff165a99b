#!/usr/bin/env bash
# Peak memory (maximum resident set size, from `/usr/bin/time -v`) of backups and restores of a
# 100,000-row table with about 1 KB of text per row, through PostgreSQL, MySQL and SQLite.
# Fails if any run peaks above LIMIT_MB. Not part of `cargo test`.
#
#   benches/memory.sh                       # release build, the local servers
#   ROWS=20000 PROFILE=dev benches/memory.sh
#
# Servers: SITESERVER_TEST_POSTGRES_URL and SITESERVER_TEST_MYSQL_URL, as for the tests
# (defaults: postgres://postgres@127.0.0.1:5432, mysql://root@127.0.0.1:3306). Needs psql and
# the mariadb (or mysql) client.
set -euo pipefail
cd "$(dirname "$0")/.."

LIMIT_MB=${LIMIT_MB:-200}
ROWS=${ROWS:-100000}
PROFILE=${PROFILE:-release}
PG_URL=${SITESERVER_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432}
MYSQL_URL=${SITESERVER_TEST_MYSQL_URL:-mysql://root@127.0.0.1:3306}
PG_URL=${PG_URL%/}
MYSQL_URL=${MYSQL_URL%/}

if [ ! -x /usr/bin/time ]; then
  echo "installing GNU time for /usr/bin/time -v"
  if [ "$(id -u)" = 0 ]; then apt-get install -y time >/dev/null; else sudo apt-get install -y time >/dev/null; fi
fi

# shellcheck source=benches/mysql-args.sh
source benches/mysql-args.sh

case $PROFILE in
  dev) target_dir=debug ;;
  *) target_dir=$PROFILE ;;
esac
cargo build --quiet --profile "$PROFILE" -p sscms-cli --bin siteserver
BIN=$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')/$target_dir/siteserver

DB=sscms_bench_$$
WORK=$(mktemp -d)
cleanup() {
  psql -q "$PG_URL/postgres" -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true
  psql -q "$PG_URL/postgres" -c "DROP DATABASE IF EXISTS ${DB}_r WITH (FORCE)" >/dev/null 2>&1 || true
  "$MYSQL_CLIENT" "${MYSQL_ARGS[@]}" -e "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

echo "filling PostgreSQL with $ROWS rows"
psql -q -v ON_ERROR_STOP=1 "$PG_URL/postgres" -c "CREATE DATABASE $DB ENCODING 'UTF8'" -c "CREATE DATABASE ${DB}_r ENCODING 'UTF8'"
psql -q -v ON_ERROR_STOP=1 "$PG_URL/$DB" <<SQL
CREATE TABLE "siteserver_Content_1" ("Id" SERIAL PRIMARY KEY, "Title" varchar(255), "Body" text,
  "Price" numeric(18, 2), "AddDate" timestamptz, "IsTop" bool, "Hits" int4);
INSERT INTO "siteserver_Content_1" ("Title", "Body", "Price", "AddDate", "IsTop", "Hits")
SELECT '标题 ' || i, repeat('正文 body text ' || i || ' ', 50), (i || '.25')::numeric,
  timestamp '2020-01-01' + i * interval '1 minute', i % 2 = 0, i % 1000
FROM generate_series(1, $ROWS) i;
SQL
"$MYSQL_CLIENT" "${MYSQL_ARGS[@]}" -e "CREATE DATABASE $DB CHARACTER SET utf8mb4"

results=()
failed=0
# measure LABEL ARGS...: runs the tool under /usr/bin/time -v and records its peak RSS.
measure() {
  local label=$1
  shift
  local t0 t1
  t0=$(date +%s%N)
  if ! /usr/bin/time -v -o "$WORK/time.txt" "$BIN" "$@" >"$WORK/out.txt" 2>&1; then
    cat "$WORK/out.txt" >&2
    echo "error: $label failed" >&2
    exit 1
  fi
  t1=$(date +%s%N)
  local kb mb secs
  kb=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$WORK/time.txt")
  mb=$((kb / 1024))
  secs=$(awk "BEGIN { print ($t1 - $t0) / 1e9 }")
  results+=("$(printf '%-28s %6d MB %8.1f s' "$label" "$mb" "$secs")")
  if [ "$mb" -gt "$LIMIT_MB" ]; then failed=1; fi
}

measure "backup from PostgreSQL" backup --database-type PostgreSql --connection-string "$PG_URL/$DB" -d "$WORK/pg"
measure "restore into MySQL" restore --database-type MySql --connection-string "$MYSQL_URL/$DB" -d "$WORK/pg"
measure "backup from MySQL" backup --database-type MySql --connection-string "$MYSQL_URL/$DB" -d "$WORK/my"
measure "restore into PostgreSQL" restore --database-type PostgreSql --connection-string "$PG_URL/${DB}_r" -d "$WORK/my"
measure "restore into SQLite" restore --database-type SQLite --connection-string "$WORK/site.db" -d "$WORK/my"
measure "backup from SQLite" backup --database-type SQLite --connection-string "$WORK/site.db" -d "$WORK/lite"

echo
echo "$ROWS rows, $(du -sh "$WORK/pg" | cut -f1) of JSON, $PROFILE build; peak RSS (limit $LIMIT_MB MB):"
printf '  %s\n' "${results[@]}"
if [ "$failed" = 1 ]; then
  echo "FAILED: a run peaked above $LIMIT_MB MB" >&2
  exit 1
fi
echo "ok"
