#include "state/redis/redis_marks.hpp"

#include <doctest/doctest.h>

#include <string>

using pool::KeyMarks;
using pool::MarkKind;
using state::count_mark_lines;
using state::escape_field;
using state::read_marks_value;

namespace {

constexpr long long k_server_now = 1'800'000'000'000;
// This machine's clock, ten minutes behind the server's: what is left of a
// cooldown is the server's, whatever the clocks say.
const util::TimePoint k_now{util::Millis{k_server_now - 600'000}};

std::string line(const std::string& scope, const std::string& kind, long long since,
                 long long delay, const std::string& reason = "rate_limit_error") {
  return escape_field(scope) + "\t" + kind + "\t429\t" + std::to_string(since) + "\t" +
         std::to_string(delay) + "\tlabel\tsk-a...0001\t" + escape_field(reason);
}

KeyMarks read(const std::string& value) {
  KeyMarks marks;
  read_marks_value(value, k_server_now, k_now, marks);
  return marks;
}

} // namespace

TEST_CASE("every scope of a value is read, with what the server has left") {
  auto marks = read(line("key", "cooling", k_server_now - 1000, 61'000) + "\n" +
                    line("model:claude-opus-4-1", "cooling", k_server_now - 5000, 3'000'000));
  REQUIRE(marks.key_wide);
  CHECK(marks.key_wide->kind == MarkKind::cooling);
  CHECK(marks.key_wide->until == k_now + util::Millis{60'000});
  CHECK(marks.key_wide->until - marks.key_wide->since == util::Millis{61'000});
  CHECK(marks.key_wide->status == 429);
  REQUIRE(marks.models.count("claude-opus-4-1") == 1);
  CHECK(marks.models.at("claude-opus-4-1").until == k_now + util::Millis{2'995'000});
}

TEST_CASE("a cooldown that has ended on the server's clock is not read") {
  auto marks = read(line("model:claude-opus-4-1", "cooling", k_server_now - 5000, 5000) + "\n" +
                    line("model:claude-sonnet-4-5", "cooling", k_server_now - 5000, 4000));
  CHECK(marks.unmarked());
}

TEST_CASE("a disabled mark is key-wide and has no end") {
  auto marks = read(line("key", "disabled", 1'700'000'000'000, 0, "authentication_error"));
  REQUIRE(marks.key_wide);
  CHECK(marks.key_wide->kind == MarkKind::disabled);
  CHECK(marks.key_wide->since == util::TimePoint{util::Millis{1'700'000'000'000}});
  CHECK(marks.key_wide->reason == "authentication_error");
}

TEST_CASE("scopes, labels and reasons with TAB, newline or backslash come back as they were") {
  std::string model = "odd\tmodel\nname\\";
  std::string reason = "a\treason\nwith\\n";
  std::string value = line("model:" + model, "cooling", k_server_now, 1000, reason);
  CHECK(value.find('\n') == std::string::npos);
  auto marks = read(value);
  REQUIRE(marks.models.count(model) == 1);
  CHECK(marks.models.at(model).reason == reason);
  CHECK(count_mark_lines(value + "\n" + value) == 2);
}

TEST_CASE("lines that are not marks, scopes of a newer version and planted numbers") {
  CHECK(read("").unmarked());
  CHECK(read("garbage").unmarked());
  CHECK(read("key\tcooling\t429").unmarked());
  CHECK(read(line("future:thing", "cooling", k_server_now, 60'000)).unmarked());
  CHECK(read(line("key", "paused", k_server_now, 60'000)).unmarked());
  // Ends near 2^63: clamped, still cooling, never overflowing into "ready".
  auto far = read(line("key", "cooling", 9'223'372'036'854'775'807, 9'223'372'036'854'775'807));
  REQUIRE(far.key_wide);
  CHECK(far.key_wide->until - k_now == pool::k_max_cooldown);
  auto early = read(line("key", "disabled", -9'223'372'036'854'775'807 - 1, 0));
  REQUIRE(early.key_wide);
  CHECK(early.key_wide->since == pool::k_earliest_time);
}
