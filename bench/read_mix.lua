-- wrk script: a storefront's read-heavy mix, the association's effect next to associations.
--   40%  GET /v2/carts/{cartID}           read a cart (a set of 200, associated or not)
--   40%  GET /v2/carts?page[limit]=25     the account's carts (implicit token + the account's token)
--   15%  POST the association           associate one of the 200 (200 the first time, then 204)
--    5%  DELETE the association         remove one (204)
-- The account holds at most the 200 carts, as a real account holds a bounded number.
-- Usage: wrk -t1 -c32 -d10s -s bench/read_mix.lua URL -- <admin token> <account id> <shopper token> <account token>
--        <relationship suffix> <members' type> <account token header>   (bench/run.py passes them from the spec)

local counter = 0
local admin, shopper, body, suffix
local run

function init(args)
  admin = {["Authorization"] = "Bearer " .. args[1], ["Content-Type"] = "application/json"}
  suffix = args[5]
  body = '{"data":[{"id":"' .. args[2] .. '","type":"' .. args[6] .. '"}]}'
  shopper = {["Authorization"] = "Bearer " .. args[3], [args[7]] = args[4]}
  run = string.format("%x", math.random(0, 0xffffff))
end

function request()
  counter = counter + 1
  local kind = counter % 20
  local cart = "/v2/carts/bench-read-" .. run .. "-" .. (counter % 200)
  if kind < 8 then
    return wrk.format("GET", cart, shopper)
  elseif kind < 16 then
    return wrk.format("GET", "/v2/carts?page[limit]=25", shopper)
  elseif kind < 19 then
    return wrk.format("POST", cart .. suffix, admin, body)
  end
  return wrk.format("DELETE", cart .. suffix, admin, body)
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "non_2xx_3xx": %d, ' ..
    '"socket_errors": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), errors.status,
    errors.connect + errors.read + errors.write + errors.timeout))
end
