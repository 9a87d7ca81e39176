#include "keys/key_file.hpp"

#include "test_support.hpp"
#include "util/error.hpp"

#include <doctest/doctest.h>

#include <fcntl.h>
#include <string>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

using keys::load_key_file;
using keys::parse_key_file;
using test::mentions_number;
using util::ExitCode;

namespace {

const std::string k_path = "keys.txt";

std::vector<std::string> labels_of(const std::vector<keys::Key>& keys) {
  std::vector<std::string> labels;
  for (const auto& key : keys) {
    labels.push_back(key.label);
  }
  return labels;
}

std::vector<std::string> secrets_of(const std::vector<keys::Key>& keys) {
  std::vector<std::string> secrets;
  for (const auto& key : keys) {
    secrets.push_back(key.secret);
  }
  return secrets;
}

} // namespace

TEST_CASE("key file: labels, positions among keys, comments and blank lines") {
  std::string text = "# my keys\n"
                     "\n"
                     "primary sk-ant-one-1111111111\n"
                     "sk-ant-two-2222222222\n"
                     "   # an indented comment\n"
                     "\t\n"
                     "backup\tsk-ant-three-33333333\n"
                     "sk-ant-four-4444444444\n";
  auto keys = parse_key_file(text, k_path);
  CHECK(labels_of(keys) == std::vector<std::string>{"primary", "key-2", "backup", "key-4"});
  CHECK(secrets_of(keys) ==
        std::vector<std::string>{"sk-ant-one-1111111111", "sk-ant-two-2222222222",
                                 "sk-ant-three-33333333", "sk-ant-four-4444444444"});
  CHECK(keys[0].line == 3);
  CHECK(keys[1].line == 4);
  CHECK(keys[2].line == 7);
  CHECK(keys[3].line == 8);
  CHECK(keys[0].hint == keys::key_hint("sk-ant-one-1111111111"));
  CHECK(keys[0].fingerprint == keys::key_fingerprint("sk-ant-one-1111111111"));
}

TEST_CASE("key file: unlabelled keys are numbered among keys, not among lines") {
  auto keys = parse_key_file("# header\n\n# more\nsk-a-aaaaaaaa\n\n\nsk-b-bbbbbbbb\n", k_path);
  CHECK(labels_of(keys) == std::vector<std::string>{"key-1", "key-2"});
}

TEST_CASE("key file: BOM, CRLF, tabs and surrounding white space are ignored") {
  std::string text = "\xEF\xBB\xBF"
                     "first sk-ant-aaaaaaaaaaaa\r\n"
                     "  \t second \t\t sk-ant-bbbbbbbbbbbb \t \r\n"
                     "\r\n"
                     "sk-ant-cccccccccccc\r\n"
                     "   sk-ant-dddddddddddd"; // no final line end
  auto keys = parse_key_file(text, k_path);
  CHECK(labels_of(keys) == std::vector<std::string>{"first", "second", "key-3", "key-4"});
  CHECK(secrets_of(keys) == std::vector<std::string>{"sk-ant-aaaaaaaaaaaa", "sk-ant-bbbbbbbbbbbb",
                                                     "sk-ant-cccccccccccc", "sk-ant-dddddddddddd"});
  CHECK(keys[3].line == 5);
}

TEST_CASE("key file: a BOM before a comment or a lone key") {
  CHECK(secrets_of(parse_key_file("\xEF\xBB\xBFsk-only-key-0000", k_path)) ==
        std::vector<std::string>{"sk-only-key-0000"});
  CHECK(labels_of(parse_key_file("\xEF\xBB\xBF# comment\nsk-only-key-0000\n", k_path)) ==
        std::vector<std::string>{"key-1"});
}

TEST_CASE("key file without keys is a configuration error naming the path") {
  for (std::string text : {"", "\n\n", "# only a comment\n", "\xEF\xBB\xBF", "  \t \r\n# x\r\n"}) {
    CAPTURE(text);
    std::string message;
    CHECK_BRIDGE_ERROR(parse_key_file(text, "/home/u/.config/bridge/keys"), ExitCode::config,
                       message);
    CHECK(message.find("/home/u/.config/bridge/keys") != std::string::npos);
  }
}

TEST_CASE("the same key twice names both lines") {
  std::string text = "# pool\n"
                     "a sk-ant-same-key-1234\n"
                     "b sk-ant-other-key-999\n"
                     "\n"
                     "c sk-ant-same-key-1234\n";
  std::string message;
  CHECK_BRIDGE_ERROR(parse_key_file(text, k_path), ExitCode::config, message);
  CAPTURE(message);
  CHECK(mentions_number(message, 2));
  CHECK(mentions_number(message, 5));
  CHECK(message.find(k_path) != std::string::npos);
  CHECK(message.find("sk-ant-same-key-1234") == std::string::npos);
}

