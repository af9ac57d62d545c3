#!/usr/bin/env bash
# Creates the least-privilege roles next to the owner role that the image creates from
# POSTGRES_USER: freshline_api (DML only, granted by the migrations) and freshline_cdc
# (REPLICATION, SELECT on the captured tables) and freshline_invalidator (catalogs only, for
# the invalidator's schema check) and freshline_signal (inserts Debezium signals only).
set -euo pipefail
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v api_password="$API_DB_PASSWORD" -v cdc_password="$CDC_DB_PASSWORD" \
  -v invalidator_password="$INVALIDATOR_DB_PASSWORD" -v signal_password="$SIGNAL_DB_PASSWORD" <<'SQL'
CREATE ROLE freshline_api LOGIN PASSWORD :'api_password';
CREATE ROLE freshline_cdc LOGIN REPLICATION PASSWORD :'cdc_password';
CREATE ROLE freshline_invalidator LOGIN PASSWORD :'invalidator_password';
CREATE ROLE freshline_signal LOGIN PASSWORD :'signal_password';
SQL
