-- The per-token write limit, shared by every replica: one token bucket per token (its SHA-256), in
-- PostgreSQL instead of each process's memory, so that two API replicas together allow a token no
-- more than one would (service/web/rate_limit.py). UNLOGGED: no WAL and no flush per write; after a
-- crash of the server (or on a promoted standby) the table starts empty, every bucket full, which
-- is what a missing bucket means anyway. The service takes from a bucket only through the function
-- (SECURITY DEFINER, as the owner), and has no privilege on the table itself.
CREATE UNLOGGED TABLE write_buckets (
    key bytea PRIMARY KEY,
    tokens double precision NOT NULL,
    counted_at timestamptz NOT NULL
);

-- Take one write from `p_key`'s bucket (it holds up to `p_burst`, refilled at `p_rate` a second):
-- 0 if it had one, else the seconds until it will have one. One round trip; two writes of one
-- token queue on the bucket's row, writes of different tokens do not meet.
CREATE FUNCTION lagesbild_take_write(p_key bytea, p_rate double precision, p_burst integer)
RETURNS double precision
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    have double precision;
    counted timestamptz;
    now_ timestamptz;
BEGIN
    INSERT INTO write_buckets (key, tokens, counted_at) VALUES (p_key, p_burst, clock_timestamp())
        ON CONFLICT (key) DO NOTHING;
    SELECT tokens, counted_at INTO have, counted FROM write_buckets WHERE key = p_key FOR UPDATE;
    now_ := clock_timestamp();  -- after the lock: the time this write is counted at
    have := least(p_burst, have + greatest(0, extract(epoch FROM now_ - counted)) * p_rate);
    IF have < 1 THEN
        UPDATE write_buckets SET tokens = have, counted_at = now_ WHERE key = p_key;
        RETURN (1 - have) / p_rate;
    END IF;
    UPDATE write_buckets SET tokens = have - 1, counted_at = now_ WHERE key = p_key;
    -- Now and then forget the buckets that have refilled since (a missing bucket is a full one).
    IF random() < 0.001 THEN
        DELETE FROM write_buckets WHERE counted_at < now_ - make_interval(secs => p_burst / p_rate) AND key <> p_key;
    END IF;
    RETURN 0;
END
$$;

REVOKE ALL ON write_buckets FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION lagesbild_take_write(bytea, double precision, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION lagesbild_take_write(bytea, double precision, integer) TO lagesbild_service;
