-- vigie schema for PostgreSQL, version 3 (no SQLite counterpart: the same counts, kept faster).
-- The dashboard's counts of new incidents (stats_incident_day, stats_open) are added once per
-- statement from its inserted rows (a transition table), not once per row: a batch's creations
-- are one statement (issue 16), and a row trigger made 2 upserts per incident on the same two
-- hot rows. Deletions and updates keep their row triggers (001).
CREATE FUNCTION vg_stats_incident_insert_rows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO stats_incident_day(day, class, n)
        SELECT substr(created, 1, 10), class, count(*) FROM vg_new_incidents GROUP BY 1, 2
        ON CONFLICT (day, class) DO UPDATE SET n = stats_incident_day.n + EXCLUDED.n;
    -- as vg_stats_open_add: closed and rejected incidents are not open
    INSERT INTO stats_open(severity, n)
        SELECT severity, count(*) FROM vg_new_incidents
        WHERE NOT coalesce(status IN ('closed', 'rejected'), false) GROUP BY 1
        ON CONFLICT (severity) DO UPDATE SET n = stats_open.n + EXCLUDED.n;
    RETURN NULL;
END;
$$;
DROP TRIGGER stats_incident_insert ON incident;
DROP FUNCTION vg_stats_incident_insert();
CREATE TRIGGER stats_incident_insert AFTER INSERT ON incident
    REFERENCING NEW TABLE AS vg_new_incidents
    FOR EACH STATEMENT EXECUTE FUNCTION vg_stats_incident_insert_rows();
