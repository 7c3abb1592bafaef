-- Bridge schema, version 3: routers' TLS client certificates. The Bridge certifies a router's TLS
-- client key at enrollment; router routes over HTTPS accept exactly that certificate (hex SHA-256 of
-- its DER encoding) together with the router's API key, and only while the router is active.
-- Re-enrollment replaces it; NULL: enrolled before TLS (such a router re-enrolls to use HTTPS).
ALTER TABLE routers ADD COLUMN client_cert_sha256 VARCHAR(64);
