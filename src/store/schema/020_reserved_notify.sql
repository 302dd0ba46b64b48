-- vigie schema, version 20: reserved for helper B2's notification migration (issue 15). This
-- placeholder only keeps versions without a gap on branch h-c; drop it at merge.
SELECT 1;
