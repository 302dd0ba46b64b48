-- wrk script: GET PREFIX .. REF for random references REF among the lines of the file
-- $VIGIE_REFS, PREFIX = $VIGIE_PATH ("/console/incidents/" or "/api/v1/incidents/"); the
-- headers given with -H (the session cookie, the bearer token) go with each request.
local prefix = os.getenv("VIGIE_PATH")
local refs = {}
for line in io.lines(os.getenv("VIGIE_REFS")) do
    refs[#refs + 1] = line
end

function setup(thread)
    thread:set("seed", math.random(1, 1000000))
end

function init(args)
    math.randomseed((seed or 1) + os.time())
end

function request()
    return wrk.format("GET", prefix .. refs[math.random(#refs)])
end
