#include "pool/limits_json.hpp"

#include "util/time_format.hpp"

#include <nlohmann/json.hpp>

namespace pool {

nlohmann::ordered_json limits_json(const ModelLimits& limits) {
  using nlohmann::ordered_json;
  ordered_json out = ordered_json::object();
  out["seen"] = util::format_rfc3339(limits.seen);
  for (const auto& reading : limits.readings) {
    ordered_json kind = ordered_json::object();
    if (reading.remaining >= 0) {
      kind["remaining"] = reading.remaining;
    }
    if (reading.limit >= 0) {
      kind["limit"] = reading.limit;
    }
    if (reading.reset) {
      kind["reset"] = util::format_rfc3339(*reading.reset);
    }
    out[reading.kind] = std::move(kind);
  }
  return out;
}

} // namespace pool
