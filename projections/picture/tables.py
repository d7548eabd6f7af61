"""The picture's tables: their DDL (a generation's schema in `{schema}`) and the columns the projection writes."""

from __future__ import annotations

# weekly_counts' key carries the counts (INCLUDE): an area's picture reads its ~100 rows of the
# weeks shown from the index alone, where they lie together, instead of from as many heap pages
# as rows (they were written over months, among every other area's); what it saves a picture read,
# and that the updates it makes non-HOT did not slow a catch-up, is in bench/RESULTS.md.
# A generation made before this keeps its plain key until `lagesbild rebuild picture`.
# An area's reports are read newest first (its page, its latest report) and by weeks (a week's
# filter; the hot cells, from the index alone): an index for each; an older generation reads them
# without, more slowly, until rebuilt.
TABLES_SQL = """
CREATE TABLE {schema}.areas (
    area_id uuid PRIMARY KEY, tenant text NOT NULL, code text NOT NULL, name text NOT NULL,
    retired boolean NOT NULL, position bigint NOT NULL);
CREATE TABLE {schema}.reports (
    report_id uuid PRIMARY KEY, tenant text NOT NULL, area_id uuid NOT NULL, category text NOT NULL,
    week text NOT NULL, count int NOT NULL, occurred_at text, place text, description text, location jsonb,
    source text NOT NULL, org text NOT NULL, submitted_by text NOT NULL, status text NOT NULL,
    submitted_at timestamptz NOT NULL, first_position bigint NOT NULL, position bigint NOT NULL, version int NOT NULL);
CREATE INDEX ON {schema}.reports (tenant, first_position);
CREATE INDEX ON {schema}.reports (tenant, area_id, first_position);
CREATE INDEX ON {schema}.reports (tenant, area_id, week) INCLUDE (status, count, location);
CREATE TABLE {schema}.weekly_counts (
    tenant text NOT NULL, area_id uuid NOT NULL, week text NOT NULL, category text NOT NULL,
    reports int NOT NULL, occurrences int NOT NULL,
    PRIMARY KEY (tenant, area_id, week, category) INCLUDE (reports, occurrences));
CREATE TABLE {schema}.area_changes (
    tenant text NOT NULL, area_id uuid NOT NULL, position bigint NOT NULL, PRIMARY KEY (tenant, area_id));
CREATE INDEX ON {schema}.area_changes (tenant, position);
CREATE TABLE {schema}.actions (
    action_id uuid PRIMARY KEY, tenant text NOT NULL, area_id uuid NOT NULL, title text NOT NULL,
    description text, responsible_org text NOT NULL, status text NOT NULL, starts_on text, ends_on text,
    report_ids uuid[] NOT NULL, categories text[] NOT NULL, planned_week text NOT NULL, started_week text,
    completed_week text, cancelled_week text, follow_ups int NOT NULL, last_follow_up jsonb,
    first_position bigint NOT NULL, position bigint NOT NULL, version int NOT NULL);
CREATE INDEX ON {schema}.actions (tenant, first_position);
CREATE INDEX ON {schema}.actions (tenant, area_id, first_position) WHERE status IN ('planned', 'started');
CREATE TABLE {schema}.follow_ups (
    action_id uuid NOT NULL, n int NOT NULL, tenant text NOT NULL, area_id uuid NOT NULL, effect text NOT NULL,
    note text NOT NULL, by text NOT NULL, org text NOT NULL, week text NOT NULL, recorded_at timestamptz NOT NULL,
    position bigint NOT NULL, PRIMARY KEY (action_id, n));
CREATE INDEX ON {schema}.follow_ups (tenant, week);
CREATE TABLE {schema}.assessments (
    tenant text NOT NULL, area_id uuid NOT NULL, week text NOT NULL, revision int NOT NULL, level text NOT NULL,
    summary text NOT NULL, published_at timestamptz NOT NULL, by text NOT NULL, org text NOT NULL,
    position bigint NOT NULL, PRIMARY KEY (tenant, area_id, week));
"""

ADDED_TABLES_SQL = """
CREATE TABLE IF NOT EXISTS {schema}.boundaries (
    area_id uuid PRIMARY KEY, tenant text NOT NULL, geometry jsonb NOT NULL, west float8 NOT NULL,
    south float8 NOT NULL, east float8 NOT NULL, north float8 NOT NULL, position bigint NOT NULL);
"""
"""Tables added after generations were made: their events are newer, so an older generation gets them empty
(generations.add_new_tables) instead of needing a rebuild."""
TABLES_SQL += ADDED_TABLES_SQL

REPORT_COLUMNS = (
    "report_id", "tenant", "area_id", "category", "week", "count", "occurred_at", "place", "description",
    "location", "source", "org", "submitted_by", "status", "submitted_at", "first_position", "position", "version",
)  # fmt: skip
ACTION_COLUMNS = (
    "action_id", "tenant", "area_id", "title", "description", "responsible_org", "status", "starts_on", "ends_on",
    "report_ids", "categories", "planned_week", "started_week", "completed_week", "cancelled_week", "follow_ups",
    "last_follow_up", "first_position", "position", "version",
)  # fmt: skip
AREA_COLUMNS = ("area_id", "tenant", "code", "name", "retired", "position")
BOUNDARY_COLUMNS = ("area_id", "tenant", "geometry", "west", "south", "east", "north", "position")
FOLLOW_UP_COLUMNS = (
    "action_id", "n", "tenant", "area_id", "effect", "note", "by", "org", "week", "recorded_at", "position",
)  # fmt: skip
ASSESSMENT_COLUMNS = (
    "tenant", "area_id", "week", "revision", "level", "summary", "published_at", "by", "org", "position",
)  # fmt: skip


JSON_COLUMNS = frozenset(("location", "last_follow_up", "geometry"))
# The reports' column types, for changing many at once from arrays (corrections and retractions in a catch-up;
# the actions' have arrays of their own, which unnest cannot carry).
REPORT_TYPES = (
    "uuid", "text", "uuid", "text", "text", "int", "text", "text", "text",
    "jsonb", "text", "text", "text", "text", "timestamptz", "bigint", "bigint", "int",
)  # fmt: skip
TABLES = ("areas", "boundaries", "reports", "weekly_counts", "area_changes", "actions", "follow_ups", "assessments")
"""The tables readers see (through the views of the active generation)."""
