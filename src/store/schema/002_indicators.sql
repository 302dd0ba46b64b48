-- vigie schema, version 2: indicators of compromise, their sightings in the constituency's
-- logs, and the alerts raised from sightings (one per indicator and organisation per day).

CREATE TABLE indicator (
    id INTEGER PRIMARY KEY,
    type TEXT NOT NULL,                -- STIX name: ipv4-addr, domain-name, url, ...
    value TEXT NOT NULL,               -- normalised
    tlp TEXT NOT NULL,
    source TEXT NOT NULL DEFAULT '',
    confidence INTEGER NOT NULL DEFAULT 50 CHECK (confidence BETWEEN 0 AND 100),
    tags TEXT NOT NULL DEFAULT '[]',   -- JSON array of strings
    first_seen TEXT,
    last_seen TEXT,
    expires TEXT,                      -- NULL: never; expired indicators are not matched
    created TEXT NOT NULL,
    updated TEXT NOT NULL,
    UNIQUE (type, value)
);
CREATE INDEX indicator_source ON indicator(source, id);

CREATE TABLE sighting (
    id INTEGER PRIMARY KEY,
    indicator_id INTEGER NOT NULL REFERENCES indicator(id),
    org_id INTEGER REFERENCES org(id),  -- the constituent on the other side of the flow
    seen TEXT NOT NULL,                 -- the event's time, or the recording time
    value TEXT NOT NULL,                -- the event value that matched
    field TEXT NOT NULL DEFAULT '',     -- where in the event ("dns.rrname")
    source TEXT NOT NULL DEFAULT '',    -- which log ("eve.json:42", "api")
    created TEXT NOT NULL
);
CREATE INDEX sighting_indicator ON sighting(indicator_id, seen);
CREATE INDEX sighting_org ON sighting(org_id, seen);
CREATE INDEX sighting_seen ON sighting(seen);

CREATE TABLE alert (
    id INTEGER PRIMARY KEY,
    indicator_id INTEGER NOT NULL REFERENCES indicator(id),
    org_id INTEGER REFERENCES org(id),
    day TEXT NOT NULL,                  -- YYYY-MM-DD of the sightings (UTC)
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    count INTEGER NOT NULL,
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'escalated')),
    incident_id INTEGER REFERENCES incident(id),
    created TEXT NOT NULL
);
-- one alert per indicator, organisation and day; a NULL organisation counts as one
CREATE UNIQUE INDEX alert_key ON alert(indicator_id, ifnull(org_id, 0), day);
CREATE INDEX alert_status ON alert(status, id);
