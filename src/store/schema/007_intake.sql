-- vigie schema, version 7: the queue of public reports held over the global cap (vigie serve
-- --report-global-rate). A held report is the report as checked, not yet an incident; an
-- analyst accepts it (it becomes an incident, the row goes) or discards it (the row goes).
-- Its size is capped by the server (--report-queue-max), counted before each insert. IF NOT
-- EXISTS: a database set back to an older user_version runs this again (test_product_key).
CREATE TABLE IF NOT EXISTS report_queue (
    id INTEGER PRIMARY KEY,
    received TEXT NOT NULL,            -- RFC 3339, UTC
    client TEXT NOT NULL,              -- the client address, as in the intake log
    report TEXT NOT NULL               -- the checked report (JSON)
);
