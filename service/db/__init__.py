"""Connections and schema: where the database is, pools, roles, the embedded server, scratch databases, migrations."""
