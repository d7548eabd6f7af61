-- The read log's own retention: records of who read what are kept LAGESBILD_READ_LOG_RETENTION_DAYS
-- (two years by default), then removed by the schema owner's retention job (`lagesbild retention`,
-- connected as the owner). The service's role still may neither change nor remove a record (it has
-- no UPDATE or DELETE privilege, and the trigger below refuses it to anyone else too), and nobody
-- may empty the table, change a record, or remove one younger than the period the job names.
CREATE OR REPLACE FUNCTION lagesbild_read_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    -- Set (SET LOCAL) by the retention job alone, in its own transaction; at least 30 days.
    keep_days int := nullif(current_setting('lagesbild.read_log_keep_days', true), '')::int;
BEGIN
    IF TG_OP = 'DELETE' AND keep_days >= 30 AND OLD.read_at < now() - make_interval(days => keep_days) THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'the read log is append-only: % on % is not allowed', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$;

-- The job removes the oldest records first: one range scan.
CREATE INDEX read_log_age_idx ON read_log (read_at);
