-- The request buckets of a pool on the server, and the claims a walk makes on
-- them (docs/marks.md, "Claims"): the rule of the state file's claims ledger
-- (pool::claim_in, pool::Bucket), run here so that every machine of a fleet
-- claims from one estimate, atomically, on one clock: the server's (TIME).
--
-- A bucket is one hash per (key fingerprint, model):
--   <prefix>{pool}:bucket:<fingerprint>:<model>
--   level   units at `at` (below zero: units promised to waiters ahead)
--   at      the server's time in ms of that level
--   limit   the bucket's size (0: a probe placeholder, see below)
--   per_ms  the refill rate, units a millisecond
--   taken   claims taken from it since it was made (each claim's ticket number)
--   out     claims whose attempts are not over yet
--   out_from  `taken` when `out` was last forgotten (the last three absent in
--           a bucket an older bridge wrote: 0)
-- Between two changes the level is a straight line: min(limit, level +
-- (now - at) * per_ms). Nothing else of the machines' clocks reaches the
-- server: an answer's reading comes as spans (how long ago it was seen, how
-- long from then until its -reset).
--
-- ARGV[1] is the operation:
--
--   claim    KEYS: the bucket of each candidate, in key-file order.
--            ARGV[2]: how long the walk may wait (ms); ARGV[3]: "first" or
--            "most" (pool::ClaimOrder); ARGV[4..], one per candidate: "1"
--            for a candidate whose proactive mark only says its requests ran
--            out (its bucket decides when there is one, else the mark
--            stands), "0" otherwise, either followed by ":MS" for a
--            candidate the walk would wait for up to MS (the key of the
--            affinity, with --wait).
--            With "first", the first candidate whose bucket holds at least
--            one unit, or that has none (the plain walk, in order), is
--            chosen and a unit taken. With "most" (a conversation that no key
--            serves yet), of all such candidates the one with the most units
--            left, ties to the first: a candidate with no bucket counts as
--            full (the largest limit among the candidates' buckets, 0 when
--            none has one) less the requests of its probe on their way.
--            A key without a bucket whose probe already has as many requests
--            on their way as the largest bucket among the candidates holds
--            is passed over, and chosen only when no other candidate can
--            serve, even with the wait (the first such one).
--            A candidate with a wait whose bucket is empty is chosen when
--            its next unit is within that wait and at most one refill
--            interval away (no unit of it promised to another waiter yet):
--            that unit is taken ahead. When none is, the candidate whose
--            next unit comes soonest is chosen if that is within the wait,
--            and its unit is taken ahead (the level goes below zero: the
--            next waiter is promised the unit after it).
--            Returns { chosen (1-based, 0: none), wait_ms, how ("estimated
--            NUMBER OUT" with the claim's ticket, "probe" or ""), then for
--            each candidate skipped because its
--            bucket is empty (with "first", those before the chosen one):
--            its index (1-based) and the ms until its next unit }.
--   observe  KEYS[1]: one bucket. ARGV[2..5]: remaining, limit, age_ms (how
--            long before now the answer was seen), span_ms (from then to the
--            -reset; "" when the answer named none). The rate is bounded by
--            (limit - remaining) / span and the lowest bound is kept while
--            the limit stays the same (a new limit forgets it; no bound yet:
--            limit per minute); the level becomes the lower of what the
--            answer implies and what the estimate says (units claimed by
--            requests still on their way are not in the answer). ARGV[6]:
--            the ticket ("NUMBER:OUT") of the claim the answer's request was
--            sent under, or "": with it the level may also rise, up to what
--            the answer implies less every claim the upstream may not have
--            counted when it answered (the OUT claims out when it was taken,
--            and every claim taken after it, settled or not), 10 ms of refill
--            short of that; and the claim is over (one fewer out).
--   refused  KEYS[1]: one bucket, answered 429: it is empty now. ARGV[2]: a
--            ticket as above, whose claim is over, or "".
--   settle   KEYS[1]: one bucket; ARGV[2]: a ticket, or "". The attempt of a
--            claim ended without an answer that said so: a probe's (no
--            ticket: one request fewer on its way; for a bucket made since,
--            one claim fewer out), or a claim with a ticket (one fewer out).
--
-- Claims out: a claim counts as out from its claim until its answer, its
-- 429 or the end of its attempt. A ticket numbered before `out_from`, or not
-- taken from this bucket, ends nothing. A bucket that no claim or answer
-- changed for 30 s forgets its claims out (out_from = taken) at its next
-- claim: every request claimed before then has reached the upstream or never
-- will. A claim never settled (a killed process) stays out until then, and
-- answers raise the estimate by one unit less meanwhile.
--
-- Probes: a key whose bucket is not known is claimed as above, and
-- a placeholder (limit 0, level minus the requests on their way) lets the
-- first answer count the others still out. It expires 30 s after it was made
-- (a process killed during its attempt never settles it).
--
-- A unit claimed but never used (a 5xx, a killed process, a request that
-- never reached the upstream) is not given back at once: the next answer
-- with a ticket raises the estimate past it (see "observe"), and without
-- one it comes back with the refill, as the file's ledger does. A bucket expires by itself (PEXPIRE) ten
-- minutes after its estimate is full again (at most a day): nothing is left
-- to know of it then, and a pool that stops asking leaves nothing behind.
-- Values another program wrote are clamped as the file's ledger clamps them;
-- a bucket that is not a bucket of ours (fields missing or not numbers, a time
-- more than ten minutes ahead of the server's) is forgotten.
local op = ARGV[1]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)

