#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace state {

// A JSON number as nlohmann::json would store it: a non-negative integer
// that fits 64 bits is unsigned, a negative one that fits is signed, and any
// other number (a fraction, an exponent, or an integer too large) is a
// floating-point number. For the integers, `bits` holds the two's complement
// value, so that static_cast<int>(bits) is what json::get<int>() gives.
struct JsonNumber {
  enum class Kind { signed_integer, unsigned_integer, floating };
  Kind kind = Kind::floating;
  std::uint64_t bits = 0;

  bool is_integer() const { return kind != Kind::floating; }
};

// A forward-only cursor over JSON text that accepts exactly the texts that
// nlohmann::json::parse accepts (RFC 8259 strictly, no comments), including
// nlohmann's own edges: a UTF-8 byte order mark at the very start, and a NUL
// byte after the top-level value taken as the end of the input.
//
// It does not build anything: the caller walks the parts it wants to read
// (objects member by member, strings, numbers) and skips the rest with
// skip_value(), which is iterative, never recursive. Strings are validated as
// nlohmann does (UTF-8 well formed, no control characters, escapes and
// surrogate pairs valid) and are handed out as views into the text unless
// they hold escapes.
//
// Every reading function returns false when it cannot go on; status() then
// says why: `invalid` JSON; `too_deep`, an array or object opened deeper than
// `max_depth` levels (the top-level value's own level is 1) in text that was
// valid up to there; or `unsure`, the one case the scanner leaves to
// nlohmann: a number that does not fit a double (nlohmann refuses one that
// overflows to infinity, and telling that apart from an underflow needs
// strtod's exact rounding), so the caller must decide with nlohmann itself.
class JsonScanner {
public:
  enum class Status { good, invalid, too_deep, unsure };

  JsonScanner(std::string_view text, int max_depth)
      : m_p(text.data()), m_end(text.data() + text.size()), m_max_depth(max_depth) {}

  Status status() const { return m_status; }
  bool good() const { return m_status == Status::good; }

  // Skips the byte order mark, if any, and the whitespace before the value.
  bool begin_document();
  // After the top-level value: only whitespace, then the end or a NUL byte.
  bool end_document();
  // The text not read yet: after end_document(), what follows a NUL byte.
  std::string_view rest() const { return {m_p, static_cast<std::size_t>(m_end - m_p)}; }

  // The first byte of the next value ('{', '[', '"', '-', a digit, 't', 'f',
  // 'n', or anything else for an invalid one), after skipping whitespace; '\0'
  // at the end of the text.
  char peek();

  // Enters the object at the cursor (peek() gave '{'). Then next_member()
  // reads the name of each member and the ':' after it, leaving the cursor at
  // its value, which the caller must read or skip. It gives false after the
  // closing '}' and on an error (see status()).
  bool enter_object();
  bool next_member(std::string_view& name, std::string& scratch);

  // Reads the string at the cursor (peek() gave '"'). Without escapes the view
  // is into the text; with them, the decoded text is put in `scratch` and the
  // view is into it.
  bool string(std::string_view& out, std::string& scratch);
  // Reads the number at the cursor (peek() gave '-' or a digit).
  bool number(JsonNumber& out);
  // Skips the value at the cursor, whatever it is, checking it all the same.
  bool skip_value();

private:
  void skip_whitespace();
  bool string_body(std::string_view& out, std::string& scratch);
  bool string_slow(const char* start, std::string_view& out, std::string& scratch);
  bool escape(std::string& out);
  bool literal(std::string_view word);
  bool member_name(std::string_view& name, std::string& scratch);
  bool fail() {
    m_status = Status::invalid;
    return false;
  }

  const char* m_p;
  const char* m_end;
  int m_max_depth;
  int m_depth = 0; // objects entered with enter_object() and not yet closed
  Status m_status = Status::good;
  bool m_object_entered = false; // enter_object() ran; next_member() expects no ','
  std::string m_nesting;         // skip_value(): the closing bytes still owed, one a level
  std::string m_skipped;         // skip_value(): decoded strings nobody reads
};

} // namespace state
