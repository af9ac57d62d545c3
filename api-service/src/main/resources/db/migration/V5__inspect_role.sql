-- `scripts/ops inspect` compares cached entries with their rows by id and version, and finds the
-- rows of a list by its key column (a ward, a hospital; a formulary is ordered by drug name).
-- ${inspect_role} may read exactly those columns: a consistency check needs no patient's name,
-- MRN or date of birth, so the role that runs it cannot read them.
GRANT SELECT (id, version, ward) ON patient TO ${inspect_role};
GRANT SELECT (id, version, hospital_id, drug_name) ON formulary_item TO ${inspect_role};
