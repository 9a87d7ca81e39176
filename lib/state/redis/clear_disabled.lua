-- Clears the disabled marks of a set of key fingerprints, leaving their
-- cooldowns alone (`bridge keys check`, for keys that answered 200). A
-- disabled mark is always key-wide, so only the "key" scope is looked at.
--
-- KEYS     the scope index of each fingerprint: <prefix>{pool}:scopes:<fingerprint>
-- ARGV[1]  the common start of the pool's keys: <prefix>{pool}:
-- ARGV[2..] the fingerprints, in the order of KEYS
-- Returns how many marks were cleared.
local cleared = 0
local root = ARGV[1]
for i, index in ipairs(KEYS) do
  local mark = root .. 'mark:' .. ARGV[i + 1] .. ':key'
  if redis.call('HGET', mark, 'kind') == 'disabled' then
    cleared = cleared + redis.call('DEL', mark)
    redis.call('SREM', index, 'key')
  end
end
return cleared
