-- Shared by record.lua, reset.lua and clear_disabled.lua (prepended to each
-- at build time): the marks of a pool, one hash <prefix>{pool}:marks whose
-- field is a key fingerprint and whose value holds that key's marks, one
-- line per scope ("key", or "model:<name>"):
--   scope TAB kind TAB status TAB since_ms TAB delay_ms TAB label TAB hint TAB reason
-- The client escapes backslash, TAB and newline in the scope, label, hint
-- and reason (\\, \t, \n), so a line splits on TAB and never holds a
-- newline. A cooldown ends at since_ms + delay_ms on the server's clock
-- (TIME), the only clock that counts.
local function server_now()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

-- The scope of a line and the time it has left at `now`: math.huge for a
-- disabled mark, nil for a cooldown that has ended or a line that is not a
-- mark.
local function read_line(line, now)
  local scope, kind, since, delay = string.match(line, '^([^\t]*)\t([^\t]*)\t[^\t]*\t([^\t]*)\t([^\t]*)\t')
  if kind == 'disabled' then
    return scope, math.huge
  end
  since, delay = tonumber(since), tonumber(delay)
  if kind ~= 'cooling' or not since or not delay or since + delay <= now then
    return scope, nil
  end
  return scope, since + delay - now
end

-- The lines of a key's value that still hold at `now`, but that of scope
-- `skip`; and the longest time one of them has left (0 when none).
local function live_lines(value, now, skip)
  local lines, longest = {}, 0
  for line in string.gmatch(value or '', '[^\n]+') do
    local scope, left = read_line(line, now)
    if left and scope ~= skip then
      lines[#lines + 1] = line
      if left > longest then
        longest = left
      end
    end
  end
  return lines, longest
end

-- Stores a key's lines (none: the field goes), keeping the hash at least as
-- long as its longest mark: no expiry once a mark is disabled, else
-- PEXPIRE to the longest of what it had left (`ttl`, PTTL before the
-- change) and `longest`. A few fields of other keys are looked at each time
-- (HRANDFIELD), and dropped when nothing in them holds any more, so that
-- keys that are no longer marked do not pile up in a hash that never expires.
local function store_lines(hash, fingerprint, lines, longest, ttl, now)
  if #lines == 0 then
    redis.call('HDEL', hash, fingerprint)
  else
    redis.call('HSET', hash, fingerprint, table.concat(lines, '\n'))
  end
  if longest == math.huge or ttl == -1 then
    redis.call('PERSIST', hash)
  elseif longest > 0 and ttl < longest then
    -- Capped at about 300 years: a planted end must not make PEXPIRE fail.
    redis.call('PEXPIRE', hash, math.min(math.ceil(longest), 1e13))
  end
  local sample = redis.call('HRANDFIELD', hash, 8, 'WITHVALUES')
  for i = 1, #sample, 2 do
    if sample[i] ~= fingerprint and #live_lines(sample[i + 1], now) == 0 then
      redis.call('HDEL', hash, sample[i])
    end
  end
end
