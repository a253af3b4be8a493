-- wrk script of bench/overlays: every request picks one of the recorded routes at random.
-- ROUTES_FILE: lines "path<TAB>etag"; CONDITIONAL=1 sends If-None-Match with the recorded ETag
-- (the 304 form of the route).
local routes = {}
for line in io.lines(os.getenv("ROUTES_FILE")) do
  local path, etag = line:match("^([^\t]+)\t([^\t]*)")
  if path then routes[#routes + 1] = {path, etag} end
end
local conditional = os.getenv("CONDITIONAL") == "1"
math.randomseed(os.time())
request = function()
  local r = routes[math.random(#routes)]
  if conditional then
    return wrk.format("GET", r[1], {["If-None-Match"] = r[2]})
  end
  return wrk.format("GET", r[1])
end
