-- Bridge schema, version 6: enrollment tokens an administrator can list and cancel (issue 11).
-- label: the administrator's note ("St. Mary's, new router"); cancelled_at: cancelled before use.
-- A token is named in listings by the first 16 hex digits of its hash, never by the token itself.
ALTER TABLE enrollment_tokens ADD COLUMN label VARCHAR(200);
ALTER TABLE enrollment_tokens ADD COLUMN cancelled_at BIGINT;
