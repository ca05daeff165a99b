#!/usr/bin/env bash
# The whole upgrade on a bundled example. examples/site-3.6 is a SiteServer 3.6 backup, written
# the way the original 6.x `siteserver backup` writes one; restored as it is into a SQLite file,
# it stands in for the old site's database. `migrate` then backs that database up, updates the
# backup to SSCMS 7.4 through every adapter, restores it into a new SQLite database and writes
# its sscms.json; `verify` proves the new database holds the update folder, value for value.
#
#   examples/demo.sh                        # with `cargo run`
#   SITESERVER=path/to/siteserver OUT=dir examples/demo.sh
set -euo pipefail
cd "$(dirname "$0")/.."
out=${OUT:-target/demo}
rm -rf "$out"
mkdir -p "$out"
siteserver() {
  if [ -n "${SITESERVER:-}" ]; then "$SITESERVER" "$@"; else cargo run --quiet -p sscms-cli -- "$@"; fi
}

echo "== the old site: examples/site-3.6 restored as it is into $out/old-site.db"
siteserver restore --database-type SQLite --connection-string "Data Source=$out/old-site.db" -d examples/site-3.6 --no-verify >/dev/null
echo
echo "== migrate $out/old-site.db to SSCMS 7.4 in $out/new-site.db, folders in $out/migrate"
siteserver migrate --from-type SQLite --from-connection-string "Data Source=$out/old-site.db" \
  --to-type SQLite --to-connection-string "Data Source=$out/new-site.db" -d "$out/migrate"
echo
echo "== verify $out/new-site.db against $out/migrate/update"
siteserver verify --database-type SQLite --connection-string "Data Source=$out/new-site.db" -d "$out/migrate/update"
echo
echo "Done: $out/migrate/update/_report.json tells what went where, $out/migrate/sscms.json"
echo "starts SSCMS 7.4 on $out/new-site.db; open it with sqlite3."
