-- Blobs the Bridge stores for routers (Cloud IO provider "bridge"): ciphertext sealed end to end by the
-- sending router for the recipient, under random names. The bytes are files under <dataDir>/blobs/;
-- this table says whose they are, how much of them is stored, and whether they are complete.
CREATE TABLE blobs (
    name         VARCHAR(128) NOT NULL, -- random, 16-128 of [A-Za-z0-9_-], chosen by the sender
    sender_id    VARCHAR(64)  NOT NULL,
    recipient_id VARCHAR(64)  NOT NULL, -- the only router that may read it
    size_bytes   BIGINT       NOT NULL, -- bytes of the parts stored so far
    parts        INTEGER      NOT NULL, -- parts stored so far; the next one must have this index
    created_at   BIGINT       NOT NULL,
    updated_at   BIGINT       NOT NULL, -- when the last part was stored
    completed_at BIGINT,                -- null while parts are still coming
    CONSTRAINT blobs_pk PRIMARY KEY (name),
    CONSTRAINT blobs_sender_fk FOREIGN KEY (sender_id) REFERENCES routers (router_id),
    CONSTRAINT blobs_recipient_fk FOREIGN KEY (recipient_id) REFERENCES routers (router_id)
);
CREATE INDEX blobs_sender_idx ON blobs (sender_id);
CREATE INDEX blobs_recipient_idx ON blobs (recipient_id);
CREATE INDEX blobs_completed_idx ON blobs (completed_at);
CREATE INDEX blobs_updated_idx ON blobs (updated_at);
