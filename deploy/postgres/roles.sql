-- Lägesbild's roles and database (README, "Database roles and least privilege"). Idempotent:
-- run it again on a cluster that has them, and it only sets the passwords again. Run with psql
-- (15 or newer) as a role with CREATEROLE and CREATEDB, the passwords in the environment:
--   LAGESBILD_DB_OWNER_PASSWORD=... LAGESBILD_DB_API_PASSWORD=... psql -d postgres -f roles.sql
-- compose.yaml runs it when the database container starts on an empty volume.
\set ON_ERROR_STOP on
\getenv owner_password LAGESBILD_DB_OWNER_PASSWORD
\getenv api_password LAGESBILD_DB_API_PASSWORD

SELECT 'CREATE ROLE lagesbild_owner LOGIN'
    WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'lagesbild_owner') \gexec
SELECT 'CREATE ROLE lagesbild_service NOLOGIN'
    WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'lagesbild_service') \gexec
SELECT 'CREATE ROLE lagesbild_reader NOLOGIN'
    WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'lagesbild_reader') \gexec
-- Reads act as lagesbild_reader (row-level security).
SELECT 'GRANT lagesbild_reader TO lagesbild_service'
    WHERE NOT pg_has_role('lagesbild_service', 'lagesbild_reader', 'MEMBER') \gexec
SELECT 'CREATE ROLE lagesbild_api LOGIN IN ROLE lagesbild_service'
    WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'lagesbild_api') \gexec
-- Act as the group role from the start of each session, so that what the service creates (its
-- read models) belongs to lagesbild_service and another member login can carry on with it.
ALTER ROLE lagesbild_api SET role = 'lagesbild_service';
ALTER ROLE lagesbild_owner PASSWORD :'owner_password';
ALTER ROLE lagesbild_api PASSWORD :'api_password';

SELECT 'CREATE DATABASE lagesbild OWNER lagesbild_owner'
    WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'lagesbild') \gexec
-- PostgreSQL 14 or older only (15 and newer do this already), connected to the database lagesbild:
-- REVOKE CREATE ON SCHEMA public FROM PUBLIC;
