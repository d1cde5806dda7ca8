-- wrk script for bench/load_api.py: a fixed rotation of read paths; prints a JSON summary.
-- VBGRAPH_LOAD_PATHS=search (search only) or mixed (search, cites, neighbourhood).
-- VBGRAPH_LOAD_DELAY_MS=N: each connection waits N ms after a response before its next request,
-- which bounds the offered rate to connections x 1000/N per second (0: closed loop, saturating).
local mode = os.getenv("VBGRAPH_LOAD_PATHS") or "mixed"
local think = tonumber(os.getenv("VBGRAPH_LOAD_DELAY_MS") or "0")
local search = {
  "/search?q=bi%C3%AAn%20gi%E1%BB%9Bi&k=10",
  "/search?q=bao%20ho%20cong%20dan&k=10",
  "/search?q=h%E1%BB%A3p%20t%C3%A1c%20qu%E1%BB%91c%20t%E1%BA%BF&k=10",
}
local others = {
  "/cites?ref=272-Q%C4%90%2FTW",
  "/cites?ref=Ngh%E1%BB%8B%20%C4%91%E1%BB%8Bnh%2012%2F2012",
  "/graph/neighborhood?node=Ki%C3%AAn%20Giang&depth=1",
  "/graph/neighborhood?node=doc%3Akh-64-ubnd-kien-giang-2019&depth=1",
}
local paths = {}
for _, p in ipairs(search) do table.insert(paths, p) end
if mode ~= "search" then
  for _, p in ipairs(others) do table.insert(paths, p) end
end
local counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter % #paths) + 1])
end
if think > 0 then
  delay = function()
    return think
  end
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'JSON {"mode":"%s","requests":%d,"duration_s":%.2f,"rps":%.1f,"p50_ms":%.2f,"p95_ms":%.2f,'
    .. '"p99_ms":%.2f,"max_ms":%.2f,"errors":%d,"non_2xx":%d,"timeouts":%d}\n',
    mode, summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, e.connect + e.read + e.write + e.status + e.timeout, e.status, e.timeout))
end
