-- Bridge schema, version 5: per-hospital authorisation (issue 9, point 4).

-- Who owns an AE title. A title belongs to the router that first registered it and stays its own
-- (even when the router stops exporting it, or is revoked) until an administrator releases it:
-- another router claiming it is refused. router_aes is what is exported now; this is ownership.
CREATE TABLE ae_owners (
    ae_title      VARCHAR(16) NOT NULL,
    router_id     VARCHAR(64) NOT NULL,
    registered_at BIGINT      NOT NULL,
    CONSTRAINT ae_owners_pk PRIMARY KEY (ae_title),
    CONSTRAINT ae_owners_router_fk FOREIGN KEY (router_id) REFERENCES routers (router_id)
);
INSERT INTO ae_owners (ae_title, router_id, registered_at) SELECT ae_title, router_id, 0 FROM router_aes;

-- The access matrix: which router may use which services of which AE title (of whichever router
-- owns it). No row: nothing. A grant may be made before the owner registers the title; it is
-- in the directory only while an active router owns and exports the title.
CREATE TABLE access_grants (
    router_id  VARCHAR(64) NOT NULL, -- the requesting router
    ae_title   VARCHAR(16) NOT NULL,
    services   VARCHAR(64) NOT NULL, -- sorted, comma-separated: echo,find,get,move,store
    granted_at BIGINT      NOT NULL,
    CONSTRAINT access_grants_pk PRIMARY KEY (router_id, ae_title),
    CONSTRAINT access_grants_router_fk FOREIGN KEY (router_id) REFERENCES routers (router_id)
);
CREATE INDEX access_grants_ae_idx ON access_grants (ae_title);
