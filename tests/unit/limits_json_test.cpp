// The one writer of a model's last limits (pool::limits_json), and the state
// layer's reading of what it wrote.
#include "pool/limits_json.hpp"

#include "state/file/json_fields.hpp"
#include "test_support.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

TEST_CASE("limits_json: seen first, then each kind as read; what was not sent is left out") {
  pool::ModelLimits limits;
  limits.seen = *util::parse_rfc3339("2026-11-29T10:00:00Z");
  pool::LimitReading requests{"requests", 0, 50, *util::parse_rfc3339("2026-11-29T10:00:01Z")};
  pool::LimitReading tokens{"tokens", 39000, -1, std::nullopt};
  limits.readings = {requests, tokens};
  CHECK(pool::limits_json(limits).dump() ==
        R"({"seen":"2026-11-29T10:00:00.000Z",)"
        R"("requests":{"remaining":0,"limit":50,"reset":"2026-11-29T10:00:01.000Z"},)"
        R"("tokens":{"remaining":39000}})");

  pool::ModelLimits none;
  none.seen = limits.seen;
  CHECK(pool::limits_json(none).dump() == R"({"seen":"2026-11-29T10:00:00.000Z"})");
}

TEST_CASE("limits_json: what the state keeps reads back the same (kinds in name order)") {
  pool::ModelLimits limits;
  limits.seen = *util::parse_rfc3339("2026-11-29T10:00:00Z");
  limits.readings = {{"requests", 3, 50, *util::parse_rfc3339("2026-11-29T10:00:05Z")},
                     {"input_tokens", 100, 1000, std::nullopt}};
  // The state file keeps it as a plain object; its keys come back sorted.
  nlohmann::json kept = pool::limits_json(limits);
  auto read = state::read_limits(nlohmann::json::parse(kept.dump()));
  REQUIRE(read);
  CHECK(read->seen == limits.seen);
  REQUIRE(read->readings.size() == 2);
  CHECK(read->readings[0] == limits.readings[1]);
  CHECK(read->readings[1] == limits.readings[0]);
}
