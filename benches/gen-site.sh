#!/usr/bin/env bash
# Builds a SiteServer 5.0 site with ROWS contents in an existing, empty MySQL/MariaDB or
# PostgreSQL database, for benches/compare.sh. Not part of `cargo test`.
#
#   benches/gen-site.sh mysql    mysql://root@127.0.0.1:3306/site50 200000
#   benches/gen-site.sh postgres postgres://postgres@127.0.0.1:5432/site50 200000
#
# It restores the bundled examples/sample-5.0 folder as it is (85 tables, two sites) with our own
# `siteserver restore`, then fills its content table `model_Content` (the `AuxiliaryTableForContent`
# of both sites) server-side up to ROWS rows: ids 5..ROWS after the sample's 4, every column set,
# about 1.7 KB a row of HTML with CJK text, "double" and 'single' quotes, \r\n and an emoji in the
# title, spread over the channels 2, 3, 4 (site 1) and 6 (site 5). MySQL draws the ids from the
# SEQUENCE engine (`seq_A_to_B`, in batches of BATCH rows), PostgreSQL from generate_series. The
# row count is checked at the end. SITESERVER_BIN names the binary (default: the release build).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ $# -ne 3 ]; then
  echo "usage: $0 mysql|postgres URL-WITH-DATABASE ROWS" >&2
  exit 2
fi
KIND=$1
URL=$2
ROWS=$3
BATCH=${BATCH:-20000}
if ! [[ $ROWS =~ ^[0-9]+$ ]] || [ "$ROWS" -lt 5 ]; then
  echo "error: ROWS must be a number of at least 5 (the sample has 4 contents), not '$ROWS'" >&2
  exit 2
fi
if [ -z "${SITESERVER_BIN:-}" ]; then
  cargo build --quiet --release -p sscms-cli --bin siteserver
  SITESERVER_BIN=$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')/release/siteserver
fi

case $KIND in
  mysql)
    # mysql://user[:password]@host[:port]/db for the command-line client.
    if [[ $URL =~ ^mysql://([^:@/]+)(:([^@/]*))?@([^:/]+)(:([0-9]+))?/([^/?]+)$ ]]; then
      MYSQL_ARGS=(--protocol=tcp -u "${BASH_REMATCH[1]}" -h "${BASH_REMATCH[4]}" -P "${BASH_REMATCH[6]:-3306}")
      if [ -n "${BASH_REMATCH[3]}" ]; then MYSQL_ARGS+=("-p${BASH_REMATCH[3]}"); fi
      MYSQL_ARGS+=("${BASH_REMATCH[7]}")
    else
      echo "error: cannot read $URL (expected mysql://user[:password]@host[:port]/database)" >&2
      exit 2
    fi
    MYSQL_CLIENT=$(command -v mariadb || command -v mysql)
    sql() { "$MYSQL_CLIENT" "${MYSQL_ARGS[@]}" --default-character-set=utf8mb4 -N -B "$@"; }
    db_type=MySql
    ;;
  postgres)
    sql() { psql -q -X -v ON_ERROR_STOP=1 -At "$URL" "$@"; }
    db_type=PostgreSql
    ;;
  *)
    echo "error: the kind is mysql or postgres, not '$KIND'" >&2
    exit 2
    ;;
esac

"$SITESERVER_BIN" restore --database-type "$db_type" --connection-string "$URL" -d examples/sample-5.0 >/dev/null

# The columns of model_Content in the sample's order; the SELECTs below give one value for each.
COLUMNS='ID, NodeID, PublishmentSystemID, AddUserName, LastEditUserName, WritingUserName,
  LastEditDate, Taxis, ContentGroupNameCollection, Tags, SourceID, ReferenceID, IsChecked,
  CheckedLevel, Comments, Photos, Hits, HitsByDay, HitsByWeek, HitsByMonth, LastHitsDate,
  SettingsXML, Title, SubTitle, ImageUrl, VideoUrl, FileUrl, LinkUrl, Content, Summary, Author,
  Source, IsRecommend, IsHot, IsColor, IsTop, AddDate'

if [ "$KIND" = mysql ]; then
  from=5
  while [ "$from" -le "$ROWS" ]; do
    to=$((from + BATCH - 1))
    if [ "$to" -gt "$ROWS" ]; then to=$ROWS; fi
    sql <<SQL
