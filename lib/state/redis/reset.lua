-- Deletes every mark of a set of key fingerprints, per-model ones included,
-- and the limits last seen for them (`bridge keys reset`).
--
-- KEYS[1]  the marks of the pool: <prefix>{pool}:marks
-- ARGV[1]  the common start of the pool's keys: <prefix>{pool}:
-- ARGV[2..] the fingerprints
-- Returns how many marks were deleted (ended ones are not counted).
--
-- One key per call: on a Redis Cluster whose slot is migrating, a call on
-- several keys that are not all on the new node yet is refused (TRYAGAIN),
-- one on a single key is served by the node that holds it.
local hash, root = KEYS[1], ARGV[1]
local removed = 0
local now = server_now()
for i = 2, #ARGV do
  local fingerprint = ARGV[i]
  removed = removed + #live_lines(redis.call('HGET', hash, fingerprint), now)
  redis.call('HDEL', hash, fingerprint)
  -- The earlier layout: one hash per mark, listed in a set.
  local index = root .. 'scopes:' .. fingerprint
  for _, scope in ipairs(redis.call('SMEMBERS', index)) do
    removed = removed + redis.call('DEL', root .. 'mark:' .. fingerprint .. ':' .. scope)
  end
  redis.call('DEL', index)
  redis.call('DEL', root .. 'limits:' .. fingerprint)
end
return removed
