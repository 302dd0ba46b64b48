-- vigie schema, version 15: the console's incident queue (issue 14) filters by assignee
-- ("none": unassigned) and sorts by last update and by severity, each over an index with
-- the id as tie-break so that every page of 100,000 incidents is an index range.
CREATE INDEX incident_assignee ON incident(assignee, id);
CREATE INDEX incident_updated ON incident(updated, id);
CREATE INDEX incident_severity_rank ON incident(
    (CASE severity WHEN 'critical' THEN 3 WHEN 'high' THEN 2 WHEN 'medium' THEN 1 ELSE 0 END), id);
