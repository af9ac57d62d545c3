-- pgoutput sends nothing for a transaction that touches no published table, so with the captured
-- tables quiet the connector never heard of a newer LSN and the slot held every byte of WAL
-- written since (another application's writes, a bulk load elsewhere in the database). With the
-- heartbeat table published, each heartbeat write reaches Debezium, which confirms its LSN on the
-- next offset flush: retained WAL stays within a few heartbeat intervals. Debezium's
-- table.include.list still keeps these rows out of Kafka.
ALTER PUBLICATION ${publication} ADD TABLE cdc_heartbeat;
