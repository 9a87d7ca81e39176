-- Records one mark of a bridge key pool, atomically, on the server (the
-- whole script runs without any other command in between, so concurrent
-- writers on many machines cannot lose each other's marks).
--
-- KEYS[1]  the marks of the pool: <prefix>{pool}:marks
-- ARGV     fingerprint, kind ("cooling" | "disabled"), delay in ms (cooling),
--          HTTP status, scope ("key" for every model, "model:<name>" for
--          one model), key label, key hint, upstream error type (the last
--          four escaped, mark_time.lua)
--
-- Each scope is its own line, so the rules below hold per scope: a cooldown
-- of one model never shortens or replaces another's, nor the key-wide one.
--
-- The rules it enforces, with the server's clock as the only clock:
--   * a cooldown is never shortened: a cooling mark replaces a cooling one
--     only when its delay is longer than what is left of the old one;
--   * a disabled mark beats a cooling one, and is never replaced by one;
--   * a cooling mark ends at since_ms + delay_ms of the server's TIME, and
--     readers compare that with the server's TIME, never with a machine's
--     clock; ended lines are dropped here; the hash lives at least as long
--     as its longest mark (relative PEXPIRE), for ever once one is disabled.
-- Returns the mark that stands afterwards: { line, ms left (-1: disabled) }
local hash, fingerprint, kind, delay, scope = KEYS[1], ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[5]
local now = server_now()
local ttl = redis.call('PTTL', hash)
local value = redis.call('HGET', hash, fingerprint)
local old, left
for line in string.gmatch(value or '', '[^\n]+') do
  local s, l = read_line(line, now)
  if s == scope then
    old, left = line, l
  end
end

local write
if left == nil then
  write = true -- none, ended, or not a mark of ours
elseif left == math.huge then
  write = false
elseif kind == 'disabled' then
  write = true
else
  write = left < delay
end

if write then
  old = table.concat({ scope, kind, ARGV[4], now, delay, ARGV[6], ARGV[7], ARGV[8] }, '\t')
  left = kind == 'disabled' and math.huge or delay
end
local lines, longest = live_lines(value, now, scope)
lines[#lines + 1] = old
store_lines(hash, fingerprint, lines, math.max(longest, left), ttl, now)
return { old, left == math.huge and -1 or left }
