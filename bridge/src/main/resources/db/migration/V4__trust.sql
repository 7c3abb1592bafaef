-- Issue 9, trust model. The directory is signed as a whole when it is served (with its version and
-- an expiry), so the per-record signatures go.
ALTER TABLE routers DROP COLUMN record_signature;
ALTER TABLE router_aes DROP COLUMN record_signature;

-- Each router's keys since its (last) enrollment, published in the directory so that peers that
-- pinned older keys can follow the chain: seq 0 holds the enrollment keys (no proof); every later
-- row holds new keys and the proof that the keys of the row before signed them. The last row
-- equals the keys in routers. A re-enrollment (of a revoked router) starts a new history.
CREATE TABLE router_key_history (
    router_id            VARCHAR(64)   NOT NULL,
    seq                  INTEGER       NOT NULL,
    hpke_public_key      VARCHAR(8192) NOT NULL,
    signature_public_key VARCHAR(8192) NOT NULL,
    proof                VARCHAR(8192),
    created_at           BIGINT        NOT NULL,
    CONSTRAINT router_key_history_pk PRIMARY KEY (router_id, seq),
    CONSTRAINT router_key_history_router_fk FOREIGN KEY (router_id) REFERENCES routers (router_id)
);
INSERT INTO router_key_history (router_id, seq, hpke_public_key, signature_public_key, proof, created_at)
    SELECT router_id, 0, hpke_public_key, signature_public_key, NULL, enrolled_at FROM routers;
