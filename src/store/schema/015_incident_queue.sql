-- vigie schema, version 15: the console's incident queue (issue 14) filters by assignee
-- ("none": unassigned) and sorts by last update and by severity, each over an index with
-- the id as tie-break so that a page of 100,000 incidents is an index range; the queue's
-- usual filters (a status, "my incidents") have their own index per order, so that a filter
-- that keeps a third of the incidents is not sorted whole on every page.
CREATE INDEX incident_assignee ON incident(assignee, id);
CREATE INDEX incident_updated ON incident(updated, id);
CREATE INDEX incident_severity_rank ON incident(
    (CASE severity WHEN 'critical' THEN 3 WHEN 'high' THEN 2 WHEN 'medium' THEN 1 ELSE 0 END), id);
CREATE INDEX incident_status_updated ON incident(status, updated, id);
CREATE INDEX incident_status_severity ON incident(status,
    (CASE severity WHEN 'critical' THEN 3 WHEN 'high' THEN 2 WHEN 'medium' THEN 1 ELSE 0 END), id);
CREATE INDEX incident_assignee_updated ON incident(assignee, updated, id);
CREATE INDEX incident_assignee_severity ON incident(assignee,
    (CASE severity WHEN 'critical' THEN 3 WHEN 'high' THEN 2 WHEN 'medium' THEN 1 ELSE 0 END), id);
