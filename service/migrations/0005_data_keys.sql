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
-- nor a destroyed key without the event that says who did it and when. This is done by the
-- trigger that chains every inserted statement's events (migration 0004), which runs as the
-- owner, so that the service needs no right to change keys at all; one trigger, not two, since
-- it runs for every append.
CREATE OR REPLACE FUNCTION lagesbild_chain_inserted() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(7013200466512);  -- see migration 0004
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

-- lagesbild_append (migration 0001) now also stores the data key of an aggregate's first
-- sealed append (a_new_keys, one per append, NULL for none), for the appends it accepts.
DROP FUNCTION lagesbild_append(uuid[], bigint[], text[], int[], bigint[], text[], bytea[]);
CREATE FUNCTION lagesbild_append(
    a_originator_ids uuid[],
    a_expected_versions bigint[],
    a_keys text[],
    a_new_keys bytea[],
    e_append_nos int[],
    e_versions bigint[],
    e_topics text[],
    e_states bytea[]
) RETURNS TABLE (append_no int, outcome text, originator_id uuid, version bigint, "position" bigint)
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(7013200466512);  -- "lagesbild append", see migration 0001
    RETURN QUERY
    WITH appends AS (
        SELECT t.n::int AS n, t.oid, t.expected, t.key, t.new_key
        FROM unnest(a_originator_ids, a_expected_versions, a_keys, a_new_keys)
            WITH ORDINALITY AS t(oid, expected, key, new_key, n)
    ), replays AS (
        SELECT a.n, k.originator_id AS oid, k.originator_version AS v, k.notification_id AS p
        FROM appends a JOIN append_idempotency k ON k.key = a.key
    ), heads AS (
        SELECT a.n, a.oid, a.expected, a.key, a.new_key,
            COALESCE((SELECT max(s.originator_version) FROM stored_events s
                      WHERE s.originator_id = a.oid), 0) AS head
        FROM appends a
        WHERE NOT EXISTS (SELECT 1 FROM replays r WHERE r.n = a.n)
    ), accepted AS (
        SELECT h.n, h.oid, h.key, h.new_key FROM heads h WHERE h.head = h.expected
    ), inserted AS (
        INSERT INTO stored_events (originator_id, originator_version, topic, state)
        SELECT acc.oid, e.v, e.topic, e.state
        FROM unnest(e_append_nos, e_versions, e_topics, e_states)
            WITH ORDINALITY AS e(n, v, topic, state, i)
        JOIN accepted acc ON acc.n = e.n
        ORDER BY e.i
        RETURNING stored_events.originator_id AS oid, stored_events.originator_version AS v,
            stored_events.notification_id AS p
    ), lasts AS (
        SELECT acc.n, acc.oid, acc.key, max(ins.v) AS v, max(ins.p) AS p
        FROM accepted acc JOIN inserted ins ON ins.oid = acc.oid
        GROUP BY acc.n, acc.oid, acc.key
    ), keys AS (
        INSERT INTO append_idempotency (key, originator_id, originator_version, notification_id)
        SELECT l.key, l.oid, l.v, l.p FROM lasts l WHERE l.key IS NOT NULL
    ), data_keys_stored AS (
        INSERT INTO data_keys (subject_id, key)
        SELECT acc.oid, acc.new_key FROM accepted acc WHERE acc.new_key IS NOT NULL
    )
    SELECT l.n, 'stored', l.oid, l.v, l.p FROM lasts l
    UNION ALL
    SELECT r.n, 'replayed', r.oid, r.v, r.p FROM replays r
    UNION ALL
    SELECT h.n, 'conflict', h.oid, h.head, NULL::bigint FROM heads h WHERE h.head <> h.expected;
    IF FOUND THEN
        PERFORM pg_notify('stored_events', '');
    END IF;
END
$$;