TEST_CASE("the same key twice, once labelled and once not, is still the same key") {
  std::string message;
  CHECK_BRIDGE_ERROR(parse_key_file("sk-ant-same-key-1234\nlabel sk-ant-same-key-1234\n", k_path),
                     ExitCode::config, message);
  CHECK(mentions_number(message, 1));
  CHECK(mentions_number(message, 2));
}

TEST_CASE("the same label twice names both lines") {
  std::string text = "work sk-ant-key-aaaaaaaa\n"
                     "# c\n"
                     "home sk-ant-key-bbbbbbbb\n"
                     "work sk-ant-key-cccccccc\n";
  std::string message;
  CHECK_BRIDGE_ERROR(parse_key_file(text, k_path), ExitCode::config, message);
  CAPTURE(message);
  CHECK(mentions_number(message, 1));
  CHECK(mentions_number(message, 4));
  CHECK(message.find("sk-ant-key-") == std::string::npos);
}

TEST_CASE("an explicit label that an unlabelled key would also get is a duplicate label") {
  std::string message;
  CHECK_BRIDGE_ERROR(parse_key_file("key-2 sk-ant-key-aaaaaaaa\nsk-ant-key-bbbbbbbb\n", k_path),
                     ExitCode::config, message);
  CHECK(mentions_number(message, 1));
  CHECK(mentions_number(message, 2));
}

TEST_CASE("a line with more than two fields names the line and never echoes it") {
  std::string text = "ok sk-ant-fine-key-0000\n"
                     "\n"
                     "myLabel sk-ant-SECRET-leak-me more-stuff-here\n";
  std::string message;
  CHECK_BRIDGE_ERROR(parse_key_file(text, k_path), ExitCode::config, message);
  CAPTURE(message);
  CHECK(mentions_number(message, 3));
  CHECK(message.find(k_path) != std::string::npos);
  for (auto field : {"myLabel", "sk-ant-SECRET-leak-me", "SECRET", "more-stuff-here"}) {
    CHECK(message.find(field) == std::string::npos);
  }
}

TEST_CASE("a pasted 'export ANTHROPIC_API_KEY=...' line is refused without echoing the key") {
  std::string message;
  CHECK_BRIDGE_ERROR(parse_key_file("export ANTHROPIC_API_KEY= sk-ant-SECRET-xyz\n", k_path),
                     ExitCode::config, message);
  CHECK(message.find("sk-ant-SECRET-xyz") == std::string::npos);
}

TEST_CASE("control characters and other bytes that cannot travel in a header are refused") {
  for (std::string secret :
       {std::string("sk-ant-\x01-secret"), std::string("sk-ant-\x7F-secret"),
        std::string("sk-ant-\x1B[31m-secret"), std::string("sk-ant-\xC3\xA9-secret"),
        std::string("sk-ant\x0B-secret")}) {
    CAPTURE(secret);
    std::string message;
    CHECK_BRIDGE_ERROR(parse_key_file("ok sk-ant-fine-key-0000\nlabel " + secret + "\n", k_path),
                       ExitCode::config, message);
    CHECK(mentions_number(message, 2));
    CHECK(message.find("-secret") == std::string::npos);
  }
}

TEST_CASE("a label with a control character is refused") {
  std::string message;
  CHECK_BRIDGE_ERROR(parse_key_file("bad\x07label sk-ant-fine-key-0000\n", k_path),
                     ExitCode::config, message);
  CHECK(mentions_number(message, 1));
}

TEST_CASE("a key split in two by a space is refused: its first half would be a label") {
  std::string message;
  CHECK_BRIDGE_ERROR(parse_key_file("ok sk-ant-fine-key-0000\nsk-ant-api03-AAAA BBBB\n", k_path),
                     ExitCode::config, message);
  CAPTURE(message);
  CHECK(mentions_number(message, 2));
  CHECK(message.find("sk-") != std::string::npos); // the reason: "starts with 'sk-'"
  CHECK(message.find("AAAA") == std::string::npos);
  CHECK(message.find("BBBB") == std::string::npos);
}

TEST_CASE("a label that looks like a secret is refused without echoing it") {
  for (std::string label : {std::string("Q7fJ2kLm9Xp4Rt8Wv3NsYb"),
                            std::string("team-Q7fJ2kLm9Xp4Rt8Wv3Ns"), std::string(65, 'a')}) {
    CAPTURE(label);
    std::string message;
    CHECK_BRIDGE_ERROR(parse_key_file(label + " sk-ant-fine-key-0000\n", k_path), ExitCode::config,
                       message);
    CHECK(mentions_number(message, 1));
    CHECK(message.find(label) == std::string::npos);
  }
}

