#!/usr/bin/env bash
# The whole upgrade on a bundled example: a SiteServer 3.6 backup (examples/site-3.6, written
# the way the original 6.x `siteserver backup` writes one) is updated to SSCMS 7.4 through every
# adapter, restored into a new SQLite database, and that database is backed up again.
set -euo pipefail
cd "$(dirname "$0")/.."
out=target/demo
rm -rf "$out"
mkdir -p "$out"
siteserver() { cargo run --quiet -p sscms-cli -- "$@"; }

echo "== update examples/site-3.6 to the latest version, into $out/update"
siteserver update -d examples/site-3.6 -o "$out/update"
echo
echo "== restore $out/update into $out/site.db"
siteserver restore --database-type SQLite --connection-string "Data Source=$out/site.db" -d "$out/update"
echo
echo "== back up $out/site.db into $out/backup"
siteserver backup --database-type SQLite --connection-string "Data Source=$out/site.db" -d "$out/backup"
echo
echo "Done: $out/update/_report.json tells what went where; open $out/site.db with sqlite3."