INSERT INTO model_Content ($COLUMNS)
SELECT seq, ELT(1 + seq % 4, 2, 3, 4, 6), IF(seq % 4 = 3, 5, 1), 'admin',
  IF(seq % 3 = 0, 'editor', 'admin'), IF(seq % 5 = 0, NULL, '王编辑'),
  TIMESTAMP '2017-03-02 09:30:00' + INTERVAL seq MINUTE, seq, IF(seq % 7 = 0, '头条,推荐', ''),
  CONCAT('示例 新闻 标签', seq % 100), 0, 0, IF(seq % 10 = 0, 'False', 'True'),
  IF(seq % 10 = 0, 0, 1), seq % 13, seq % 3, seq % 1000, seq % 7, seq % 31, seq % 97,
  TIMESTAMP '2017-03-02 09:30:00' + INTERVAL seq MINUTE + INTERVAL 1 DAY,
  CONCAT('titleformatstring=False_False_False_&seotitle=第', seq, '篇 _quote_新闻_quote_ _and_ 公告'),
  CONCAT('第 ', seq, ' 篇新闻：“开源” CMS 的 ''发布'' 🎉'), IF(seq % 4 = 0, '副标题', ''),
  IF(seq % 6 = 0, CONCAT('@/upload/images/2017/3/', seq, '.jpg'), ''), '', '', '',
  CONCAT('<p style="text-indent:2em;">第 ', seq,
    ' 篇：SiteServer CMS 是一款"开源"的内容管理系统，欢迎使用！本站由 ''SiteServer'' 驱动。</p>\r\n',
    REPEAT(CONCAT('<p>新闻正文第 ', seq, ' 段：欢迎访问"示例单位官网"，这里是 ''SiteServer'' 的测试内容。</p>\r\n'), 10),
    '<p><img src="@/upload/images/2017/3/welcome.jpg" alt="欢迎图片" /></p>'),
  CONCAT('本站第 ', seq, ' 篇文章的摘要，"引号"与''单引号''。'), '管理员', '本站原创',
  IF(seq % 9 = 0, 'True', 'False'), IF(seq % 11 = 0, 'True', 'False'), 'False',
  IF(seq % 50 = 0, 'True', 'False'), TIMESTAMP '2017-03-02 09:30:00' + INTERVAL seq MINUTE
FROM seq_${from}_to_${to};
SQL
    from=$((to + 1))
  done
  count=$(sql -e 'SELECT COUNT(*) FROM model_Content')
  bytes=$(sql -e 'SELECT ROUND(AVG(LENGTH(Content) + LENGTH(Summary) + LENGTH(Title) + LENGTH(SettingsXML) + 120)) FROM model_Content')
else
  quoted=$(sed -E 's/([A-Za-z]+)/"\1"/g' <<<"$COLUMNS")
  sql >/dev/null <<SQL
INSERT INTO "model_Content" ($quoted)
SELECT i, (ARRAY[2, 3, 4, 6])[1 + i % 4], CASE WHEN i % 4 = 3 THEN 5 ELSE 1 END, 'admin',
  CASE WHEN i % 3 = 0 THEN 'editor' ELSE 'admin' END, CASE WHEN i % 5 = 0 THEN NULL ELSE '王编辑' END,
  timestamp '2017-03-02 09:30:00' + i * interval '1 minute', i,
  CASE WHEN i % 7 = 0 THEN '头条,推荐' ELSE '' END, '示例 新闻 标签' || i % 100, 0, 0,
  CASE WHEN i % 10 = 0 THEN 'False' ELSE 'True' END, CASE WHEN i % 10 = 0 THEN 0 ELSE 1 END,
  i % 13, i % 3, i % 1000, i % 7, i % 31, i % 97,
  timestamp '2017-03-02 09:30:00' + i * interval '1 minute' + interval '1 day',
  'titleformatstring=False_False_False_&seotitle=第' || i || '篇 _quote_新闻_quote_ _and_ 公告',
  '第 ' || i || ' 篇新闻：“开源” CMS 的 ''发布'' 🎉', CASE WHEN i % 4 = 0 THEN '副标题' ELSE '' END,
  CASE WHEN i % 6 = 0 THEN '@/upload/images/2017/3/' || i || '.jpg' ELSE '' END, '', '', '',
  '<p style="text-indent:2em;">第 ' || i
    || E' 篇：SiteServer CMS 是一款"开源"的内容管理系统，欢迎使用！本站由 \'SiteServer\' 驱动。</p>\r\n'
    || repeat('<p>新闻正文第 ' || i || E' 段：欢迎访问"示例单位官网"，这里是 \'SiteServer\' 的测试内容。</p>\r\n', 10)
    || '<p><img src="@/upload/images/2017/3/welcome.jpg" alt="欢迎图片" /></p>',
  '本站第 ' || i || ' 篇文章的摘要，"引号"与''单引号''。', '管理员', '本站原创',
  CASE WHEN i % 9 = 0 THEN 'True' ELSE 'False' END, CASE WHEN i % 11 = 0 THEN 'True' ELSE 'False' END,
  'False', CASE WHEN i % 50 = 0 THEN 'True' ELSE 'False' END,
  timestamp '2017-03-02 09:30:00' + i * interval '1 minute'
FROM generate_series(5, $ROWS) i;
SELECT setval(pg_get_serial_sequence('"model_Content"', 'ID'), $ROWS);
ANALYZE "model_Content";
SQL
  count=$(sql -c 'SELECT COUNT(*) FROM "model_Content"')
  bytes=$(sql -c 'SELECT ROUND(AVG(octet_length("Content") + octet_length("Summary") + octet_length("Title") + octet_length("SettingsXML") + 120)) FROM "model_Content"')
fi

if [ "$count" != "$ROWS" ]; then
  echo "error: model_Content holds $count rows, expected $ROWS" >&2
  exit 1
fi
echo "model_Content: $count rows, about $bytes bytes a row"
