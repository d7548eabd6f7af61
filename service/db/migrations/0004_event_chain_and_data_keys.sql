-- Tamper evidence: every stored event gets a link in a hash chain per tenant, in log order.
--
--   digest = sha256(utf8(tenant \n position \n originator_id \n version \n topic \n recorded_at_us \n) || state)
--   link   = sha256(previous link of the tenant || digest)    (the first previous link: 32 zero bytes)
--
-- recorded_at_us is recorded_at in whole microseconds since 1970-01-01 UTC; the tenant is the
-- event's own `tenant` field ('' for events without one). service/chain.py recomputes the same
-- in Python, trusting nothing in the database but the stored bytes, so that `lagesbild audit
-- verify` names the first position whose record no longer matches its link.
--
-- The links are made by a trigger on stored_events, whoever inserts (our append paths, the
-- eventsourcing library's recorder, a person with psql): nobody can store an event without it.
-- The trigger runs as the schema's owner (SECURITY DEFINER), so the service may read the chain
-- but not write it.

CREATE TABLE event_chain (
    position bigint PRIMARY KEY,
    tenant text NOT NULL,
    link bytea NOT NULL
);
CREATE INDEX event_chain_tenant_idx ON event_chain (tenant, position);

-- The last link of each tenant: where the next event of the tenant is chained on.
CREATE TABLE chain_heads (
    tenant text PRIMARY KEY,
    position bigint NOT NULL,
    link bytea NOT NULL
);

CREATE FUNCTION lagesbild_chain_digest(
    tenant text, "position" bigint, originator_id uuid, version bigint, topic text,
    recorded_at timestamptz, state bytea
) RETURNS bytea LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT sha256(
        convert_to(
            tenant || E'\n' || "position" || E'\n' || originator_id || E'\n' || version || E'\n'
            || coalesce(topic, '') || E'\n'
            || (extract(epoch FROM recorded_at) * 1000000)::bigint || E'\n',
            'UTF8'
        ) || coalesce(state, ''::bytea)
    )
$$;

-- One step of the chain. As a window aggregate it yields the running link of each row: the
-- state starts as NULL, so the first row chains on `previous` (the tenant's head before).
-- plpgsql, not sql: an aggregate's step is called, never inlined, and a plpgsql expression is
-- the cheaper call. The other functions are sql and STABLE (as what they call), so that the
-- planner inlines them into the trigger's statement: they run for every event appended.
CREATE FUNCTION lagesbild_chain_step(state bytea, previous bytea, digest bytea) RETURNS bytea
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
BEGIN
    RETURN sha256(coalesce(state, previous) || digest);
END
$$;
CREATE AGGREGATE lagesbild_chain(bytea, bytea) (SFUNC = lagesbild_chain_step, STYPE = bytea);

CREATE FUNCTION lagesbild_tenant_of(state bytea) RETURNS text LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT coalesce(convert_from(state, 'UTF8')::jsonb ->> 'tenant', '')
$$;

-- Crypto-shredding: the free text of each report and action is sealed with a key of its own
-- (domain/sealing.py). The key is stored with the aggregate's first append, in the same
-- transaction; destroying it (a redaction event, below) makes that text unreadable for good,
-- while the events themselves stay, immutable, and keep counting.
CREATE TABLE data_keys (
    subject_id uuid PRIMARY KEY,
    key bytea,
    created_at timestamptz NOT NULL DEFAULT now(),
    destroyed_at timestamptz,
    destroyed_position bigint,
    CHECK ((key IS NULL) = (destroyed_at IS NOT NULL))
);
-- The retention sweep looks for live keys older than the retention period.
CREATE INDEX data_keys_live_idx ON data_keys (created_at) WHERE key IS NOT NULL;

-- A redaction event (topic ending in ".Redacted") destroys its aggregate's key in the same
-- transaction that stores it: there is never a redaction on record with the text still readable,
-- nor a destroyed key without the event that says who did it and when. The trigger that chains
-- the events does it (one trigger, not two, since it runs for every append); it runs as the
-- owner, so that the service needs no right to change chains or keys at all.
--
-- The trigger chains the rows of one INSERT statement (a group of appends) in one pass.
CREATE FUNCTION lagesbild_chain_inserted() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    -- Our append paths hold this lock already; any other writer takes it here, so that the
    -- tenants' heads change one statement at a time.
    PERFORM pg_advisory_xact_lock(7013200466512);
    WITH tenants AS (
        SELECT n.*, lagesbild_tenant_of(n.state) AS tenant FROM new_rows n
    ), inserted AS (
        SELECT n.notification_id AS position, n.tenant,
            lagesbild_chain_digest(n.tenant, n.notification_id, n.originator_id, n.originator_version, n.topic,
                n.recorded_at, n.state) AS digest
        FROM tenants n
    ), linked AS (
        SELECT i.position, i.tenant,
            lagesbild_chain(coalesce(h.link, '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea), i.digest)
                OVER (PARTITION BY i.tenant ORDER BY i.position) AS link
        FROM inserted i LEFT JOIN chain_heads h ON h.tenant = i.tenant
    ), chained AS (
        INSERT INTO event_chain (position, tenant, link)
        SELECT position, tenant, link FROM linked
        RETURNING position, tenant, link
    ), destroyed AS (
        UPDATE data_keys k SET key = NULL, destroyed_at = now(), destroyed_position = n.notification_id
        FROM new_rows n
        WHERE k.subject_id = n.originator_id AND n.topic LIKE '%.Redacted' AND k.key IS NOT NULL
    )
    INSERT INTO chain_heads (tenant, position, link)
    SELECT DISTINCT ON (tenant) tenant, position, link FROM chained ORDER BY tenant, position DESC
    ON CONFLICT (tenant) DO UPDATE SET position = excluded.position, link = excluded.link;
    RETURN NULL;
END
$$;

CREATE TRIGGER stored_events_chain AFTER INSERT ON stored_events
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION lagesbild_chain_inserted();

-- The events stored before this migration, chained in log order.
WITH inserted AS (
    SELECT s.notification_id AS position, lagesbild_tenant_of(s.state) AS tenant,
        lagesbild_chain_digest(lagesbild_tenant_of(s.state), s.notification_id, s.originator_id,
            s.originator_version, s.topic, s.recorded_at, s.state) AS digest
    FROM stored_events s
), chained AS (
    INSERT INTO event_chain (position, tenant, link)
    SELECT position, tenant,
        lagesbild_chain('\x0000000000000000000000000000000000000000000000000000000000000000'::bytea, digest)
            OVER (PARTITION BY tenant ORDER BY position)
    FROM inserted
    RETURNING position, tenant, link
)
INSERT INTO chain_heads (tenant, position, link)
SELECT DISTINCT ON (tenant) tenant, position, link FROM chained ORDER BY tenant, position DESC;
