-- vigie schema, version 23: where followers of logs stand (`vigie match --follow --record`,
-- issue 17). One row per (follower, log): the file followed (device, inode) and how much of it
-- was read, in bytes of whole lines and in lines. A row is written in the same transaction as
-- the sightings of the lines before its offset, so a restart neither loses nor repeats one.
CREATE TABLE IF NOT EXISTS follow_position (
    follower TEXT NOT NULL,          -- the follower's name (--follower, "default")
    path TEXT NOT NULL,              -- the log as the follower names it
    dev INTEGER NOT NULL,            -- st_dev and st_ino of the file read (64 bits, as stored)
    ino INTEGER NOT NULL,
    byte_offset INTEGER NOT NULL,    -- bytes of whole lines read
    line_count INTEGER NOT NULL,     -- lines before byte_offset
    updated TEXT NOT NULL,           -- when it was written, RFC 3339 UTC
    PRIMARY KEY (follower, path)
) WITHOUT ROWID;
