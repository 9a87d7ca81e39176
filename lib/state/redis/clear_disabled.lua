-- Clears the disabled marks of a set of key fingerprints, leaving their
-- cooldowns alone (`bridge keys check`, for keys that answered 200). A
-- disabled mark is always key-wide, so only the "key" scope is looked at.
--
-- KEYS[1]  the marks of the pool: <prefix>{pool}:marks
-- ARGV[1]  the common start of the pool's keys: <prefix>{pool}:
-- ARGV[2..] the fingerprints
-- Returns how many marks were cleared.
local hash, root = KEYS[1], ARGV[1]
local cleared = 0
local now = server_now()
local ttl = redis.call('PTTL', hash)
for i = 2, #ARGV do
  local fingerprint = ARGV[i]
  local value = redis.call('HGET', hash, fingerprint)
  for line in string.gmatch(value or '', '[^\n]+') do
    local scope, left = read_line(line, now)
    if scope == 'key' and left == math.huge then
      cleared = cleared + 1
      local lines, longest = live_lines(value, now, 'key')
      store_lines(hash, fingerprint, lines, longest, ttl, now)
    end
  end
  -- A disabled mark of the earlier layout (one hash per mark).
  local mark = root .. 'mark:' .. fingerprint .. ':key'
  if redis.call('HGET', mark, 'kind') == 'disabled' then
    cleared = cleared + redis.call('DEL', mark)
    redis.call('SREM', root .. 'scopes:' .. fingerprint, 'key')
  end
end
return cleared
