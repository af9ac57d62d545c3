#!/usr/bin/env bash
# Runs once, as the image's superuser (POSTGRES_USER), which no service uses. Creates the owner
# role freshline (no superuser: the migrations run as it, and own what they create) and hands it
# the database, then the least-privilege roles: freshline_api (DML only, granted by the
# migrations), freshline_cdc (REPLICATION, SELECT on the captured tables), freshline_invalidator
# (catalogs only, for the invalidator's schema check), freshline_signal (inserts Debezium
# signals only) and freshline_inspect (reads ids, versions and key columns only, for ops inspect).
set -euo pipefail
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v owner_password="$MIGRATION_DB_PASSWORD" -v database="$POSTGRES_DB" \
  -v api_password="$API_DB_PASSWORD" -v cdc_password="$CDC_DB_PASSWORD" \
  -v invalidator_password="$INVALIDATOR_DB_PASSWORD" -v signal_password="$SIGNAL_DB_PASSWORD" \
  -v inspect_password="$INSPECT_DB_PASSWORD" <<'SQL'
-- an ordinary role (no SUPERUSER, CREATEDB or CREATEROLE): the migrations need none of them
CREATE ROLE freshline LOGIN PASSWORD :'owner_password';
-- the owner of the database owns its public schema too (pg_database_owner, Postgres 15+)
ALTER DATABASE :"database" OWNER TO freshline;
CREATE ROLE freshline_api LOGIN PASSWORD :'api_password';
CREATE ROLE freshline_cdc LOGIN REPLICATION PASSWORD :'cdc_password';
CREATE ROLE freshline_invalidator LOGIN PASSWORD :'invalidator_password';
CREATE ROLE freshline_signal LOGIN PASSWORD :'signal_password';
CREATE ROLE freshline_inspect LOGIN PASSWORD :'inspect_password';
SQL