local k_probe_timeout = 30000
local k_forget_full_after = 600000
local k_longest_kept = 86400000
local k_default_window = 60000
local k_max_units = 1e12
local k_max_wait = 1e12 -- pool::k_max_cooldown
local k_raise_margin = 10 -- ms of refill a raise stops short of an answer's level

local function finite(x)
  return x ~= nil and x == x and x ~= math.huge and x ~= -math.huge
end

-- A count field of a bucket: a whole number from 0 to `most`, else 0.
local function count(x, most)
  x = tonumber(x)
  if not finite(x) or x < 0 then
    return 0
  end
  return math.min(math.floor(x), most)
end

local function read(key)
  local f = redis.call('HMGET', key, 'level', 'at', 'limit', 'per_ms', 'taken', 'out', 'out_from')
  if not f[1] then
    return nil
  end
  local b = { level = tonumber(f[1]), at = tonumber(f[2]), limit = tonumber(f[3]),
              per_ms = tonumber(f[4]) }
  b.taken = count(f[5], k_max_units)
  b.out = count(f[6], b.taken)
  b.out_from = count(f[7], b.taken)
  if not (finite(b.level) and finite(b.at) and finite(b.limit) and finite(b.per_ms))
      or b.limit < 0 or b.per_ms < 0 or b.at > now + k_forget_full_after then
    redis.call('DEL', key)
    return nil
  end
  b.limit = math.min(b.limit, k_max_units)
  b.level = math.max(math.min(b.level, b.limit), -(b.limit + 1) * 1000)
  b.per_ms = math.min(b.per_ms, math.max(b.limit, 1))
  return b
end

local function probing(b)
  return b.limit <= 0
end

local function level_at(b, when)
  if when <= b.at then
    return b.level
  end
  return math.min(b.limit, b.level + (when - b.at) * b.per_ms)
end

-- ms from now until one unit, 0 when there is one, nil when it never comes.
local function until_one(b)
  local current = level_at(b, now)
  if current >= 1 then
    return 0
  end
  if b.per_ms <= 0 then
    return nil
  end
  local wait = math.ceil((1 - current) / b.per_ms)
  if not finite(wait) or wait > k_max_wait then
    return k_max_wait
  end
  return wait
end

-- ms one unit takes to refill (b.per_ms > 0), as pool::Bucket::refill_interval.
local function refill_interval(b)
  local interval = math.ceil(1 / b.per_ms)
  if not finite(interval) or interval > k_max_wait then
    return k_max_wait
  end
  return interval
end

-- Takes a unit for a claim; returns its ticket as the reply gives it.
local function take(b)
  if now - b.at >= k_probe_timeout then
    b.out = 0
    b.out_from = b.taken
  end
  local ticket = string.format('estimated %d %d', b.taken, b.out)
  local when = math.max(now, b.at)
  b.level = level_at(b, when) - 1
  b.at = when
  b.taken = b.taken + 1
  b.out = b.out + 1
  return ticket
