-- Links from another system's records (a Salesforce or Veeva export, a mapped
-- spreadsheet) to Rounds' own, so importing the same files again changes nothing and an
-- updated file updates only what changed. Keep in step with ../sqlite/0007_external_ids.sql.
--
-- digest is the SHA-256 (first 128 bits, hex) of the record as last imported and of the
-- other system's ids it names: an unchanged row is recognised without reading its body.
-- A Replace (the demo) deletes an organisation's links with its records. Every lookup is
-- by the key, so there is no other index for an import to keep up.
CREATE TABLE external_ids (
    org_id BIGINT NOT NULL,
    source TEXT NOT NULL,
    kind TEXT NOT NULL,
    external_id TEXT NOT NULL,
    local_id BIGINT NOT NULL,
    digest TEXT NOT NULL,
    PRIMARY KEY (org_id, source, kind, external_id)
);
