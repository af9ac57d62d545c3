-- Debezium's signal table: `scripts/ops resnapshot` inserts an execute-snapshot signal here and the
-- connector re-reads the table's rows (an incremental snapshot), so every row's keys are
-- invalidated even when the change topic no longer holds their history. Signals are accepted only
-- from ${signal_role}, a role that may insert here and nothing else; the connector's role reads
-- signals and writes the snapshot's window markers.
CREATE TABLE debezium_signal (
    id   varchar(42)   PRIMARY KEY,
    type varchar(32)   NOT NULL,
    data varchar(2048) NULL
);

ALTER PUBLICATION ${publication} ADD TABLE debezium_signal;

GRANT SELECT, INSERT, DELETE ON debezium_signal TO ${cdc_role};
GRANT INSERT ON debezium_signal TO ${signal_role};