end

-- A ticket ("NUMBER:OUT") as numbers, or nil for "" or anything else.
local function ticket_of(text)
  local number, out = string.match(text or '', '^(%d+):(%d+)$')
  if number == nil then
    return nil
  end
  return { number = tonumber(number), out = tonumber(out) }
end

-- The claim of `ticket` is over (nil: a probe's request, answered after its
-- bucket was made, ends one all the same).
local function end_claim(b, ticket)
  if ticket and (ticket.number < b.out_from or ticket.number >= b.taken) then
    return
  end
  b.out = math.max(0, b.out - 1)
end

local function num(x)
  return string.format('%.17g', x)
end

local function save(key, b)
  redis.call('HSET', key, 'level', num(b.level), 'at', num(b.at), 'limit', num(b.limit),
             'per_ms', num(b.per_ms), 'taken', num(b.taken), 'out', num(b.out), 'out_from',
             num(b.out_from))
  if probing(b) then
    return -- its expiry was set when it was made
  end
  local full_in = 0
  if b.level < b.limit and b.per_ms > 0 then
    full_in = math.ceil((b.limit - b.level) / b.per_ms) + math.max(b.at - now, 0)
  end
  redis.call('PEXPIRE', key, math.min(full_in + k_forget_full_after, k_longest_kept))
end

local function implied_level(remaining, limit, reset, seen, per_ms)
  local level = remaining
  if reset and reset > seen and per_ms > 0 then
    level = math.max(remaining, limit - (reset - seen) * per_ms)
  end
  return math.min(level, limit, remaining + 0.999)
end

local function observe(b, remaining, limit, reset, seen, ticket)
  if limit ~= b.limit then
    b.limit = limit
    b.per_ms = 0
  end
  if reset and reset > seen and remaining < limit then
    local bound = (limit - remaining) / (reset - seen)
    if b.per_ms > 0 then
      b.per_ms = math.min(b.per_ms, bound)
    else
      b.per_ms = bound
    end
  end
  if b.per_ms <= 0 then
    b.per_ms = limit / k_default_window
  end
  local implied = implied_level(remaining, limit, reset, seen, b.per_ms)
  local when = math.max(b.at, seen)
  local implied_then = math.min(limit, implied + (when - seen) * b.per_ms)
  local estimate = level_at(b, when)
  if ticket and ticket.number < b.taken then
    local uncounted = ticket.out + (b.taken - ticket.number - 1)
    estimate = math.max(estimate, implied_then - uncounted - k_raise_margin * b.per_ms)
  end
  b.level = math.min(estimate, implied_then)
  b.at = when
end

local function first_bucket(remaining, limit, reset, seen)
  local b = { level = limit, at = seen, limit = limit, per_ms = 0, taken = 0, out = 0,
              out_from = 0 }
  observe(b, remaining, limit, reset, seen)
  return b
end

