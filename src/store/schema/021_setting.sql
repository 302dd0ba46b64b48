-- vigie schema, version 21: the deployment's settings stored in the database (issue 15:
-- `vigie config set smtp.url ...`). Keys are checked by app/mail_config.c before they get
-- here; a value is kept as given (the SMTP password too: see docs/SECURITY.md).
CREATE TABLE setting (
    key TEXT PRIMARY KEY,   -- "smtp.url", "mail.from"...
    value TEXT NOT NULL,
    updated TEXT NOT NULL   -- UTC time of the last set
);
