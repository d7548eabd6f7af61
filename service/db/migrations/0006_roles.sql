-- Least privilege. Migrations run as the schema's owner; the service connects as a login role
-- that is a member of lagesbild_service, which may only do what the service does: read and
-- append events (never change or remove one), record idempotency keys, keep the projections'
-- checkpoints, and create and write its own read models.

-- Reads act as a role of their own, lagesbild_reader: a read's transaction sets `role` to it,
-- and it may only SELECT the read models, under their row-level security. The service role,
-- which owns the read models and whose projection runners write them, is not under it (so
-- that it may COPY into them). The service role must be a member of lagesbild_reader to act as
-- it: on the embedded server the bootstrap grants it (service/db_roles.py); in production the
-- operator does (README), as granting a role needs its admin.
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'lagesbild_service') THEN
        CREATE ROLE lagesbild_service NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'lagesbild_reader') THEN
        CREATE ROLE lagesbild_reader NOLOGIN;
    END IF;
EXCEPTION WHEN insufficient_privilege THEN
    RAISE EXCEPTION 'the roles lagesbild_service and lagesbild_reader do not exist and % may not create them',
        current_user
        USING HINT = 'Create them once as a role with CREATEROLE: CREATE ROLE lagesbild_service NOLOGIN;'
            ' CREATE ROLE lagesbild_reader NOLOGIN; GRANT lagesbild_reader TO lagesbild_service';
END
$$;

-- CREATE on the database: read models live in schemas the service creates at run time
-- (picture_g1, audit_g1 ... and the views readers use, picture.*, audit.*), so that it owns
-- them and a rebuild needs no migration. Not CREATE on public: objects the service could put
-- there (a function overload, say) would be found by the owner's migrations.
DO $$
BEGIN
    EXECUTE format('GRANT CONNECT, CREATE ON DATABASE %I TO lagesbild_service', current_database());
END
$$;
GRANT USAGE ON SCHEMA public TO lagesbild_service;

-- The event log: read and append. No UPDATE, DELETE or TRUNCATE: a second wall behind the
-- immutability triggers of migration 0001, which the owner could still disable.
GRANT SELECT, INSERT ON stored_events TO lagesbild_service;
GRANT USAGE ON SEQUENCE stored_events_notification_id_seq TO lagesbild_service;
GRANT SELECT, INSERT ON append_idempotency TO lagesbild_service;
REVOKE EXECUTE ON FUNCTION lagesbild_append(uuid[], bigint[], text[], bytea[], int[], bigint[], text[], bytea[])
    FROM PUBLIC;
GRANT EXECUTE ON FUNCTION lagesbild_append(uuid[], bigint[], text[], bytea[], int[], bigint[], text[], bytea[])
    TO lagesbild_service;

-- The hash chain: read (to verify it), never written; its trigger runs as the owner.
GRANT SELECT ON event_chain, chain_heads TO lagesbild_service;
-- Data keys: made with an aggregate's first sealed append, read to open its text. Never changed
-- or removed by the service: a redaction event destroys the key through the owner's trigger.
GRANT SELECT, INSERT ON data_keys TO lagesbild_service;

-- /ready compares the schema's version with the code's.
GRANT SELECT ON schema_migrations TO lagesbild_service;

-- The projections' generations and checkpoints: created, moved on, switched, dropped by the
-- runners and rebuilds; their identity (projection, generation) never changes.
GRANT SELECT, INSERT, DELETE ON projection_generations TO lagesbild_service;
GRANT UPDATE (position, active, failed_at_position, failure, updated_at) ON projection_generations
    TO lagesbild_service;
-- The picture read says which position its generation has reached.
GRANT SELECT ON projection_generations TO lagesbild_reader;

-- The read models built so far belong to whoever ran the service before (this owner, as a
-- rule), so the service role could neither write nor drop them. Drop them (their views go
-- with them) and let the runners rebuild them from the events, which are the truth.
DO $$
DECLARE
    g record;
BEGIN
    FOR g IN SELECT projection, generation FROM projection_generations LOOP
        EXECUTE format('DROP SCHEMA IF EXISTS %I CASCADE', g.projection || '_g' || g.generation);
    END LOOP;
END
$$;
DELETE FROM projection_generations;
