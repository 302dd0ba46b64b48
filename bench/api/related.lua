-- wrk script: GET /api/v1/incidents/{ref}/related for random references among the loaded
-- incidents. env: VIGIE_TOKEN, VIGIE_REF_PREFIX (e.g. "VIG-2026-"), VIGIE_INCIDENTS.
local token = os.getenv("VIGIE_TOKEN")
local prefix = os.getenv("VIGIE_REF_PREFIX")
local n = tonumber(os.getenv("VIGIE_INCIDENTS"))

math.randomseed(os.time() + math.floor(os.clock() * 1000000))

function setup(thread)
  thread:set("seed", math.random(1, 1000000))
end

function init(args)
  math.randomseed(seed or os.time())
end

function request()
  local path = string.format("/api/v1/incidents/%s%06d/related", prefix, math.random(1, n))
  return wrk.format("GET", path, {["Authorization"] = "Bearer " .. token})
end

function response(status, headers, body)
  if status ~= 200 then
    print("unexpected status " .. status .. ": " .. body)
    wrk.thread:stop()
  end
end
