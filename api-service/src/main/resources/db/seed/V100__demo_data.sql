-- Synthetic demo data (no real people): 3,000 patients over 8 wards and 5 hospitals with 300
-- formulary items each. Loaded only where spring.flyway.locations includes db/seed.

INSERT INTO patient (mrn, name, date_of_birth, ward)
SELECT 'MRN-' || lpad(n::text, 6, '0'),
       'Patient ' || n,
       date '1940-01-01' + ((n * 7919) % 29000),
       'ward-' || chr(ascii('a') + n % 8)
FROM generate_series(1, 3000) AS n;

INSERT INTO formulary_item (hospital_id, drug_code, drug_name, strength, form, status)
SELECT h,
       'D' || lpad(d::text, 4, '0'),
       'Drug ' || d,
       (5 * (1 + d % 20)) || ' mg',
       (ARRAY['tablet', 'capsule', 'injection', 'syrup'])[1 + d % 4],
       (ARRAY['ACTIVE', 'ACTIVE', 'ACTIVE', 'RESTRICTED', 'WITHDRAWN'])[1 + (d + h) % 5]
FROM generate_series(1, 5) AS h, generate_series(1, 300) AS d;
