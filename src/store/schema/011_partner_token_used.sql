-- vigie schema, version 12: the time of a partner token's last use, as users' tokens have had
-- since version 6 (RFC 3339 UTC; NULL: never used). Written at most once a minute per token,
-- with the server's next write batch (http/auth.c).
ALTER TABLE partner_token ADD COLUMN last_used TEXT;
