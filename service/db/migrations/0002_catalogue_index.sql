-- Areas and categories (the catalogue) are listed by replaying their few events. This partial
-- index finds them without scanning the whole log. service/catalogue.py queries with exactly
-- this predicate, which is what lets the planner use the index.
CREATE INDEX stored_events_catalogue_idx ON stored_events (notification_id)
    WHERE topic LIKE 'domain.area:%' OR topic LIKE 'domain.category:%';
