-- wrk script: a realistic mix of association POSTs against one server.
--   40%  first associations (a cart never seen before: 200 from the mock)
--   40%  repeats on a small set of carts (204 once associated)
--   20%  errors (type is not the members' type: 400)
-- Usage: wrk -t1 -c32 -d10s -s bench/association_mix.lua URL -- <bearer token> <account id> <relationship suffix>
--        <members' type>   (bench/run.py passes the relationship as the spec spells it)

local counter = 0
local thread_id = 0
local threads = {}
local headers = {}
local valid_body, invalid_body, suffix

function setup(thread)
  thread_id = thread_id + 1
  thread:set("id", thread_id)
  table.insert(threads, thread)
end

function init(args)
  headers["Authorization"] = "Bearer " .. args[1]
  headers["Content-Type"] = "application/json"
  suffix = args[3]
  valid_body = '{"data":[{"id":"' .. args[2] .. '","type":"' .. args[4] .. '"}]}'
  invalid_body = '{"data":[{"id":"' .. args[2] .. '","type":"not-' .. args[4] .. '"}]}'
  run = string.format("%x", math.random(0, 0xffffff))
end

function request()
  counter = counter + 1
  local kind = counter % 10
  if kind < 4 then
    return wrk.format("POST", "/v2/carts/bench-" .. run .. "-" .. id .. "-" .. counter .. suffix,
      headers, valid_body)
  elseif kind < 8 then
    return wrk.format("POST", "/v2/carts/bench-repeat-" .. run .. "-" .. (counter % 50) .. suffix,
      headers, valid_body)
  end
  return wrk.format("POST", "/v2/carts/bench-error" .. suffix, headers, invalid_body)
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "non_2xx_3xx": %d, ' ..
    '"socket_errors": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), errors.status,
    errors.connect + errors.read + errors.write + errors.timeout))
end
