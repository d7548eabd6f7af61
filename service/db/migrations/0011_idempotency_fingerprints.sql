-- Idempotency keys bound to their request (issue 13, finding 6). A key is stored as a hash of the
-- length-prefixed tenant, subject and key the client sent (service/idempotency.py), so that no two
-- callers' keys can meet, with the fingerprint of what the first request asked (its route and body).
-- An append whose key was seen with another fingerprint is neither stored nor replayed: its outcome
-- is 'mismatch' (the API answers 422 naming Idempotency-Key). Keys recorded before this migration
-- have no fingerprint and the old form `tenant/sub/key`, which no new key can take.
ALTER TABLE append_idempotency ADD COLUMN fingerprint bytea;

DROP FUNCTION lagesbild_append(uuid[], bigint[], text[], bytea[], int[], bigint[], text[], bytea[]);
CREATE FUNCTION lagesbild_append(
    a_originator_ids uuid[],
    a_expected_versions bigint[],
    a_keys text[],
    a_fingerprints bytea[],
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
        SELECT t.n::int AS n, t.oid, t.expected, t.key, t.fingerprint, t.new_key
        FROM unnest(a_originator_ids, a_expected_versions, a_keys, a_fingerprints, a_new_keys)
            WITH ORDINALITY AS t(oid, expected, key, fingerprint, new_key, n)
    ), seen AS (
        SELECT a.n, k.originator_id AS oid, k.originator_version AS v, k.notification_id AS p,
            k.fingerprint IS NOT DISTINCT FROM a.fingerprint AS same
        FROM appends a JOIN append_idempotency k ON k.key = a.key
    ), heads AS (
        SELECT a.n, a.oid, a.expected, a.key, a.fingerprint, a.new_key,
            COALESCE((SELECT max(s.originator_version) FROM stored_events s
                      WHERE s.originator_id = a.oid), 0) AS head
        FROM appends a
        WHERE NOT EXISTS (SELECT 1 FROM seen r WHERE r.n = a.n)
    ), accepted AS (
        SELECT h.n, h.oid, h.key, h.fingerprint, h.new_key FROM heads h WHERE h.head = h.expected
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
        SELECT acc.n, acc.oid, acc.key, acc.fingerprint, max(ins.v) AS v, max(ins.p) AS p
        FROM accepted acc JOIN inserted ins ON ins.oid = acc.oid
        GROUP BY acc.n, acc.oid, acc.key, acc.fingerprint
    ), keys AS (
        INSERT INTO append_idempotency (key, originator_id, originator_version, notification_id, fingerprint)
        SELECT l.key, l.oid, l.v, l.p, l.fingerprint FROM lasts l WHERE l.key IS NOT NULL
    ), data_keys_stored AS (
        INSERT INTO data_keys (subject_id, key)
        SELECT acc.oid, acc.new_key FROM accepted acc WHERE acc.new_key IS NOT NULL
    )
    SELECT l.n, 'stored', l.oid, l.v, l.p FROM lasts l
    UNION ALL
    SELECT r.n, CASE WHEN r.same THEN 'replayed' ELSE 'mismatch' END, r.oid, r.v, r.p FROM seen r
    UNION ALL
    SELECT h.n, 'conflict', h.oid, h.head, NULL::bigint FROM heads h WHERE h.head <> h.expected;
    IF FOUND THEN
        PERFORM pg_notify('stored_events', '');
    END IF;
END
$$;
REVOKE EXECUTE ON FUNCTION lagesbild_append(uuid[], bigint[], text[], bytea[], bytea[], int[], bigint[], text[], bytea[])
    FROM PUBLIC;
GRANT EXECUTE ON FUNCTION lagesbild_append(uuid[], bigint[], text[], bytea[], bytea[], int[], bigint[], text[], bytea[])
    TO lagesbild_service;
