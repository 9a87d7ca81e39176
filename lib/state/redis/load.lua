-- Reads every mark and the last-seen limits of a set of key fingerprints in
-- one round trip.
--
-- KEYS[1]  the marks of the pool: <prefix>{pool}:marks
-- ARGV[1]  the common start of the pool's keys: <prefix>{pool}:
-- ARGV[2..] the fingerprints
--
-- The marks of every fingerprint come from one HMGET on the pool's hash,
-- passed on as they are (mark_time.lua says what a value holds); the client
-- compares each cooldown's end with the server's TIME, sent first. The
-- limits hashes (<root>limits:<fp>) and the scope indexes of the earlier
-- layout (one hash per mark, <root>mark:<fp>:<scope>, listed in
-- <root>scopes:<fp>, read back with PTTL) are read one by one only when one
-- EXISTS over the batch finds any, so that a pool without them costs two
-- calls more, not calls per key. While a Redis Cluster slot migrates, the
-- importing node refuses a call on several keys that are not all there yet:
-- EXISTS then counts as "some", and each is read by a call of its own, which
-- that node serves. Every name carries the hash tag of KEYS, so all are in
-- one slot. Marks of the earlier layout that expired since their index last
-- changed are dropped from it here.
-- Returns { now_ms, values, records }:
--   values   the value of each fingerprint in the pool's hash, in the order
--            of ARGV (nil: no mark)
--   records  eight fields each: fingerprint, scope, kind, status, reason,
--            since_ms, delay_ms, pttl_ms; a mark of the earlier layout
--            (pttl_ms -1: no expiry), or the limits last seen for a model as
--            kind "limits", scope "model:<name>", the JSON object in reason.
local root = ARGV[1]
local n = #ARGV - 1
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local values, records = {}, {}
local function add(fingerprint, scope, kind, status, reason, since, delay, pttl)
  local m = #records
  records[m + 1] = fingerprint
  records[m + 2] = scope
  records[m + 3] = kind
  records[m + 4] = status
  records[m + 5] = reason
  records[m + 6] = since
  records[m + 7] = delay
  records[m + 8] = pttl
end
if n > 0 then
  values = redis.call('HMGET', KEYS[1], unpack(ARGV, 2))
end
local function any_of(kind)
  local names = {}
  for i = 1, n do
    names[i] = root .. kind .. ARGV[i + 1]
  end
  local found = redis.pcall('EXISTS', unpack(names))
  return type(found) ~= 'number' or found > 0
end
if n > 0 and any_of('scopes:') then
  for i = 1, n do
    local fingerprint = ARGV[i + 1]
    local index = root .. 'scopes:' .. fingerprint
    for _, scope in ipairs(redis.call('SMEMBERS', index)) do
      local mark = root .. 'mark:' .. fingerprint .. ':' .. scope
      local f = redis.call('HMGET', mark, 'kind', 'status', 'reason', 'since_ms', 'delay_ms')
      if f[1] then
        add(fingerprint, scope, f[1], f[2] or '0', f[3] or '', f[4] or '0', f[5] or '0',
            redis.call('PTTL', mark))
      else
        redis.call('SREM', index, scope)
      end
    end
  end
end
if n > 0 and any_of('limits:') then
  for i = 1, n do
    local limits = redis.call('HGETALL', root .. 'limits:' .. ARGV[i + 1])
    for j = 1, #limits, 2 do
      add(ARGV[i + 1], 'model:' .. limits[j], 'limits', '0', limits[j + 1], '0', '0', -1)
    end
  end
end
return { now, values, records }
