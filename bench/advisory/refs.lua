-- wrk script: GET /advisories/{ref} for a random reference of the table `refs` (prepended by
-- bench/advisory/run.sh).
math.randomseed(os.time())
request = function()
    return wrk.format("GET", "/advisories/" .. refs[math.random(#refs)])
end
