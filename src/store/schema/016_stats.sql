-- vigie schema, version 16: the dashboard's aggregates (store/stats.h) kept as they change,
-- so that reading them costs the same with 100,000 incidents as with ten (issue 14: the
-- dashboard <= 50 ms). Triggers keep three tables; each is filled from the existing rows here.

-- Incidents by UTC day of creation and RSIT class.
CREATE TABLE stats_incident_day (
    day TEXT NOT NULL,                 -- YYYY-MM-DD of incident.created
    class TEXT NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (day, class)
) WITHOUT ROWID;
INSERT INTO stats_incident_day(day, class, n)
    SELECT substr(created, 1, 10), class, count(*) FROM incident GROUP BY 1, 2;

-- Open incidents (status neither closed nor rejected) by severity.
CREATE TABLE stats_open (
    severity TEXT PRIMARY KEY,
    n INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO stats_open(severity, n)
    SELECT severity, count(*) FROM incident WHERE status NOT IN ('closed', 'rejected')
    GROUP BY severity;

CREATE TRIGGER stats_incident_insert AFTER INSERT ON incident BEGIN
    INSERT INTO stats_incident_day(day, class, n) VALUES (substr(new.created, 1, 10), new.class, 1)
        ON CONFLICT(day, class) DO UPDATE SET n = n + 1;
    INSERT INTO stats_open(severity, n) SELECT new.severity, 1
        WHERE new.status NOT IN ('closed', 'rejected')
        ON CONFLICT(severity) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER stats_incident_delete AFTER DELETE ON incident BEGIN
    UPDATE stats_incident_day SET n = n - 1
        WHERE day = substr(old.created, 1, 10) AND class = old.class;
    UPDATE stats_open SET n = n - 1
        WHERE severity = old.severity AND old.status NOT IN ('closed', 'rejected');
    DELETE FROM stats_incident_time WHERE incident_id = old.id;
END;
CREATE TRIGGER stats_incident_day_update AFTER UPDATE OF created, class ON incident
WHEN substr(old.created, 1, 10) IS NOT substr(new.created, 1, 10) OR old.class IS NOT new.class
BEGIN
    UPDATE stats_incident_day SET n = n - 1
        WHERE day = substr(old.created, 1, 10) AND class = old.class;
    INSERT INTO stats_incident_day(day, class, n) VALUES (substr(new.created, 1, 10), new.class, 1)
        ON CONFLICT(day, class) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER stats_open_update AFTER UPDATE OF status, severity ON incident
WHEN old.status IS NOT new.status OR old.severity IS NOT new.severity
BEGIN
    UPDATE stats_open SET n = n - 1
        WHERE severity = old.severity AND old.status NOT IN ('closed', 'rejected');
    INSERT INTO stats_open(severity, n) SELECT new.severity, 1
        WHERE new.status NOT IN ('closed', 'rejected')
        ON CONFLICT(severity) DO UPDATE SET n = n + 1;
END;

-- Per incident that has left its initial status: when it did (its first "status" timeline
-- entry) and when it was first closed (its first "status" entry to "closed"), each with the
-- whole seconds since its creation. Recomputed from the timeline whenever a status entry is
-- added or changed, or the incident's creation time changes.
CREATE TABLE stats_incident_time (
    incident_id INTEGER PRIMARY KEY,
    triaged TEXT NOT NULL,
    triage_s INTEGER NOT NULL,
    closed TEXT,
    close_s INTEGER
);
CREATE INDEX stats_triaged ON stats_incident_time(triaged, triage_s);
CREATE INDEX stats_closed ON stats_incident_time(closed, close_s) WHERE closed IS NOT NULL;
INSERT INTO stats_incident_time(incident_id, triaged, triage_s, closed, close_s)
    SELECT id, ta, CAST(round((julianday(ta) - julianday(created)) * 86400.0) AS INTEGER), tc,
           CAST(round((julianday(tc) - julianday(created)) * 86400.0) AS INTEGER)
    FROM (SELECT i.id, i.created,
                 (SELECT at FROM timeline WHERE incident_id = i.id AND action = 'status'
                  ORDER BY id LIMIT 1) AS ta,
                 (SELECT at FROM timeline WHERE incident_id = i.id AND action = 'status'
                  AND json_extract(detail, '$.to') = 'closed' ORDER BY id LIMIT 1) AS tc
          FROM incident i)
    WHERE ta IS NOT NULL;
CREATE TRIGGER stats_timeline_insert AFTER INSERT ON timeline WHEN new.action = 'status' BEGIN
    DELETE FROM stats_incident_time WHERE incident_id = new.incident_id;
    INSERT INTO stats_incident_time(incident_id, triaged, triage_s, closed, close_s)
        SELECT id, ta, CAST(round((julianday(ta) - julianday(created)) * 86400.0) AS INTEGER),
               tc, CAST(round((julianday(tc) - julianday(created)) * 86400.0) AS INTEGER)
        FROM (SELECT i.id, i.created,
                     (SELECT at FROM timeline WHERE incident_id = i.id AND action = 'status'
                      ORDER BY id LIMIT 1) AS ta,
                     (SELECT at FROM timeline WHERE incident_id = i.id AND action = 'status'
                      AND json_extract(detail, '$.to') = 'closed' ORDER BY id LIMIT 1) AS tc
              FROM incident i WHERE i.id = new.incident_id)
        WHERE ta IS NOT NULL;
END;
CREATE TRIGGER stats_timeline_update AFTER UPDATE OF at, action, detail ON timeline
WHEN new.action = 'status' OR old.action = 'status' BEGIN
    DELETE FROM stats_incident_time WHERE incident_id = new.incident_id;
    INSERT INTO stats_incident_time(incident_id, triaged, triage_s, closed, close_s)
        SELECT id, ta, CAST(round((julianday(ta) - julianday(created)) * 86400.0) AS INTEGER),
               tc, CAST(round((julianday(tc) - julianday(created)) * 86400.0) AS INTEGER)
        FROM (SELECT i.id, i.created,
                     (SELECT at FROM timeline WHERE incident_id = i.id AND action = 'status'
                      ORDER BY id LIMIT 1) AS ta,
                     (SELECT at FROM timeline WHERE incident_id = i.id AND action = 'status'
                      AND json_extract(detail, '$.to') = 'closed' ORDER BY id LIMIT 1) AS tc
              FROM incident i WHERE i.id = new.incident_id)
        WHERE ta IS NOT NULL;
END;
CREATE TRIGGER stats_incident_created AFTER UPDATE OF created ON incident
WHEN old.created IS NOT new.created BEGIN
    UPDATE stats_incident_time
        SET triage_s = CAST(round((julianday(triaged) - julianday(new.created)) * 86400.0)
                            AS INTEGER),
            close_s = CAST(round((julianday(closed) - julianday(new.created)) * 86400.0)
                           AS INTEGER)
        WHERE incident_id = new.id;
END;
