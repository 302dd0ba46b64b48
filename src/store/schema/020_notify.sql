-- Digests, alerts and advisories by mail (issue 15): which detection alerts were already
-- handled by the mail round (app/notify.c). The digests' schedule needs no column: digest.at
-- (003) is when an organisation's last digest was taken.
ALTER TABLE alert ADD COLUMN mailed INTEGER NOT NULL DEFAULT 0 CHECK (mailed IN (0, 1));
-- alerts from before this version are not mailed: the first round would flood constituents
-- with stale sightings
UPDATE alert SET mailed = 1;
-- the round reads the alerts of an organisation not yet handled, by index
CREATE INDEX alert_unmailed ON alert(org_id, id) WHERE mailed = 0 AND org_id IS NOT NULL;
