-- Freshline schema. Roles ${api_role} (the API at run time: DML only) and ${cdc_role} (the
-- connector: REPLICATION, reads only) must exist; this migration runs as the schema owner.

CREATE TABLE patient (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    mrn           text        NOT NULL UNIQUE,
    name          text        NOT NULL,
    date_of_birth date        NOT NULL,
    ward          text        NOT NULL,
    version       bigint      NOT NULL DEFAULT 1,
    updated_at    timestamptz NOT NULL DEFAULT clock_timestamp()
);

CREATE TABLE formulary_item (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    hospital_id bigint      NOT NULL CHECK (hospital_id > 0),
    drug_code   text        NOT NULL,
    drug_name   text        NOT NULL,
    strength    text        NOT NULL,
    form        text        NOT NULL,
    status      text        NOT NULL CHECK (status IN ('ACTIVE', 'RESTRICTED', 'WITHDRAWN')),
    version     bigint      NOT NULL DEFAULT 1,
    updated_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
    UNIQUE (hospital_id, drug_code)
);
CREATE INDEX formulary_item_hospital ON formulary_item (hospital_id);

-- The formulary key uses hospital_id, a non-key column: updates and deletes must carry the old
-- value in their before image, or moving an item would leave the old hospital's list stale.
ALTER TABLE formulary_item REPLICA IDENTITY FULL;

-- version rises on every write, whoever makes it (the API or raw SQL), so a cached copy can be
-- compared with the row it came from.
CREATE FUNCTION freshline_bump_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        NEW.version := 1;
    ELSE
        NEW.version := OLD.version + 1;
    END IF;
    NEW.updated_at := clock_timestamp();
    RETURN NEW;
END
$$;

CREATE TRIGGER patient_version BEFORE INSERT OR UPDATE ON patient
    FOR EACH ROW EXECUTE FUNCTION freshline_bump_version();
CREATE TRIGGER formulary_item_version BEFORE INSERT OR UPDATE ON formulary_item
    FOR EACH ROW EXECUTE FUNCTION freshline_bump_version();

-- Written by Debezium's heartbeat action query so the slot advances while captured tables are
-- quiet. Deliberately not in the publication.
CREATE TABLE cdc_heartbeat (
    id      int PRIMARY KEY,
    beat_at timestamptz NOT NULL
);

-- Owned here rather than auto-created by Debezium, so the connector's role needs no ownership.
CREATE PUBLICATION ${publication} FOR TABLE patient, formulary_item;

GRANT SELECT, INSERT, UPDATE, DELETE ON patient, formulary_item TO ${api_role};
GRANT SELECT ON patient, formulary_item TO ${cdc_role};
GRANT SELECT, INSERT, UPDATE ON cdc_heartbeat TO ${cdc_role};
