#include "state/file/mark_journal.hpp"
#include "state/file/state_document.hpp"

#include "test_support.hpp"

#include <doctest/doctest.h>

#include <string>
#include <sys/stat.h>
#include <vector>

using pool::KeyMark;
using pool::MarkKind;
using state::decode_records;
using state::encode_record;
using state::JournalRecord;
using state::MarkJournal;
using test::at;
using test::ms;

namespace {

const util::TimePoint k_t0 = at("2026-11-29T12:00:00Z");

JournalRecord cooling(const std::string& name, long long delay_ms) {
  return {"sha256:" + name, name, "sk-...-" + name,
          KeyMark::cooling(k_t0, ms(delay_ms), 429, "rate_limit_error"), ""};
}

std::vector<std::string> fingerprints(const std::vector<JournalRecord>& records) {
  std::vector<std::string> out;
  for (const auto& record : records) {
    out.push_back(record.fingerprint);
  }
  return out;
}

std::vector<std::string> names(std::initializer_list<const char*> list) {
  std::vector<std::string> out;
  for (const auto* name : list) {
    out.push_back(std::string("sha256:") + name);
  }
  return out;
}

} // namespace

TEST_CASE("mark journal: a record round-trips, one line starting and ending with a newline") {
  JournalRecord disabled{"sha256:beta", "beta \"quoted\"\tlabel", "sk-...-beta",
                         KeyMark::disabled(k_t0, 401, "authentication_error"), ""};
  std::string line = encode_record(disabled);
  CHECK(line.front() == '\n');
  CHECK(line.back() == '\n');
  CHECK(line.find('\n', 1) == line.size() - 1); // the tab and quote in the label are escaped

  std::size_t skipped = 99;
  auto records = decode_records(encode_record(cooling("alpha", 30'000)) + line, &skipped);
  CHECK(skipped == 0);
  REQUIRE(records.size() == 2);
  CHECK(records[0].fingerprint == "sha256:alpha");
  CHECK(records[0].label == "alpha");
  CHECK(records[0].hint == "sk-...-alpha");
  CHECK(records[0].mark.kind == MarkKind::cooling);
  CHECK(records[0].mark.since == k_t0);
  CHECK(records[0].mark.until == k_t0 + ms(30'000));
  CHECK(records[0].mark.status == 429);
  CHECK(records[0].mark.reason == "rate_limit_error");
  CHECK(records[1].label == "beta \"quoted\"\tlabel");
  CHECK(records[1].mark.kind == MarkKind::disabled);
  CHECK(records[1].mark.status == 401);
}

TEST_CASE("mark journal: a torn tail is ignored, and so is every prefix of a record") {
  std::string whole = encode_record(cooling("alpha", 1000));
  std::string next = encode_record(cooling("beta", 2000));
  for (std::size_t cut = 0; cut < next.size(); ++cut) {
    CAPTURE(cut);
    auto records = decode_records(whole + next.substr(0, cut));
    CHECK(fingerprints(records) == names({"alpha"}));
  }
}

TEST_CASE("mark journal: a torn record does not swallow the record appended after it") {
  std::string torn = encode_record(cooling("alpha", 1000));
  torn.resize(torn.size() / 2); // a write cut short by a full disk
  std::size_t skipped = 0;
  auto records = decode_records(torn + encode_record(cooling("beta", 2000)), &skipped);
  CHECK(fingerprints(records) == names({"beta"}));
  CHECK(skipped == 1);
}

TEST_CASE("mark journal: garbage lines, a wrong checksum and non-mark JSON are skipped") {
  std::string good = encode_record(cooling("alpha", 1000));
  std::string altered = encode_record(cooling("beta", 2000));
  altered[altered.find("beta")] = 'B'; // the checksum no longer matches
  std::string text = "garbage\n\x01\x02\xff\n{\"fingerprint\": \"sha256:x\"}\n" + good + altered +
                     "\n{\"not\":\"a mark\"}\t0000000000000000\n" +
                     encode_record(cooling("gamma", 3000));
  std::size_t skipped = 0;
  auto records = decode_records(text, &skipped);
  CHECK(fingerprints(records) == names({"alpha", "gamma"}));
  CHECK(skipped == 5);
  CHECK(decode_records("").empty());
  CHECK(decode_records("\n\n\n").empty());
}

TEST_CASE("mark journal: append, fold, and where a record is seen meanwhile") {
  test::TempDir dir;
  auto state = dir / "state.json";
  MarkJournal journal(state);
  CHECK(journal.path() == state + ".journal");

  auto first = journal.append(cooling("alpha", 1000));
  REQUIRE(first);
  auto second = journal.append(cooling("beta", 2000));
  REQUIRE(second);
  CHECK(first->inode == second->inode);
  CHECK(test::permissions(journal.path()) == 0600);
  CHECK_FALSE(journal.folded(*first));
  std::string problem;
  CHECK(fingerprints(journal.read_all(problem)) == names({"alpha", "beta"}));

  // A holder moves the journal aside: the records are still seen by readers
  // and still not folded; a new append starts a new journal.
  auto batch = journal.begin_fold();
  REQUIRE(batch);
  CHECK(batch->has_folding);
  CHECK(fingerprints(batch->records) == names({"alpha", "beta"}));
  CHECK_FALSE(test::exists(journal.path()));
  CHECK_FALSE(journal.folded(*first));
  auto third = journal.append(cooling("gamma", 3000));
  REQUIRE(third);
  CHECK(third->inode != first->inode);
  CHECK(fingerprints(journal.read_all(problem)) == names({"gamma", "alpha", "beta"}));

  // Once the holder is done, the folded records are gone; the new one stays.
  journal.end_fold(*batch);
  CHECK(journal.folded(*first));
  CHECK_FALSE(journal.folded(*third));
  CHECK(fingerprints(journal.read_all(problem)) == names({"gamma"}));
  CHECK(problem.empty());

  // Nothing appended: an empty batch and nothing to remove.
  auto next = journal.begin_fold();
  REQUIRE(next);
  journal.end_fold(*next);
  auto empty = journal.begin_fold();
  REQUIRE(empty);
  CHECK(empty->records.empty());
  CHECK_FALSE(empty->has_folding);
}

TEST_CASE("mark journal: a folding file left by a holder that died is folded first") {
  test::TempDir dir;
  auto state = dir / "state.json";
  MarkJournal journal(state);
  REQUIRE(journal.append(cooling("alpha", 1000)));
  auto dead = journal.begin_fold(); // the holder is killed before end_fold
  REQUIRE(dead);
  auto late = journal.append(cooling("beta", 2000));
  REQUIRE(late);

  std::string problem;
  CHECK(fingerprints(journal.read_all(problem)) == names({"beta", "alpha"}));
  auto batch = journal.begin_fold();
  REQUIRE(batch);
  CHECK(batch->leftover);
  CHECK(fingerprints(batch->records) == names({"alpha"}));
  // The journal was not moved over the left-over file: both still exist.
  CHECK(test::exists(journal.path()));
  CHECK(test::exists(state + ".journal.folding"));
  journal.end_fold(*batch);
  CHECK(test::exists(journal.path()));
  CHECK_FALSE(test::exists(state + ".journal.folding"));
  CHECK_FALSE(journal.folded(*late)); // still to fold: the next pass moves it aside
  auto again = journal.begin_fold();
  REQUIRE(again);
  CHECK_FALSE(again->leftover);
  CHECK(fingerprints(again->records) == names({"beta"}));
  CHECK_FALSE(test::exists(journal.path()));
  journal.end_fold(*again);
  CHECK(journal.folded(*late));
}

TEST_CASE("mark journal: a journal that is not a regular file is refused") {
  test::TempDir dir;
  auto state = dir / "state.json";
  REQUIRE(::mkdir((state + ".journal").c_str(), 0700) == 0);
  MarkJournal journal(state);
  CHECK_FALSE(journal.append(cooling("alpha", 1000)));
  std::string problem;
  CHECK(journal.read_all(problem).empty());
  CHECK_FALSE(problem.empty());
}

TEST_CASE("mark journal: a per-model record round-trips with its model and folds at that scope") {
  JournalRecord opus = cooling("alpha", 30'000);
  opus.model = "claude-opus-4-1";
  std::string line = encode_record(opus);
  CHECK(line.find("\"model\":\"claude-opus-4-1\"") != std::string::npos);
  // A key-wide record has no model member: it reads as older versions wrote it.
  std::string key_wide = encode_record(cooling("beta", 5'000));
  CHECK(key_wide.find("\"model\"") == std::string::npos);

  std::size_t skipped = 99;
  auto records = decode_records(line + key_wide, &skipped);
  CHECK(skipped == 0);
  REQUIRE(records.size() == 2);
  CHECK(records[0].model == "claude-opus-4-1");
  CHECK(records[0].scope() == pool::Scope::of_model("claude-opus-4-1"));
  CHECK(records[0].mark.until == k_t0 + ms(30'000));
  CHECK(records[1].model.empty());
  CHECK(records[1].scope().key_wide());

  // The checksum covers the model: changing it (same length) rejects the line.
  std::string altered = line;
  altered.replace(altered.find("opus-4-1"), 8, "opus-4-2");
  CHECK(decode_records(altered, &skipped).empty());
  CHECK(skipped == 1);

  // Folding puts the per-model record under "models", the key-wide one at the top.
  state::StateDocument doc;
  for (const auto& record : records) {
    doc.merge(record.fingerprint, record.label, record.hint, record.scope(), record.mark);
  }
  auto marks = doc.marks();
  REQUIRE(marks.count("sha256:alpha") == 1);
  CHECK_FALSE(marks.at("sha256:alpha").key_wide);
  REQUIRE(marks.at("sha256:alpha").models.count("claude-opus-4-1") == 1);
  CHECK(marks.at("sha256:alpha").models.at("claude-opus-4-1").until == k_t0 + ms(30'000));
  REQUIRE(marks.at("sha256:beta").key_wide);
  CHECK(marks.at("sha256:beta").models.empty());
  CHECK(doc.serialize().find("\"models\"") != std::string::npos);
}
