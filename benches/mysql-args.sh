# Sourced by the benches: MYSQL_ARGS for the command-line clients from MYSQL_URL
# (mysql://user[:password]@host[:port]), and MYSQL_CLIENT.
if [[ $MYSQL_URL =~ ^mysql://([^:@/]+)(:([^@/]*))?@([^:/]+)(:([0-9]+))?$ ]]; then
  MYSQL_ARGS=(--protocol=tcp -u "${BASH_REMATCH[1]}" -h "${BASH_REMATCH[4]}" -P "${BASH_REMATCH[6]:-3306}")
  if [ -n "${BASH_REMATCH[3]}" ]; then MYSQL_ARGS+=("-p${BASH_REMATCH[3]}"); fi
else
  echo "error: cannot read SITESERVER_TEST_MYSQL_URL=$MYSQL_URL (expected mysql://user[:password]@host[:port])" >&2
  exit 2
fi
MYSQL_CLIENT=$(command -v mariadb || command -v mysql)
