#include "pool/outcome.hpp"

#include "util/time_format.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>

namespace pool {

namespace {

// The 400 answers of a workspace or organisation whose usage cap is reached.
bool is_usage_limit_message(std::string_view message) {
  constexpr std::string_view k_prefixes[] = {
      "You have reached your specified API usage limits",
      "You have reached your specified workspace API usage limits",
  };
  return std::any_of(std::begin(k_prefixes), std::end(k_prefixes),
                     [&](std::string_view prefix) { return message.starts_with(prefix); });
}

bool digits(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c)) != 0;
  });
}

} // namespace

Verdict classify(const AttemptOutcome& outcome) {
  if (outcome.kind != AttemptOutcome::Kind::answered) {
    return Verdict::report;
  }
  if (outcome.status >= 200 && outcome.status < 300) {
    return Verdict::success;
  }
  if (outcome.status == 429 || outcome.status == 402) {
    return Verdict::cool;
  }
  if (outcome.status == 400 && is_usage_limit_message(outcome.error_message)) {
    return Verdict::cool;
  }
  if (outcome.status == 401 || outcome.status == 403) {
    return Verdict::disable;
  }
  return Verdict::report;
}

Limit limit_of(const AttemptOutcome& outcome) {
  if (outcome.status == 402) {
    return Limit::billing;
  }
  if (outcome.status == 400 ||
      (outcome.status == 429 && outcome.error_code == "enforced_spend_limit_reached")) {
    return Limit::spend;
  }
  return Limit::rate;
}

std::optional<util::TimePoint> regain_access_time(std::string_view message) {
  constexpr std::string_view k_marker = "regain access on ";
  auto at = message.find(k_marker);
  if (at == std::string_view::npos) {
    return std::nullopt;
  }
  std::string_view rest = message.substr(at + k_marker.size());
  // YYYY-MM-DD, then optionally " at HH:MM" or " at HH:MM:SS", then " UTC".
  if (rest.size() < 10 || rest[4] != '-' || rest[7] != '-' || !digits(rest.substr(0, 4)) ||
      !digits(rest.substr(5, 2)) || !digits(rest.substr(8, 2))) {
    return std::nullopt;
  }
  std::string date(rest.substr(0, 10));
  std::string time = "00:00:00";
  rest.remove_prefix(10);
  if (rest.starts_with(" at ")) {
    rest.remove_prefix(4);
    if (rest.size() >= 5 && rest[2] == ':' && digits(rest.substr(0, 2)) && digits(rest.substr(3, 2))) {
      time = std::string(rest.substr(0, 5)) + ":00";
      rest.remove_prefix(5);
      if (rest.size() >= 3 && rest[0] == ':' && digits(rest.substr(1, 2))) {
        time = time.substr(0, 6) + std::string(rest.substr(1, 2));
        rest.remove_prefix(3);
      }
      // Only UTC is ever named; another zone would be a guess.
      if (!rest.starts_with(" UTC")) {
        return std::nullopt;
      }
    } else {
      return std::nullopt;
    }
  }
  return util::parse_rfc3339(date + "T" + time + "Z");
}

Penalty penalty_for(const AttemptOutcome& outcome, Verdict verdict, const std::string& model,
                    util::TimePoint now, util::Millis default_cooldown) {
  if (verdict == Verdict::disable) {
    return {Scope::every_model(), KeyMark::disabled(now, outcome.status, outcome.error_type)};
  }
  switch (limit_of(outcome)) {
  case Limit::billing:
    return {Scope::every_model(), KeyMark::cooling(now, k_account_cooldown, outcome.status, "billing")};
  case Limit::spend: {
    util::Millis delay = k_account_cooldown;
    if (outcome.status == 429) {
      if (auto end = regain_access_time(outcome.error_message); end && *end > now) {
        delay = *end - now;
      }
    }
    return {Scope::every_model(), KeyMark::cooling(now, delay, outcome.status, "spend_limit")};
  }
  case Limit::rate:
    break;
  }
  util::Millis delay = outcome.retry_after.count() > 0 ? outcome.retry_after : default_cooldown;
  return {Scope::of_model(model), KeyMark::cooling(now, delay, outcome.status, outcome.error_type)};
}

std::optional<Proactive> proactive_cooldown(const std::vector<LimitReading>& limits,
                                            util::TimePoint now) {
  std::optional<Proactive> found;
  for (const auto& reading : limits) {
    if (reading.remaining != 0 || !reading.reset || *reading.reset <= now) {
      continue;
    }
    util::Millis delay = *reading.reset - now;
    if (reading.kind == "requests" && reading.limit > 1) {
      // Requests come back one at a time as the bucket refills (-reset is
      // when it is full): the first is back after 1/limit of the time to
      // full (docs/marks.md, "Claims"). Token kinds keep the whole span:
      // the next request's size is unknown.
      delay = util::Millis{(delay.count() + reading.limit - 1) / reading.limit};
    }
    delay = std::min(delay, k_max_proactive_cooldown);
    if (!found || delay > found->delay) {
      found = Proactive{delay, reading.kind + "_remaining_0"};
    }
  }
  return found;
}

bool is_retryable(const AttemptOutcome& outcome) {
  switch (outcome.kind) {
  case AttemptOutcome::Kind::network_failure:
    return !outcome.received_bytes;
  case AttemptOutcome::Kind::broken_answer:
  case AttemptOutcome::Kind::interrupted:
    return false;
  case AttemptOutcome::Kind::answered:
    break;
  }
  if (classify(outcome) != Verdict::report) {
    return false; // success, or key-specific: the walk handles those
  }
  if (outcome.should_retry) {
    return *outcome.should_retry;
  }
  return outcome.status == 408 || outcome.status == 409 || outcome.status >= 500;
}

util::Millis retry_delay(const AttemptOutcome& outcome, int retry, double jitter) {
  constexpr util::Millis k_server_limit{60'000};
  if (outcome.retry_after.count() > 0 && outcome.retry_after <= k_server_limit) {
    return outcome.retry_after;
  }
  double seconds = std::min(0.5 * std::pow(2.0, std::min(retry, 16)), 8.0);
  seconds *= 1.0 - 0.25 * std::clamp(jitter, 0.0, 1.0);
  return util::Millis{static_cast<long long>(seconds * 1000.0)};
}

} // namespace pool
