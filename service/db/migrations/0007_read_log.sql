-- Who read what: one row per answered read of reports, actions, pictures, the weekly
-- lägesbild, the audit trail and this log itself (service/read_log.py). Who, which resource,
-- which route with which parameters, when, and the status; never a response body.
CREATE TABLE read_log (
    id bigserial PRIMARY KEY,            -- names an entry (the `after` cursor); order is by read_at, id
    read_at timestamptz NOT NULL,        -- when the service answered (written a moment later, in a batch)
    tenant text NOT NULL,
    actor text NOT NULL,                 -- the token's sub
    org text NOT NULL,
    roles text[] NOT NULL,
    resource text NOT NULL,              -- report, reports, action, actions, picture, overview, ...
    resource_id text,                    -- the id (or week) in the path; NULL for lists
    route text NOT NULL,                 -- method and path template: GET /api/v1/reports/{report_id}
    path_params jsonb NOT NULL,
    query_params jsonb NOT NULL,         -- the filters as sent (strings), bounded in size by the recorder
    status smallint NOT NULL             -- 2xx: read; 403/404: refused to an identified caller
);

-- What an auditor asks, always within a tenant and a period, in the order of reading: every
-- read, one user's, one resource's (who read this report?), one kind's (who looked at the read
-- log?). Each index ends in (read_at, id), so a page is one range scan however large the log.
CREATE INDEX read_log_read_at_idx ON read_log (tenant, read_at, id);
CREATE INDEX read_log_actor_idx ON read_log (tenant, actor, read_at, id);
CREATE INDEX read_log_resource_id_idx ON read_log (tenant, resource_id, read_at, id) WHERE resource_id IS NOT NULL;
CREATE INDEX read_log_resource_idx ON read_log (tenant, resource, read_at, id);

-- Append-only: the database refuses to change, remove or empty the record of who read what.
-- (Retention, once decided, is better served by partitioning by month and dropping old
-- partitions under a privileged role than by opening DELETE to the service.)
CREATE FUNCTION lagesbild_read_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the read log is append-only: % on % is not allowed', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER read_log_append_only_rows BEFORE UPDATE OR DELETE ON read_log
    FOR EACH ROW EXECUTE FUNCTION lagesbild_read_log_append_only();
CREATE TRIGGER read_log_append_only_table BEFORE TRUNCATE ON read_log
    FOR EACH STATEMENT EXECUTE FUNCTION lagesbild_read_log_append_only();

-- The service records reads (its writer task) and answers auditors' queries: append and read.
GRANT SELECT, INSERT ON read_log TO lagesbild_service;
GRANT USAGE ON SEQUENCE read_log_id_seq TO lagesbild_service;
