-- Records one mark of a bridge key pool, atomically, on the server (the
-- whole script runs without any other command in between, so concurrent
-- writers on many machines cannot lose each other's marks).
--
-- KEYS[1]  the mark:  <prefix>{pool}:mark:<fingerprint>:<scope>
-- KEYS[2]  the index of the fingerprint's scopes: <prefix>{pool}:scopes:<fingerprint>
-- ARGV     kind ("cooling" | "disabled"), delay in ms (cooling), HTTP status,
--          upstream error type, key label, key hint, scope (the index member:
--          "key" for every model, "model:<name>" for one model)
--
-- Each scope has its own mark, so the rules below hold per scope: a cooldown
-- of one model never shortens or replaces another's, nor the key-wide one.
--
-- The rules it enforces, with the server's clock as the only clock:
--   * a cooldown is never shortened: a cooling mark replaces a cooling one
--     only when its delay is longer than what is left (PTTL) of the old one;
--   * a disabled mark beats a cooling one, and is never replaced by one;
--   * a cooling mark expires by itself (PEXPIRE, relative): nobody's wall
--     clock is compared with anybody else's;
--   * the index lives at least as long as its longest-lived mark.
-- Returns the mark that stands afterwards:
--   { kind, status, reason, since_ms, delay_ms, pttl_ms }
local mark, index = KEYS[1], KEYS[2]
local kind, delay = ARGV[1], tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)

local old = redis.call('HGET', mark, 'kind')
local left = redis.call('PTTL', mark)
local write
if not old then
  write = true
elseif old == 'disabled' then
  write = false
elseif kind == 'disabled' then
  write = true
else
  -- A cooling mark without an expiry (-1) was not written by us: replace it.
  write = left < delay
end

if write then
  redis.call('DEL', mark)
  redis.call('HSET', mark, 'kind', kind, 'status', ARGV[3], 'reason', ARGV[4],
             'label', ARGV[5], 'hint', ARGV[6], 'since_ms', now, 'delay_ms', delay)
  local index_left = redis.call('PTTL', index)
  redis.call('SADD', index, ARGV[7])
  if kind == 'disabled' or index_left == -1 then
    redis.call('PERSIST', index)
  elseif index_left < delay then
    redis.call('PEXPIRE', index, delay)
  end
  if kind == 'cooling' then
    redis.call('PEXPIRE', mark, delay)
  end
end

local f = redis.call('HMGET', mark, 'kind', 'status', 'reason', 'since_ms', 'delay_ms')
return { f[1], f[2], f[3], f[4], f[5], redis.call('PTTL', mark) }