TEST_CASE("ordinary labels are names, whatever their language") {
  auto keys = parse_key_file("ci-runner-eu-west-1 sk-ant-a-0000000001\n"
                             "prod_backup_2024 sk-ant-b-0000000002\n"
                             "cl\xC3\xA9-perso sk-ant-c-0000000003\n"
                             "ALLCAPSANDMORELETTERSX sk-ant-d-0000000004\n",
                             k_path);
  CHECK(labels_of(keys) == std::vector<std::string>{"ci-runner-eu-west-1", "prod_backup_2024",
                                                    "cl\xC3\xA9-perso", "ALLCAPSANDMORELETTERSX"});
  CHECK(keys::label_problem("primary").empty());
  CHECK(!keys::label_problem("sk-primary").empty());
  CHECK(!keys::label_problem("a=b").empty());
}

TEST_CASE("a shell assignment NAME=value is refused, labelled or not, without echoing it") {
  for (std::string line : {"ANTHROPIC_API_KEY=sk-ant-SECRET-xyz", "export KEY=sk-ant-SECRET-xyz",
                           "KEY=sk-ant-SECRET-xyz # pasted"}) {
    CAPTURE(line);
    std::string message;
    CHECK_BRIDGE_ERROR(parse_key_file("ok sk-ant-fine-key-0000\n" + line + "\n", k_path),
                       ExitCode::config, message);
    CHECK(mentions_number(message, 2));
    CHECK(message.find("NAME=value") != std::string::npos);
    CHECK(message.find("SECRET") == std::string::npos);
  }
}

TEST_CASE("a key or label in quotes is refused, naming the line, never the key") {
  for (std::string line :
       {"primary \"sk-ant-api03-SECRET-quoted-0000\"", "primary 'sk-ant-api03-SECRET-quoted-0000'",
        "\"sk-ant-api03-SECRET-quoted-0000\"", "primary sk-ant-api03-SECRET-quoted-0000\"",
        "\"primary\" sk-ant-api03-SECRET-quoted-0000",
        "\"my primary\" sk-ant-api03-SECRET-quoted-0000"}) {
    CAPTURE(line);
    std::string message;
    CHECK_BRIDGE_ERROR(parse_key_file("ok sk-ant-fine-key-0000\n" + line + "\n", k_path),
                       ExitCode::config, message);
    CHECK(message.find(k_path + ":2:") != std::string::npos);
    CHECK(message.find("in quotes") != std::string::npos);
    CHECK(message.find("without them") != std::string::npos); // the hint
    CHECK(message.find("SECRET") == std::string::npos);
  }
}

TEST_CASE("a line of JSON is refused with the form to write instead, never the key") {
  for (std::string line : {"{\"label\":\"primary\",\"key\":\"sk-ant-api03-SECRET-json-0000\"}",
                           "{\"label\": \"primary\", \"key\": \"sk-ant-api03-SECRET-json-0000\"}",
                           "[", "{", "},", "]"}) {
    CAPTURE(line);
    std::string message;
    CHECK_BRIDGE_ERROR(parse_key_file("ok sk-ant-fine-key-0000\n" + line + "\n", k_path),
                       ExitCode::config, message);
    CHECK(message.find(k_path + ":2:") != std::string::npos);
    CHECK(message.find("JSON") != std::string::npos);
    CHECK(message.find("primary sk-...") != std::string::npos); // the hint
    CHECK(message.find("SECRET") == std::string::npos);
  }
  // A pretty-printed object's member line is caught too: its label is quoted.
  std::string message;
  CHECK_BRIDGE_ERROR(parse_key_file("\"key\": \"sk-ant-api03-SECRET-json-0000\"\n", k_path),
                     ExitCode::config, message);
  CHECK(message.find("SECRET") == std::string::npos);
}

TEST_CASE("a '#' after white space starts a trailing comment") {
  auto keys = parse_key_file("primary sk-ant-one-1111111111   # the main one\n"
                             "sk-ant-two-2222222222\t# unlabelled: named key-2\n"
                             "third sk-ant-th#ree-33333333\n",
                             k_path);
  CHECK(labels_of(keys) == std::vector<std::string>{"primary", "key-2", "third"});
  CHECK(secrets_of(keys) == std::vector<std::string>{"sk-ant-one-1111111111",
                                                     "sk-ant-two-2222222222",
                                                     "sk-ant-th#ree-33333333"});
}

TEST_CASE("load_key_file: the caller's advice ends the message of an unreadable file") {
  test::TempDir dir;
  std::vector<std::string> warnings;
  std::string message;
  CHECK_BRIDGE_ERROR(load_key_file(dir / "missing", warnings, "; or do this instead"),
                     ExitCode::config, message);
  CHECK(message.find("; or do this instead") != std::string::npos);
  CHECK(message.find("ANTHROPIC_API_KEY") == std::string::npos);
}

