-- When the database recorded each event (the audit trail's "when", and projection lag).
-- An extra column: the eventsourcing library's recorder reads its own columns by name.
ALTER TABLE stored_events ADD COLUMN recorded_at timestamptz NOT NULL DEFAULT now();

-- Read models are built per generation, each in a schema of its own (picture_g1, audit_g1...);
-- readers use views in public that point at the active generation, so a rebuild can fill a
-- new generation while the API answers from the old one, then switch in one transaction.
CREATE TABLE projection_generations (
    projection text NOT NULL,
    generation int NOT NULL,
    position bigint NOT NULL DEFAULT 0,
    active boolean NOT NULL DEFAULT false,
    failed_at_position bigint,
    failure text,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (projection, generation)
);
CREATE UNIQUE INDEX projection_generations_one_active ON projection_generations (projection) WHERE active;
