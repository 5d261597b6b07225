-- Replays a pre-built request list (one TSV line each: method, path, headers joined by \31, body)
-- from a per-thread offset; done() prints the summary as one JSON line for bench/lib/load/wrk.ts.
local reqs = {}
local i = 1
local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end

function init(args)
  local f = assert(io.open(args[1], "r"))
  for line in f:lines() do
    local method, path, hdrs, body = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)$")
    local headers = {}
    for h in hdrs:gmatch("[^\31]+") do
      local k, v = h:match("^([^:]+):%s*(.*)$")
      headers[k] = v
    end
    if body == "" then body = nil end
    reqs[#reqs + 1] = wrk.format(method, path, headers, body)
  end
  f:close()
  i = ((tid or 1) * 7919) % #reqs + 1
end

function request()
  local r = reqs[i]
  i = i + 1
  if i > #reqs then i = 1 end
  return r
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests":%d,"durationUs":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,"mean":%.1f,"p50":%d,"p90":%d,"p99":%d,"max":%d}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency.mean, latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
