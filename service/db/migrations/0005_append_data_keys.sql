-- Crypto-shredding: lagesbild_append (migration 0001) now also stores the data key of an aggregate's first
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