if op == 'claim' then
  local may_wait = tonumber(ARGV[2]) or 0
  local most_left = ARGV[3] == 'most'
  local empty = {}
  local soonest, soonest_wait
  -- The reply: the choice, then every candidate skipped so far.
  local function reply(chosen, wait, how)
    local out = { chosen, wait, how }
    for _, v in ipairs(empty) do
      out[#out + 1] = v
    end
    return out
  end
  -- The buckets, read once each: every one ahead by units left or at a
  -- probe (the largest limit is needed then), else one at a time in
  -- key-file order.
  local buckets, full = {}, nil
  local function full_units()
    full = 0
    for i, key in ipairs(KEYS) do
      if buckets[i] == nil then
        buckets[i] = read(key) or false
      end
      if buckets[i] and not probing(buckets[i]) then
        full = math.max(full, buckets[i].limit)
      end
    end
  end
  if most_left then
    full_units()
  end
  -- The first key whose probe has as many requests on their way as the
  -- largest bucket known holds: used only when no other key can serve.
  local crowded
  local best, best_left
  for i, key in ipairs(KEYS) do
    local flag, ms = string.match(ARGV[3 + i] or '', '^([01]):?(%d*)$')
    local soft = flag == '1'
    local patience = tonumber(ms) or 0
    if buckets[i] == nil then
      buckets[i] = read(key) or false
    end
    local b = buckets[i] or nil
    local left
    if soft and (b == nil or probing(b)) then
      -- its proactive mark stands, as without claims
    elseif b == nil or probing(b) then
      -- never seen: usable, full but for its probe's requests on their way;
      -- with as many on their way as any known bucket holds, only when no
      -- other key can serve (more would likely be refused)
      local on_their_way = b and -b.level or 0
      if full == nil and on_their_way > 0 then
        full_units()
      end
      left = math.max(full or 0, 0) - on_their_way
      if full and full > 0 and left < 1 then
        crowded = crowded or i
        left = nil
      end
    else
      local wait = until_one(b)
      if wait == 0 then
        left = level_at(b, now)
      elseif wait and b.per_ms > 0 and wait <= patience and wait <= refill_interval(b) then
        local how = take(b)
        save(key, b)
        return reply(i, wait, how)
      else
        empty[#empty + 1] = i
        empty[#empty + 1] = wait or 60000
        if wait and (soonest == nil or wait < soonest_wait) then
          soonest, soonest_wait = i, wait
        end
      end
    end
    if left and (best == nil or left > best_left) then
      best, best_left = i, left
    end
    if best and not most_left then
      break
    end
  end
  -- A probe on candidate i: one more request on its way.
  local function probe(i)
    local key, b = KEYS[i], buckets[i] or nil
    if b == nil then
      b = { level = -1, at = now, limit = 0, per_ms = 0, taken = 0, out = 0, out_from = 0 }
      save(key, b)
      redis.call('PEXPIRE', key, k_probe_timeout)
    else
      b.level = b.level - 1
      save(key, b)
    end
    return reply(i, 0, 'probe')
  end
  if best then
    local key, b = KEYS[best], buckets[best] or nil
    if b and not probing(b) then
      local how = take(b)
      save(key, b)
      return reply(best, 0, how)
    end
    return probe(best)
  end
  if soonest and soonest_wait <= may_wait then
    local b = buckets[soonest]
    local how = take(b)
    save(KEYS[soonest], b)
    return reply(soonest, soonest_wait, how)
  end
  if crowded then
    return probe(crowded)
  end
  return reply(0, 0, '')
end

local key = KEYS[1]
if op == 'observe' then
  local remaining, limit = tonumber(ARGV[2]), tonumber(ARGV[3])
  local age, span = tonumber(ARGV[4]) or 0, tonumber(ARGV[5])
  if not (finite(remaining) and finite(limit)) or remaining < 0 or limit <= 0 then
    return 0
  end
  local seen = now - math.max(age, 0)
  local reset = nil
  if span then
    reset = seen + span
  end
  local b = read(key)
  if b == nil then
    b = first_bucket(remaining, limit, reset, seen)
  elseif probing(b) then
    -- The first answer of a probe: its other requests are still on their
    -- way, and not in this answer's remaining.
    local others = math.max(0, -b.level - 1)
    b = first_bucket(remaining, limit, reset, seen)
    b.level = b.level - others
    b.taken = others + 1 -- their claims, numbered without tickets
    b.out = others + 1 -- each of them, this one too, settles once
  else
    local ticket = ticket_of(ARGV[6])
    observe(b, remaining, limit, reset, seen, ticket)
    if ticket then
      end_claim(b, ticket)
    end
  end
  save(key, b)
  return 1
elseif op == 'refused' then
  local b = read(key)
  if b and not probing(b) then
    local when = math.max(now, b.at)
    b.level = math.min(level_at(b, when), 0)
    b.at = when
    local ticket = ticket_of(ARGV[2])
    if ticket then
      end_claim(b, ticket)
    end
    save(key, b)
  end
  return 1
elseif op == 'settle' then
  local b = read(key)
  local ticket = ticket_of(ARGV[2])
  if b and probing(b) then
    if ticket then
      return 1 -- a claim on a bucket since forgotten and probed again
    end
    b.level = b.level + 1
    if b.level > -0.5 then
      redis.call('DEL', key)
    else
      redis.call('HSET', key, 'level', num(b.level))
    end
  elseif b then
    end_claim(b, ticket)
    redis.call('HSET', key, 'out', num(b.out))
  end
  return 1
end
return redis.error_reply('claim.lua: unknown operation ' .. tostring(op))
