-- The last verified link of each tenant's hash chain (migration 0004): where the next
-- `GET /api/v1/audit/verify` goes on from, so that a call checks only what was appended since
-- (service/store/verifications.py). Written by the service only after a verification that held;
-- it is a starting point, not a proof: each call first checks that the link is still on the
-- chain (its record still hashes to it), and `?from=start` verifies from the first event again.
CREATE TABLE chain_verifications (
    tenant text PRIMARY KEY,
    position bigint NOT NULL,        -- the position of the last event verified
    link bytea NOT NULL,             -- its link, as recomputed by the verification
    verified_at timestamptz NOT NULL
);

GRANT SELECT, INSERT, UPDATE ON chain_verifications TO lagesbild_service;
