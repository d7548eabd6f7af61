"""The catalogue's tables: their DDL (a generation's schema in `{schema}`) and the columns the projection writes."""

from __future__ import annotations

# A tenant's rows lie together in its (tenant, first_position) index: listing them reads its own
# catalogue and nothing of any other partnership's (tests/integration/api/test_catalogue_read_model.py).
TABLES_SQL = """
CREATE TABLE {schema}.areas (
    area_id uuid PRIMARY KEY, tenant text NOT NULL, code text NOT NULL, name text NOT NULL, parent_id uuid,
    deso text[] NOT NULL, regso text[] NOT NULL, retired boolean NOT NULL, version int NOT NULL,
    first_position bigint NOT NULL, position bigint NOT NULL);
CREATE INDEX ON {schema}.areas (tenant, first_position);
CREATE TABLE {schema}.categories (
    category_id uuid PRIMARY KEY, tenant text NOT NULL, code text NOT NULL, name_sv text NOT NULL,
    name_en text NOT NULL, parent text, position bigint NOT NULL);
CREATE INDEX ON {schema}.categories (tenant, position);
"""

AREA_COLUMNS = (
    "area_id", "tenant", "code", "name", "parent_id", "deso", "regso", "retired", "version", "first_position",
    "position",
)  # fmt: skip
CATEGORY_COLUMNS = ("category_id", "tenant", "code", "name_sv", "name_en", "parent", "position")
TABLES = ("areas", "categories")
"""The tables readers see (through the views of the active generation)."""
