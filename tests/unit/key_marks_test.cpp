#include "pool/key_marks.hpp"

#include "test_support.hpp"

#include <doctest/doctest.h>

using pool::KeyMark;
using pool::KeyMarks;
using pool::MarkKind;
using pool::Scope;
using test::at;
using test::ms;

namespace {
const util::TimePoint k_t0 = at("2026-11-26T03:00:00Z");
}

TEST_CASE("KeyMarks: a lone KeyMark is a key-wide mark") {
  KeyMarks marks = KeyMark::cooling(k_t0, ms(10'000), 429, "rate_limit_error");
  REQUIRE(marks.key_wide);
  CHECK(marks.models.empty());
  for (const char* model : {"", "opus", "haiku"}) {
    CAPTURE(model);
    auto block = marks.blocking(model, k_t0);
    REQUIRE(block);
    CHECK(block->scope.key_wide());
  }
  CHECK(marks.usable_for("opus", k_t0 + ms(10'000)));
}

TEST_CASE("KeyMarks: a per-model cooldown blocks that model only") {
  KeyMarks marks;
  marks.merge(Scope::of_model("opus"), KeyMark::cooling(k_t0, ms(10'000), 429, ""));
  CHECK_FALSE(marks.key_wide);
  CHECK_FALSE(marks.usable_for("opus", k_t0));
  CHECK(marks.usable_for("haiku", k_t0));
  CHECK(marks.usable_for("", k_t0)); // key-wide view: ready for some model
  auto block = marks.blocking("opus", k_t0 + ms(4'000));
  REQUIRE(block);
  CHECK(block->scope == Scope::of_model("opus"));
  CHECK(pool::cooldown_left(*block->mark, k_t0 + ms(4'000)) == ms(6'000));
}

TEST_CASE("KeyMarks: disabled first, then the cooldown that ends last") {
  KeyMarks marks;
  marks.merge(Scope::every_model(), KeyMark::cooling(k_t0, ms(5'000), 402, "billing"));
  marks.merge(Scope::of_model("opus"), KeyMark::cooling(k_t0, ms(30'000), 429, ""));
  auto block = marks.blocking("opus", k_t0);
  REQUIRE(block);
  CHECK(block->mark->status == 429); // ends later than the key-wide one
  block = marks.blocking("haiku", k_t0);
  REQUIRE(block);
  CHECK(block->mark->status == 402);
  // After the key-wide cooldown, only opus is blocked.
  CHECK(marks.usable_for("haiku", k_t0 + ms(5'000)));
  CHECK_FALSE(marks.usable_for("opus", k_t0 + ms(5'000)));

  // A disabled mark, made in any scope, is key-wide and beats everything.
  marks.merge(Scope::of_model("opus"), KeyMark::disabled(k_t0, 401, "authentication_error"));
  REQUIRE(marks.key_wide);
  CHECK(marks.key_wide->kind == MarkKind::disabled);
  for (const char* model : {"", "opus", "haiku"}) {
    block = marks.blocking(model, k_t0);
    REQUIRE(block);
    CHECK(block->mark->kind == MarkKind::disabled);
  }
}

TEST_CASE("KeyMarks::merge never shortens a cooldown, per scope") {
  KeyMarks marks;
  marks.merge(Scope::of_model("opus"), KeyMark::cooling(k_t0, ms(30'000), 429, "long"));
  marks.merge(Scope::of_model("opus"), KeyMark::cooling(k_t0, ms(5'000), 429, "short"));
  marks.merge(Scope::of_model("haiku"), KeyMark::cooling(k_t0, ms(5'000), 429, "haiku"));
  CHECK(marks.models.at("opus").reason == "long");
  CHECK(marks.models.at("haiku").reason == "haiku");
  CHECK(marks.models.size() == 2);
}

TEST_CASE("KeyMarks::prune drops ended cooldowns and keeps the rest") {
  KeyMarks marks;
  marks.merge(Scope::every_model(), KeyMark::cooling(k_t0, ms(5'000), 429, ""));
  marks.merge(Scope::of_model("opus"), KeyMark::cooling(k_t0, ms(30'000), 429, ""));
  marks.merge(Scope::of_model("haiku"), KeyMark::cooling(k_t0, ms(1'000), 429, ""));
  marks.limits["opus"] = pool::ModelLimits{k_t0, {{"requests", 3, 50, std::nullopt}}};
  marks.prune(k_t0 + ms(10'000));
  CHECK_FALSE(marks.key_wide);
  CHECK(marks.models.count("opus") == 1);
  CHECK(marks.models.count("haiku") == 0);
  CHECK(marks.limits.count("opus") == 1);
  CHECK_FALSE(marks.unmarked());
  marks.prune(k_t0 + ms(30'000));
  CHECK(marks.unmarked());
  CHECK_FALSE(marks.empty()); // the limits are still there
}
