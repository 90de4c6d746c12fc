-- wrk script for scripts/bench.sh: picks the request paths of a workload and prints one
-- machine-readable result line at the end (report.lua, loaded below).
--
-- WRK_MODE (environment):
--   static   (default) every request is the URL given on the command line (wrk's fast path)
--   many     a random object of the working set: /many/NNNNN.bin, NNNNN < WRK_MANY
--   unique   a new key per request: /slow/u-NONCE-THREAD-SEQ?ms=WRK_DELAY_MS (every one a miss)
--   collapse one key per WRK_WINDOW_MS time window, the same for every connection:
--            /slow/c-NONCE-WINDOW?ms=WRK_DELAY_MS; each window starts with a miss that all
--            connections asking for it meanwhile should share (request collapsing)
-- WRK_NONCE keeps keys of different runs apart; WRK_CONNS is needed by report.lua.
local mode = os.getenv("WRK_MODE") or "static"
local nonce = os.getenv("WRK_NONCE") or tostring(os.time())
local delay = os.getenv("WRK_DELAY_MS") or "50"
local threads = 0

setup = function(thread)
  threads = threads + 1
  thread:set("tid", threads)
end

if mode == "many" then
  local n = tonumber(os.getenv("WRK_MANY") or "10000")
  init = function(args) math.randomseed(os.time() * 7919 + (tid or 0)) end
  request = function()
    return wrk.format("GET", string.format("/many/%05d.bin", math.random(0, n - 1)))
  end
elseif mode == "unique" then
  local seq = 0
  request = function()
    seq = seq + 1
    return wrk.format("GET", string.format("/slow/u-%s-%d-%d?ms=%s", nonce, tid or 0, seq, delay))
  end
elseif mode == "collapse" then
  local ffi = require("ffi")
  ffi.cdef[[
    typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
    int clock_gettime(int clk_id, bench_timespec *tp);
  ]]
  local ts = ffi.new("bench_timespec")
  local window = tonumber(os.getenv("WRK_WINDOW_MS") or "250")
  request = function()
    ffi.C.clock_gettime(0, ts)  -- CLOCK_REALTIME: every thread sees the same window
    local ms = tonumber(ts.tv_sec) * 1000 + math.floor(tonumber(ts.tv_nsec) / 1e6)
    return wrk.format("GET", string.format("/slow/c-%s-%d?ms=%s", nonce, math.floor(ms / window), delay))
  end
end

local here = debug.getinfo(1, "S").source:sub(2):match("(.*/)") or "./"
dofile(here .. "report.lua")
