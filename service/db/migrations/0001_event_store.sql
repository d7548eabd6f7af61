-- The event store, in the eventsourcing library's own stored-event format, so that its
-- PostgresApplicationRecorder (table "stored_events", channel "stored_events") can read it.

CREATE TABLE stored_events (
    originator_id uuid NOT NULL,
    originator_version bigint NOT NULL,
    topic text,
    state bytea,
    notification_id bigserial,
    PRIMARY KEY (originator_id, originator_version)
);
CREATE UNIQUE INDEX stored_events_notification_id_idx ON stored_events (notification_id ASC);

-- History is immutable: the database itself refuses to change or remove an event.
CREATE FUNCTION lagesbild_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'stored events are immutable: % on % is not allowed', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER stored_events_immutable_rows BEFORE UPDATE OR DELETE ON stored_events
    FOR EACH ROW EXECUTE FUNCTION lagesbild_refuse_change();
CREATE TRIGGER stored_events_immutable_table BEFORE TRUNCATE ON stored_events
    FOR EACH STATEMENT EXECUTE FUNCTION lagesbild_refuse_change();

-- The first result of an append that carried an idempotency key.
CREATE TABLE append_idempotency (
    key text PRIMARY KEY,
    originator_id uuid NOT NULL,
    originator_version bigint NOT NULL,
    notification_id bigint NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now()
);

-- Appends a group of appends (each: one aggregate, its expected version, an optional
-- idempotency key, one or more events) in one statement, so in one transaction and one
-- round trip. Each append is stored whole or not at all:
--   'stored'   its events were inserted; version and position of its last event;
--   'replayed' its idempotency key was seen before; the first result;
--   'conflict' the aggregate's version was not the expected one; version = actual head.
-- The caller puts no two appends of one aggregate, nor two with one key, in a group.
--
-- Ordering: the transaction-scoped advisory lock is taken before any notification id is
-- drawn and held until commit, so ids are issued in commit order and a reader that follows
-- notification_id never passes over an id that commits later. Because this function is
-- VOLATILE, each statement below sees everything committed before the lock was granted.
CREATE FUNCTION lagesbild_append(
    a_originator_ids uuid[],
    a_expected_versions bigint[],
    a_keys text[],
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
        SELECT t.n::int AS n, t.oid, t.expected, t.key
        FROM unnest(a_originator_ids, a_expected_versions, a_keys)
            WITH ORDINALITY AS t(oid, expected, key, n)
    ), replays AS (
        SELECT a.n, k.originator_id AS oid, k.originator_version AS v, k.notification_id AS p
        FROM appends a JOIN append_idempotency k ON k.key = a.key
    ), heads AS (
        SELECT a.n, a.oid, a.expected, a.key,
            COALESCE((SELECT max(s.originator_version) FROM stored_events s
                      WHERE s.originator_id = a.oid), 0) AS head
        FROM appends a
        WHERE NOT EXISTS (SELECT 1 FROM replays r WHERE r.n = a.n)
    ), accepted AS (
        SELECT h.n, h.oid, h.key FROM heads h WHERE h.head = h.expected
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
