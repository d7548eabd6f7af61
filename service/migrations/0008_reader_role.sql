-- Readers act as their own role. A read's transaction sets `role` to lagesbild_reader, which
-- may only SELECT the read models and is under their row-level security; the service role,
-- which owns the read models and whose projection runners write them, is not (so that it may
-- COPY into them). The service role must be a member of lagesbild_reader to act as it: on the
-- embedded server the bootstrap grants it (service/db_roles.py); in production the operator
-- does (README), as granting a role needs its admin.

DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'lagesbild_reader') THEN
        CREATE ROLE lagesbild_reader NOLOGIN;
    END IF;
EXCEPTION WHEN insufficient_privilege THEN
    RAISE EXCEPTION 'the role lagesbild_reader does not exist and % may not create it', current_user
        USING HINT = 'Create it once as a role with CREATEROLE: CREATE ROLE lagesbild_reader NOLOGIN;'
            ' GRANT lagesbild_reader TO lagesbild_service';
END
$$;

-- The picture reads which position its generation has reached.
GRANT SELECT ON projection_generations TO lagesbild_reader;

-- The read models built so far are under the old rules (forced row-level security for every
-- role): drop them, and the runners build them again from the events.
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
