#include "state/file/affinity_file.hpp"

#include "test_support.hpp"

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <fstream>
#include <map>
#include <sstream>
#include <string>

using pool::AffinityEntry;
using state::AffinityFile;
using test::at;
using test::ms;

namespace {
const util::TimePoint k_t0 = at("2026-12-04T13:00:00Z");
const std::string k_fp_a = "sha256:0123456789abcdef0123456789abcdef";
const std::string k_fp_b = "sha256:fedcba9876543210fedcba9876543210";
} // namespace

TEST_CASE("affinity file: remembered beside the state file, read back, hashes only") {
  test::TempDir dir;
  std::string state = dir.path() + "/sub/state.json";
  AffinityFile file(state);
  CHECK(file.path() == state + ".affinity");
  CHECK_FALSE(file.lookup("h1"));
  file.remember("h1", k_fp_a, k_t0);
  file.remember("h2", k_fp_b, k_t0 + ms(5));
  file.remember("h1", k_fp_b, k_t0 + ms(10));
  auto h1 = AffinityFile(state).lookup("h1");
  REQUIRE(h1);
  CHECK(h1->fingerprint == k_fp_b);
  CHECK(h1->at == k_t0 + ms(10));
  CHECK(AffinityFile(state).lookup("h2")->fingerprint == k_fp_b);
  CHECK(file.problem().empty());
}

TEST_CASE("affinity file: entries older than an hour are dropped, at most k_max_entries kept") {
  std::map<std::string, AffinityEntry> entries;
  entries["old"] = AffinityEntry{k_fp_a, k_t0};
  entries["new"] = AffinityEntry{k_fp_b, k_t0 + pool::k_affinity_lifetime};
  auto text = state::serialize_affinities(entries, k_t0 + pool::k_affinity_lifetime + ms(1));
  auto back = state::parse_affinities(text);
  CHECK(back.size() == 1);
  CHECK(back.count("new") == 1);

  // fmt rather than "h" + std::to_string(i): GCC 12 at -O3 takes the latter
  // for a copy of more than half the address space (-Wstringop-overflow).
  auto name = [](std::size_t i) { return fmt::format("h{}", i); };
  std::map<std::string, AffinityEntry> many;
  for (std::size_t i = 0; i < AffinityFile::k_max_entries + 10; ++i) {
    many[name(i)] = AffinityEntry{k_fp_a, k_t0 + ms(static_cast<long long>(i))};
  }
  auto kept = state::parse_affinities(state::serialize_affinities(many, k_t0 + ms(100'000)));
  CHECK(kept.size() == AffinityFile::k_max_entries);
  CHECK(kept.count("h0") == 0); // the oldest go
  CHECK(kept.count(name(AffinityFile::k_max_entries + 9)) == 1);
}

TEST_CASE("affinity file: lines that are not ours are skipped") {
  auto entries = state::parse_affinities("h1 " + k_fp_a +
                                         " 1764853200000\n"
                                         "garbage\n"
                                         "h2 fp notanumber\n"
                                         "h3 " +
                                         k_fp_b + " 12\n" + "torn " + k_fp_a + " 1");
  CHECK(entries.size() == 2);
  CHECK(entries.count("h1") == 1);
  CHECK(entries.count("h3") == 1);
}