TEST_CASE("load_key_file: a missing file or a directory is a configuration error") {
  test::TempDir dir;
  std::vector<std::string> warnings;
  std::string message;
  CHECK_BRIDGE_ERROR(load_key_file(dir / "missing", warnings), ExitCode::config, message);
  CHECK(message.find(dir / "missing") != std::string::npos);
  CHECK_BRIDGE_ERROR(load_key_file(dir.path(), warnings), ExitCode::config, message);
  CHECK(message.find(dir.path()) != std::string::npos);
}

TEST_CASE("load_key_file: a file readable by group or others is used, with a warning") {
  test::TempDir dir;
  struct Row {
    mode_t mode;
    bool warns;
  };
  for (auto row :
       {Row{0600, false}, Row{0400, false}, Row{0644, true}, Row{0640, true}, Row{0604, true}}) {
    CAPTURE(row.mode);
    auto path = dir / "keys";
    test::write_file(path, "main sk-ant-api03-abcdefghij\n", row.mode);
    std::vector<std::string> warnings;
    auto keys = load_key_file(path, warnings);
    REQUIRE(keys.size() == 1);
    CHECK(keys[0].label == "main");
    CHECK(keys[0].secret == "sk-ant-api03-abcdefghij");
    REQUIRE(warnings.size() == (row.warns ? 1u : 0u));
    if (row.warns) {
      CHECK(warnings[0].find(path) != std::string::npos);
      CHECK(warnings[0].find("sk-ant-api03") == std::string::npos);
    }
  }
}

TEST_CASE("load_key_file: a file writable by group or others is refused (exit 78)") {
  test::TempDir dir;
  for (mode_t mode : {0620, 0602, 0660, 0666, 0622, 0420, 0402}) {
    CAPTURE(mode);
    auto path = dir / "keys";
    test::write_file(path, "main sk-ant-api03-abcdefghij\n", mode);
    std::vector<std::string> warnings;
    std::string message;
    CHECK_BRIDGE_ERROR(load_key_file(path, warnings), ExitCode::config, message);
    CHECK(message.find("writable by group or others") != std::string::npos);
    CHECK(message.find("chmod 600 " + path) != std::string::npos);
    CHECK(message.find("sk-ant-api03") == std::string::npos);
    ::unlink(path.c_str());
  }
}

TEST_CASE("check_key_file_permissions: a file of another user is refused, root's is not") {
  std::vector<std::string> warnings;
  std::string message;
  uid_t other = ::geteuid() == 54321 ? 54322 : 54321;
  CHECK_BRIDGE_ERROR(keys::check_key_file_permissions("/k", 0100600, other, warnings),
                     ExitCode::config, message);
  CHECK(message.find("belongs to another user") != std::string::npos);
  CHECK_NOTHROW(keys::check_key_file_permissions("/k", 0100600, 0, warnings));
  CHECK_NOTHROW(keys::check_key_file_permissions("/k", 0100600, ::geteuid(), warnings));
  CHECK(warnings.empty());
  CHECK_NOTHROW(keys::check_key_file_permissions("/k", 0100644, ::geteuid(), warnings));
  CHECK(warnings.size() == 1);
}

TEST_CASE("load_key_file: a file larger than k_max_key_file_size is refused") {
  test::TempDir dir;
  auto path = dir / "huge";
  test::write_file(path, "main sk-ant-api03-abcdefghij\n");
  REQUIRE(::truncate(path.c_str(), static_cast<off_t>(keys::k_max_key_file_size + 1)) == 0);
  std::vector<std::string> warnings;
  std::string message;
  CHECK_BRIDGE_ERROR(load_key_file(path, warnings), ExitCode::config, message);
  CHECK(message.find(path) != std::string::npos);
}

TEST_CASE("load_key_file: an unreadable file is a configuration error") {
  if (::geteuid() == 0) {
    MESSAGE("skipped: running as root, mode 000 does not stop reading");
    return;
  }
  test::TempDir dir;
  auto path = dir / "keys";
  test::write_file(path, "main sk-ant-api03-abcdefghij\n", 0000);
  std::vector<std::string> warnings;
  std::string message;
  CHECK_BRIDGE_ERROR(load_key_file(path, warnings), ExitCode::config, message);
  CHECK(message.find(path) != std::string::npos);
}

TEST_CASE("load_key_file: parse errors name the real path") {
  test::TempDir dir;
  auto path = dir / "keys";
  test::write_file(path, "# nothing here\n");
  std::vector<std::string> warnings;
  std::string message;
  CHECK_BRIDGE_ERROR(load_key_file(path, warnings), ExitCode::config, message);
  CHECK(message.find(path) != std::string::npos);
}
