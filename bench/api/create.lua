-- wrk script: POST /api/v1/incidents with 10 observables drawn from pools sized so that
-- incidents share a few (a hash pool, base domains with subdomains, /24 networks among
-- 65,536, addresses in the same space), as incidents of one campaign do.
-- env: VIGIE_TOKEN
local token = os.getenv("VIGIE_TOKEN")
local classes = {
  {"malicious-code", "infected-system"}, {"fraud", "phishing"},
  {"intrusions", "system-compromise"}, {"availability", "ddos"},
  {"information-gathering", "scanner"}, {"intrusion-attempts", "brute-force"},
}
local sev = {"low", "medium", "high", "critical"}

-- a different sequence for every run: the load step runs wrk many times
math.randomseed(os.time() + math.floor(os.clock() * 1000000))

function setup(thread)
  thread:set("seed", math.random(1, 1000000))
end

function init(args)
  math.randomseed(seed or os.time())
end

local function hexhash(n, len)
  local s = string.format("%016x", n * 2654435761 % 4294967296)
  return (s:rep(math.ceil(len / 16))):sub(1, len)
end

function request()
  local c = classes[math.random(#classes)]
  local ip = string.format("10.%d.%d.%d", math.random(0, 255), math.random(0, 255),
                           math.random(1, 254))
  local ip2 = string.format("172.%d.%d.%d", math.random(16, 31), math.random(0, 255),
                            math.random(1, 254))
  local ip6 = string.format("2001:db8:%x:%x::%x", math.random(0, 65535), math.random(0, 65535),
                            math.random(1, 65535))
  local net = string.format("10.%d.%d.0/24", math.random(0, 255), math.random(0, 255))
  local base = string.format("d%d.example", math.random(1, 20000))
  local sub = string.format("h%d.%s", math.random(1, 50), base)
  local url = string.format("http://%s/p%d", sub, math.random(1, 1000))
  local mail = string.format("u%d@%s", math.random(1, 100), base)
  local md5 = hexhash(math.random(1, 100000), 32)
  local sha = hexhash(math.random(1, 1000000000), 64)
  local body = string.format(
    '{"title":"bench","class":"%s","type":"%s","severity":"%s","observables":[' ..
    '{"value":"%s"},{"value":"%s"},{"value":"%s"},{"value":"%s"},{"value":"%s"},' ..
    '{"value":"%s"},{"value":"%s"},{"value":"%s"},{"value":"%s"},{"value":"%s"}]}',
    c[1], c[2], sev[math.random(#sev)], ip, ip2, ip6, net, base, sub, url, mail, md5, sha)
  return wrk.format("POST", "/api/v1/incidents",
                    {["Authorization"] = "Bearer " .. token,
                     ["Content-Type"] = "application/json"}, body)
end

function response(status, headers, body)
  if status ~= 201 then
    print("unexpected status " .. status .. ": " .. body)
    wrk.thread:stop()
  end
end
