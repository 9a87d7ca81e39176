#pragma once

#include <string>
#include <utility>
#include <variant>

namespace util {

// A value or an error message, returned at I/O boundaries (in the manner of
// tl::expected) so that callers decide what a failure means for them.
template <typename T> class Expected {
public:
  Expected(T value) : m_state(std::in_place_index<0>, std::move(value)) {}
  static Expected failure(std::string message) { return Expected(std::move(message), 0); }

  explicit operator bool() const noexcept { return m_state.index() == 0; }
  T& operator*() { return std::get<0>(m_state); }
  const T& operator*() const { return std::get<0>(m_state); }
  T* operator->() { return &std::get<0>(m_state); }
  const T* operator->() const { return &std::get<0>(m_state); }
  const std::string& error() const { return std::get<1>(m_state); }

private:
  Expected(std::string message, int) : m_state(std::in_place_index<1>, std::move(message)) {}
  std::variant<T, std::string> m_state;
};

} // namespace util
