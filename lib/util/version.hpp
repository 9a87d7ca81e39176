#pragma once

namespace util {

// This program's version ("0.1.0"), from the project() of the top-level
// CMakeLists.txt. It lives in one generated file (version.cpp.in), so that a
// version bump rebuilds one object rather than every file.
const char* version();

} // namespace util
