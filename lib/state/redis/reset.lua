-- Deletes every mark of a set of key fingerprints, per-model ones included,
-- and the limits last seen for them (`bridge keys reset`).
--
-- KEYS     the scope index of each fingerprint: <prefix>{pool}:scopes:<fingerprint>
-- ARGV[1]  the common start of the pool's keys: <prefix>{pool}:
-- ARGV[2..] the fingerprints, in the order of KEYS
-- Returns how many marks were deleted (expired ones are not counted).
--
-- One key per call: on a Redis Cluster whose slot is migrating, a call on
-- several keys that are not all on the new node yet is refused (TRYAGAIN),
-- one on a single key is served by the node that holds it.
local removed = 0
local root = ARGV[1]
for i, index in ipairs(KEYS) do
  local fingerprint = ARGV[i + 1]
  for _, scope in ipairs(redis.call('SMEMBERS', index)) do
    removed = removed + redis.call('DEL', root .. 'mark:' .. fingerprint .. ':' .. scope)
  end
  redis.call('DEL', index)
  redis.call('DEL', root .. 'limits:' .. fingerprint)
end
return removed
