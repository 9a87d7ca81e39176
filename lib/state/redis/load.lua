-- Reads every mark and the last-seen limits of a set of key fingerprints in
-- one round trip.
--
-- KEYS     the scope index of each fingerprint: <prefix>{pool}:scopes:<fingerprint>
-- ARGV[1]  the common start of the pool's keys: <prefix>{pool}:
-- ARGV[2..] the fingerprints, in the order of KEYS
--
-- The mark keys (<root>mark:<fingerprint>:<scope>) are derived from the index
-- members, the limits hash (<root>limits:<fingerprint>) from the fingerprint;
-- they carry the same hash tag as KEYS, so a Redis Cluster serves them from
-- the same slot. Marks that expired since the index last changed are dropped
-- from it here.
-- Returns a flat array, eight fields per record:
--   fingerprint, scope, kind, status, reason, since_ms, delay_ms, pttl_ms
-- scope is "key" (every model) or "model:<name>"; pttl_ms is the server's
-- remaining time of a cooldown (-1: no expiry). The limits last seen for a
-- model come as kind "limits", scope "model:<name>", with their JSON object
-- in the reason field.
local out = {}
local root = ARGV[1]
local function add(fingerprint, scope, kind, status, reason, since, delay, pttl)
  local n = #out
  out[n + 1] = fingerprint
  out[n + 2] = scope
  out[n + 3] = kind
  out[n + 4] = status
  out[n + 5] = reason
  out[n + 6] = since
  out[n + 7] = delay
  out[n + 8] = pttl
end
for i, index in ipairs(KEYS) do
  local fingerprint = ARGV[i + 1]
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
  local limits = redis.call('HGETALL', root .. 'limits:' .. fingerprint)
  for j = 1, #limits, 2 do
    add(fingerprint, 'model:' .. limits[j], 'limits', '0', limits[j + 1], '0', '0', -1)
  end
end
return out
