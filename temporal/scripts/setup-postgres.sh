#!/bin/sh
# Creates or upgrades Temporal's two databases (temporal, temporal_visibility) in its own PostgreSQL.
# Runs in temporalio/admin-tools. Safe to re-run: `create` ignores an existing database, `setup-schema`
# keeps a newer version, and `update-schema` applies only the missing versions.
# Env: POSTGRES_SEEDS (host), POSTGRES_USER, SQL_PASSWORD, DB_PORT (default 5432).
set -eu
: "${POSTGRES_SEEDS:?set POSTGRES_SEEDS}"
: "${POSTGRES_USER:?set POSTGRES_USER}"
: "${SQL_PASSWORD:?set SQL_PASSWORD}"
port=${DB_PORT:-5432}
schemas=/etc/temporal/schema/postgresql/v12

sql() {
  db=$1
  shift
  temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -p "$port" -u "$POSTGRES_USER" --db "$db" "$@"
}
setup() {
  echo "temporal-schema: $1"
  sql "$1" create
  sql "$1" setup-schema -v 0.0
  sql "$1" update-schema -d "$2"
}

setup temporal "$schemas/temporal/versioned"
setup temporal_visibility "$schemas/visibility/versioned"
echo "temporal-schema: done"
