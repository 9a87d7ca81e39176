#pragma once

#include <string>
#include <string_view>

namespace pool {

// What a mark covers. Anthropic limits each model separately, so a 429 cools
// a key for the model the request named only; a revoked key, a spend limit
// or a billing problem belong to the key (its organisation or workspace) and
// cover every model. A scope with no model is key-wide, which is also how a
// mark written by an older bridge, that knew nothing of models, is read.
class Scope {
public:
  static Scope every_model() { return Scope{}; }
  // `name` empty gives the key-wide scope: a request whose model is unknown
  // can only be judged by key-wide marks.
  static Scope of_model(std::string name) {
    Scope scope;
    scope.m_model = std::move(name);
    return scope;
  }

  bool key_wide() const { return m_model.empty(); }
  // The model, empty when key-wide.
  const std::string& model() const { return m_model; }

  friend bool operator==(const Scope&, const Scope&) = default;

private:
  std::string m_model;
};

} // namespace pool
