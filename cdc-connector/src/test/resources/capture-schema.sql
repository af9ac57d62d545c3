-- What the connector needs of the schema the API's migrations create (V1 to V3), for tests that
-- run capture without the API: the captured tables with the columns and replica identity the
-- default rules need, the publication, the heartbeat and signal tables, and the connector's grants.
CREATE TABLE patient (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ward          varchar(32) NOT NULL,
    version       bigint      NOT NULL DEFAULT 1
);
ALTER TABLE patient REPLICA IDENTITY FULL;
CREATE TABLE formulary_item (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    hospital_id bigint NOT NULL,
    version     bigint NOT NULL DEFAULT 1
);
ALTER TABLE formulary_item REPLICA IDENTITY FULL;
CREATE TABLE cdc_heartbeat (
    id      int PRIMARY KEY,
    beat_at timestamptz NOT NULL
);
CREATE TABLE debezium_signal (
    id   varchar(42)   PRIMARY KEY,
    type varchar(32)   NOT NULL,
    data varchar(2048) NULL
);
CREATE PUBLICATION freshline FOR TABLE patient, formulary_item, debezium_signal;
GRANT SELECT ON patient, formulary_item TO freshline_cdc;
GRANT SELECT, INSERT, UPDATE ON cdc_heartbeat TO freshline_cdc;
GRANT SELECT, INSERT, DELETE ON debezium_signal TO freshline_cdc;
