#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace keys {

// One API key of the pool. `secret` is the key itself and must never reach
// output, logs or the state file: use `hint` and `label` to name a key, and
// `fingerprint` to store facts about it.
struct Key {
  std::string label;
  std::string secret;
  std::string hint;
  std::string fingerprint;
  int line = 0; // line in the key file, 0 when the key came from elsewhere
};

// Builds a Key, deriving its hint and fingerprint.
Key make_key(std::string label, std::string secret, int line = 0);

// An AWS IAM access key as a Bedrock key file writes it,
// ACCESS_KEY_ID:SECRET_ACCESS_KEY (the id 16 to 128 upper-case letters and
// digits), split in two; nullopt for any other key.
struct AwsKeyParts {
  std::string_view access_key_id;
  std::string_view secret_access_key;
};
std::optional<AwsKeyParts> aws_key_parts(std::string_view secret);

// The masked form of docs/contract.md (keys), of the access key id alone for
// an AWS IAM key (aws_key_parts), so that no character of its secret shows: the first and last n
// characters joined by
// "...", n = 4 for keys of 20+ characters, 2 for 10–19, 1 for 5–9, 0 below;
// "..." alone when the key has at most 2n characters. Counts code points.
std::string key_hint(std::string_view secret);

// "sha256:" and the first 32 hex digits of SHA-256(secret): stable across
// runs and machines, and not reversible to the key.
std::string key_fingerprint(std::string_view secret);

// The fingerprint of a key at one upstream origin ("https://host:443"): the
// same form, of SHA-256(origin, a newline, secret). Marks are filed under it
// when they were learned from a host other than the provider's own, so that
// a 401 from a wrong base URL cannot disable the key where it works
// (docs/marks.md, "Marks belong to a host"). An empty origin gives
// key_fingerprint(secret).
std::string key_fingerprint(std::string_view secret, std::string_view origin);

} // namespace keys
