-- Two tables a deployment adds with SQL and rules only (rules/event-kinds.yml), no Java:
-- hospital, whose rename invalidates every entry tagged with the hospital, and note, keyed by
-- a label long enough to be TOASTed out of line (STORAGE EXTERNAL: no compression).
CREATE TABLE hospital (
    id      bigint PRIMARY KEY,
    name    text   NOT NULL,
    version bigint NOT NULL DEFAULT 1
);
CREATE TABLE note (
    id      bigint PRIMARY KEY,
    label   varchar(3000) NOT NULL,
    body    text   NOT NULL,
    version bigint NOT NULL DEFAULT 1
);
ALTER TABLE note ALTER COLUMN label SET STORAGE EXTERNAL;
ALTER TABLE hospital REPLICA IDENTITY FULL;
ALTER TABLE note REPLICA IDENTITY FULL;
ALTER PUBLICATION ${publication} ADD TABLE hospital, note;
GRANT SELECT ON hospital, note TO ${cdc_role};
INSERT INTO hospital (id, name) SELECT h, 'Hospital ' || h FROM generate_series(1, 5) AS h;
