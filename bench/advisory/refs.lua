-- wrk script: GET a random page of the table `refs` (/advisories/REF or /guides/REF, prepended
-- by bench/advisory/run.sh).
math.randomseed(os.time())
request = function()
    return wrk.format("GET", refs[math.random(#refs)])
end
