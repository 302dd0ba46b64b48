-- vigie schema for PostgreSQL, version 2 = SQLite 23 (src/store/schema/023_follow.sql): where
-- followers of logs stand (`vigie match --follow --record`, issue 17), one row per (follower,
-- log), written in the same transaction as the sightings of the lines before its offset.
CREATE TABLE follow_position (
    follower text COLLATE "C" NOT NULL,
    path text COLLATE "C" NOT NULL,
    dev bigint NOT NULL,
    ino bigint NOT NULL,
    byte_offset bigint NOT NULL,
    line_count bigint NOT NULL,
    updated text COLLATE "C" NOT NULL,
    PRIMARY KEY (follower, path)
);
