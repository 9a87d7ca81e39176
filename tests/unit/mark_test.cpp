#include "pool/mark.hpp"

#include "test_support.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <optional>
#include <string>

using pool::KeyMark;
using pool::MarkKind;
using test::at;
using test::ms;

namespace {
const util::TimePoint k_t0 = at("2026-11-26T03:00:00Z");
}

TEST_CASE("KeyMark::cooling and KeyMark::disabled") {
  auto cooling = KeyMark::cooling(k_t0, ms(30'000), 429, "rate_limit_error");
  CHECK(cooling.kind == MarkKind::cooling);
  CHECK(cooling.since == k_t0);
  CHECK(cooling.until == k_t0 + ms(30'000));
  CHECK(cooling.status == 429);
  CHECK(cooling.reason == "rate_limit_error");

  auto disabled = KeyMark::disabled(k_t0, 401, "authentication_error");
  CHECK(disabled.kind == MarkKind::disabled);
  CHECK(disabled.since == k_t0);
  CHECK(disabled.status == 401);
  CHECK(disabled.reason == "authentication_error");

  CHECK(std::string(pool::to_string(MarkKind::cooling)) == "cooling");
  CHECK(std::string(pool::to_string(MarkKind::disabled)) == "disabled");
}

TEST_CASE("cooldown_left counts down to zero and never goes negative") {
  auto mark = KeyMark::cooling(k_t0, ms(30'000), 429, "");
  struct Row {
    long long offset_ms;
    long long left_ms;
  };
  for (auto row : {Row{0, 30'000}, Row{1, 29'999}, Row{10'000, 20'000}, Row{29'999, 1},
                   Row{30'000, 0}, Row{40'000, 0}, Row{86'400'000, 0}}) {
    CAPTURE(row.offset_ms);
    CHECK(pool::cooldown_left(mark, k_t0 + ms(row.offset_ms)) == ms(row.left_ms));
  }
}

TEST_CASE("cooldown_left: a wall clock that jumps backwards never lengthens a cooldown") {
  auto mark = KeyMark::cooling(k_t0, ms(30'000), 429, "");
  for (long long back : {1LL, 1'000LL, 3'600'000LL, 10LL * 365 * 86'400'000}) {
    CAPTURE(back);
    CHECK(pool::cooldown_left(mark, k_t0 - ms(back)) == ms(30'000));
  }
  // A mark whose end lies before its start (a corrupt or hand-edited file)
  // leaves nothing to wait for.
  KeyMark inverted = mark;
  inverted.until = k_t0 - ms(5'000);
  CHECK(pool::cooldown_left(inverted, k_t0 - ms(60'000)) == ms(0));
  CHECK(pool::is_usable(inverted, k_t0 - ms(60'000)));
}

TEST_CASE("cooldown_left of a disabled mark is zero") {
  auto mark = KeyMark::disabled(k_t0, 403, "permission_error");
  CHECK(pool::cooldown_left(mark, k_t0) == ms(0));
  CHECK(pool::cooldown_left(mark, k_t0 - ms(1000)) == ms(0));
}

TEST_CASE("is_usable, is_cooling, is_disabled") {
  auto cooling = KeyMark::cooling(k_t0, ms(5'000), 429, "");
  auto disabled = KeyMark::disabled(k_t0, 401, "");
  CHECK(pool::is_usable(std::nullopt, k_t0));

  CHECK_FALSE(pool::is_usable(cooling, k_t0));
  CHECK_FALSE(pool::is_usable(cooling, k_t0 + ms(4'999)));
  CHECK(pool::is_usable(cooling, k_t0 + ms(5'000)));
  CHECK(pool::is_usable(cooling, k_t0 + ms(60'000)));
  CHECK(pool::is_cooling(cooling, k_t0));
  CHECK_FALSE(pool::is_cooling(cooling, k_t0 + ms(5'000)));
  CHECK_FALSE(pool::is_disabled(cooling));
  // After a backwards jump the key is still cooling, not usable.
  CHECK_FALSE(pool::is_usable(cooling, k_t0 - ms(3'600'000)));

  CHECK(pool::is_disabled(disabled));
  CHECK_FALSE(pool::is_cooling(disabled, k_t0));
  for (long long later : {0LL, 1LL, 86'400'000LL, 10LL * 365 * 86'400'000}) {
    CHECK_FALSE(pool::is_usable(disabled, k_t0 + ms(later)));
  }
}

TEST_CASE("merge_marks: nothing stored takes the incoming mark") {
  auto incoming = KeyMark::cooling(k_t0, ms(5'000), 429, "rate_limit_error");
  auto merged = pool::merge_marks(std::nullopt, incoming);
  CHECK(merged.kind == MarkKind::cooling);
  CHECK(merged.until == incoming.until);
  CHECK(merged.since == incoming.since);
}

TEST_CASE("merge_marks: a cooldown is never shortened; the later end wins") {
  auto longer = KeyMark::cooling(k_t0, ms(120'000), 429, "long");
  auto shorter = KeyMark::cooling(k_t0 + ms(10'000), ms(5'000), 430, "short");
  SUBCASE("stored longer, incoming shorter") {
    auto merged = pool::merge_marks(longer, shorter);
    CHECK(merged.until == k_t0 + ms(120'000));
    CHECK(merged.since == k_t0);
    CHECK(merged.reason == "long");
    CHECK(merged.status == 429);
  }
  SUBCASE("stored shorter, incoming longer") {
    auto merged = pool::merge_marks(shorter, longer);
    CHECK(merged.until == k_t0 + ms(120'000));
    CHECK(merged.since == k_t0);
    CHECK(merged.reason == "long");
  }
  SUBCASE("a later 429 that ends later extends it") {
    auto later = KeyMark::cooling(k_t0 + ms(100'000), ms(60'000), 429, "later");
    auto merged = pool::merge_marks(longer, later);
    CHECK(merged.until == k_t0 + ms(160'000));
    CHECK(merged.reason == "later");
  }
}

TEST_CASE("merge_marks: disabled beats cooling in both directions") {
  auto cooling = KeyMark::cooling(k_t0, ms(3'600'000), 429, "rate_limit_error");
  auto disabled = KeyMark::disabled(k_t0 - ms(1'000), 401, "authentication_error");
  SUBCASE("stored disabled, incoming cooling") {
    auto merged = pool::merge_marks(disabled, cooling);
    CHECK(merged.kind == MarkKind::disabled);
    CHECK(merged.status == 401);
    CHECK(merged.reason == "authentication_error");
  }
  SUBCASE("stored cooling, incoming disabled") {
    auto merged = pool::merge_marks(cooling, disabled);
    CHECK(merged.kind == MarkKind::disabled);
    CHECK(merged.status == 401);
  }
  SUBCASE("both disabled stays disabled") {
    auto other = KeyMark::disabled(k_t0 + ms(5'000), 403, "permission_error");
    CHECK(pool::merge_marks(disabled, other).kind == MarkKind::disabled);
    CHECK(pool::merge_marks(other, disabled).kind == MarkKind::disabled);
  }
}
