-- vigie schema, version 19: reserved for helper A's inbound mail migration (issue 15). This
-- placeholder only keeps versions without a gap on branch h-c; drop it at merge.
SELECT 1;
