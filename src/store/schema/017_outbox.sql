-- vigie schema, version 17: reserved for the outbox (issue 15, helper M); this placeholder
-- lets the crisis cell's 018 build on its own branch. At the merge, take M's file.
SELECT 1;
