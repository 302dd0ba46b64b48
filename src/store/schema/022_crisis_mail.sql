-- vigie schema, version 22: the crisis cell by mail (issue 15): who each member is for the TLP
-- gate (a partner CERT, an organisation's contact, or a person cleared up to a level), the
-- language of their mail, and the schedule of sitrep reminders.

ALTER TABLE crisis_member ADD COLUMN partner_id INTEGER REFERENCES partner(id); -- kind partner
ALTER TABLE crisis_member ADD COLUMN org_id INTEGER REFERENCES org(id);         -- kind contact
ALTER TABLE crisis_member ADD COLUMN max_tlp TEXT NOT NULL DEFAULT 'GREEN';     -- kind person
ALTER TABLE crisis_member ADD COLUMN lang TEXT NOT NULL DEFAULT '';             -- fr, en, ''

ALTER TABLE crisis ADD COLUMN sitrep_every_hours INTEGER NOT NULL DEFAULT 0;    -- 0: none
ALTER TABLE crisis ADD COLUMN reminded TEXT;                                    -- last reminder
