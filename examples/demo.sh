#!/usr/bin/env bash
# Restores the bundled SiteServer 6.15 sample backup into a new SQLite database, then backs that
# database up again, so both halves of the tool run on real files.
set -euo pipefail
cd "$(dirname "$0")/.."
out=target/demo
rm -rf "$out"
mkdir -p "$out"
siteserver() { cargo run --quiet -p sscms-cli -- "$@"; }

echo "== restore examples/sample-6.15 into $out/site.db"
siteserver restore --database-type SQLite --connection-string "Data Source=$out/site.db" -d examples/sample-6.15
echo
echo "== back up $out/site.db into $out/backup"
siteserver backup --database-type SQLite --connection-string "Data Source=$out/site.db" -d "$out/backup"
echo
echo "Done. Compare examples/sample-6.15 with $out/backup, or open $out/site.db with sqlite3."
