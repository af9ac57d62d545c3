-- The ward census (GET /wards/{ward}/patients) is cached under ward:{ward}. A patient who moves
-- must evict the old ward as well as the new one, so updates and deletes must carry the old
-- ward in their before image: the schema check refuses to start without this.
ALTER TABLE patient REPLICA IDENTITY FULL;

-- A ward name is a cache id: bounded, and free of key syntax, enforced where it is written so
-- no change event can carry a ward the invalidator would have to refuse.
ALTER TABLE patient ALTER COLUMN ward TYPE varchar(32);
ALTER TABLE patient ADD CONSTRAINT patient_ward_is_an_id CHECK (ward ~ '^[A-Za-z0-9._-]{1,32}$');
CREATE INDEX patient_ward ON patient (ward);
