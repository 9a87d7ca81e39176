// The one compiled copy of {fmt}.
//
// Debian ships {fmt} as headers plus a shared library. bridge links no
// shared {fmt} (one more library to load at every start) and no longer uses
// the header-only mode either: there, every file that includes
// <fmt/format.h> compiles the whole formatting engine again (about four
// seconds of compiler time per file, in some forty files and two CI builds).
// So the engine is compiled here, once, into bridge_util: format-inl.h holds
// the non-template functions, and the templates that format.h declares but
// does not define are instantiated below for char, the only character type
// bridge formats. A missing instantiation is a link error, never a silent
// fallback.
#include <fmt/format-inl.h>
#include <fmt/format.h>

FMT_BEGIN_NAMESPACE
namespace detail {

template auto dragonbox::to_decimal(float x) noexcept -> dragonbox::decimal_fp<float>;
template auto dragonbox::to_decimal(double x) noexcept -> dragonbox::decimal_fp<double>;

template locale_ref::locale_ref(const std::locale& loc);
template auto locale_ref::get<std::locale>() const -> std::locale;

template auto thousands_sep_impl(locale_ref) -> thousands_sep_result<char>;
template auto decimal_point_impl(locale_ref) -> char;
template void buffer<char>::append(const char*, const char*);
template void vformat_to(buffer<char>&, string_view, basic_format_args<FMT_BUFFER_CONTEXT(char)>,
                         locale_ref);

} // namespace detail
FMT_END_NAMESPACE
