-- wrk script for scripts/soak.sh: a mixed workload of hits, misses, uncacheable, slow, large,
-- chunked, Range and conditional requests (paths served by scripts/soak/origin.py), paced by delay(), with a
-- count of every response status. Prints one line at the end:
--   SOAK_RESULT requests=N s200=N s206=N s304=N other=N connect=N read=N write=N timeout=N statuses=200:N,...
-- No HEAD here: wrk 4.1 waits for a body after a HEAD answer with Content-Length and stalls the
-- connection; soak.sh sends HEAD requests with curl instead.
-- Environment: SOAK_DELAY_MS (pause before each request per connection, default 4),
--              SOAK_NONCE (keeps the unique miss keys of different runs apart).
local delay_ms = tonumber(os.getenv("SOAK_DELAY_MS") or "4")
local nonce = os.getenv("SOAK_NONCE") or tostring(os.time())
local threads = {}
local sizes = {512, 4096, 16384, 65536}

setup = function(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end

init = function(args)
  math.randomseed(os.time() * 7919 + (tid or 0) * 104729)
  counts = {}
  seq = 0
end

delay = function()
  return delay_ms
end

local function hot()
  local k = math.random(0, 499)
  return string.format("/c/h%d?size=%d", k, sizes[(k % #sizes) + 1])
end

request = function()
  local p = math.random(1, 100)
  if p <= 59 then                               -- hits (expire every 20 s: revalidation, swr)
    return wrk.format("GET", hot())
  elseif p <= 69 then                           -- unique misses: the store keeps filling and evicting
    seq = seq + 1
    return wrk.format("GET", string.format("/c/m-%s-%d-%d?size=16384", nonce, tid or 0, seq))
  elseif p <= 78 then                           -- uncacheable (no-store; hit-for-miss)
    return wrk.format("GET", string.format("/u/%d?size=1024", math.random(0, 99)))
  elseif p <= 82 then                           -- slow origin answers (200 ms, max-age 5)
    return wrk.format("GET", string.format("/slow/s%d?ms=200&size=1024", math.random(0, 49)))
  elseif p <= 85 then                           -- large objects (1..4 MiB, disk tier, streamed)
    local k = math.random(0, 9)
    return wrk.format("GET", string.format("/big/b%d?size=%d", k, (1 + k % 4) * 1048576))
  elseif p <= 90 then                           -- chunked cacheable
    return wrk.format("GET", string.format("/chunked/k%d?size=%d", math.random(0, 19), 100000))
  elseif p <= 95 then                           -- single range
    return wrk.format("GET", hot(), {["Range"] = "bytes=0-99"})
  else                                          -- client conditional
    return wrk.format("GET", hot(), {["If-Modified-Since"] = "Sat, 01 Jan 2000 00:00:00 GMT"})
  end
end

response = function(status, headers, body)
  counts[status] = (counts[status] or 0) + 1
end

done = function(summary, latency, requests)
  local total = {}
  for _, t in ipairs(threads) do
    local c = t:get("counts")
    if c then
      for s, n in pairs(c) do
        total[s] = (total[s] or 0) + n
      end
    end
  end
  local other, list = 0, {}
  for s, n in pairs(total) do
    if not (s >= 200 and s < 400) then
      other = other + n
    end
    table.insert(list, string.format("%d:%d", s, n))
  end
  table.sort(list)
  local e = summary.errors
  io.write(string.format(
    "SOAK_RESULT requests=%d s200=%d s206=%d s304=%d other=%d connect=%d read=%d write=%d timeout=%d statuses=%s\n",
    summary.requests, total[200] or 0, total[206] or 0, total[304] or 0, other,
    e.connect, e.read, e.write, e.timeout, table.concat(list, ",")))
end
