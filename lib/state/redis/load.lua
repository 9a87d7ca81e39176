-- Reads every mark of a set of key fingerprints in one round trip.
--
-- KEYS     the scope index of each fingerprint: <prefix>{pool}:scopes:<fingerprint>
-- ARGV[1]  the common start of the mark keys: <prefix>{pool}:mark:
-- ARGV[2..] the fingerprints, in the order of KEYS
--
-- The mark keys are derived from the index members; they carry the same
-- hash tag as KEYS, so a Redis Cluster serves them from the same slot.
-- Marks that expired since the index last changed are dropped from it here.
-- Returns a flat array, eight fields per mark:
--   fingerprint, scope, kind, status, reason, since_ms, delay_ms, pttl_ms
-- pttl_ms is the server's remaining time of a cooldown (-1: no expiry).
local out = {}
local base = ARGV[1]
for i, index in ipairs(KEYS) do
  local fingerprint = ARGV[i + 1]
  for _, scope in ipairs(redis.call('SMEMBERS', index)) do
    local mark = base .. fingerprint .. ':' .. scope
    local f = redis.call('HMGET', mark, 'kind', 'status', 'reason', 'since_ms', 'delay_ms')
    if f[1] then
      local n = #out
      out[n + 1] = fingerprint
      out[n + 2] = scope
      out[n + 3] = f[1]
      out[n + 4] = f[2] or '0'
      out[n + 5] = f[3] or ''
      out[n + 6] = f[4] or '0'
      out[n + 7] = f[5] or '0'
      out[n + 8] = redis.call('PTTL', mark)
    else
      redis.call('SREM', index, scope)
    end
  end
end
return out
