-- vigie schema, version 8: partner CERTs (issue 12) and their API tokens, and the TLP of
-- observables and sightings, the objects that can leave vigie beside incidents and indicators.
-- A partner token is a token of its own kind (prefix vgp_), kept apart from users' tokens so
-- that it can never authenticate as a user; only its SHA-256 is stored.
CREATE TABLE partner (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    country TEXT NOT NULL,               -- ISO 3166-1 alpha-2, upper case
    networks TEXT NOT NULL DEFAULT '[]', -- JSON array of intercert-fr, eu-csirts-network, ...
    contacts TEXT NOT NULL DEFAULT '[]', -- JSON [{name, email, role, phone?}]
    max_tlp TEXT NOT NULL DEFAULT 'GREEN' CHECK (max_tlp IN ('CLEAR', 'GREEN', 'AMBER')),
    disabled INTEGER NOT NULL DEFAULT 0,
    created TEXT NOT NULL,
    updated TEXT NOT NULL
);
CREATE UNIQUE INDEX partner_name ON partner(name COLLATE NOCASE);

CREATE TABLE partner_token (
    id INTEGER PRIMARY KEY,
    partner_id INTEGER NOT NULL REFERENCES partner(id),
    hash BLOB NOT NULL UNIQUE,           -- SHA-256 of the secret; the secret is shown once
    label TEXT NOT NULL DEFAULT '',
    created TEXT NOT NULL,
    revoked TEXT                         -- NULL while valid
);
CREATE INDEX partner_token_partner ON partner_token(partner_id, id);

-- NULL: the TLP of the incident (observable) or of the indicator (sighting), read through.
ALTER TABLE observable ADD COLUMN tlp TEXT;
ALTER TABLE sighting ADD COLUMN tlp TEXT;
