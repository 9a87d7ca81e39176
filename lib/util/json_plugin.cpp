#include "util/json_plugin.hpp"

#include <atomic>
#include <dlfcn.h>
#include <exception>
#include <mutex>
#include <sys/stat.h>
#include <unistd.h>

#ifndef BRIDGE_JSON_PLUGIN_DIR
#define BRIDGE_JSON_PLUGIN_DIR "."
#endif

namespace util {

namespace {

constexpr const char* k_plugin_name = "bridge-json.so";

std::atomic<JsonPluginUse> g_use{JsonPluginUse::automatic};
std::atomic<std::size_t> g_bytes_read{0};
// Set by tests before the first load, possibly from another file's static
// initialiser: made on first use, so that its own construction cannot come
// later and drop (and leak) what was set.
std::string& plugin_path() {
  static std::string path;
  return path;
}
std::once_flag g_load_once;
std::atomic<const bridge_json_api*> g_api{nullptr};

// The folder of the running executable, with its final '/'; empty when
// /proc is not there.
std::string executable_folder() {
  std::string path(4096, '\0');
  ssize_t size = ::readlink("/proc/self/exe", path.data(), path.size());
  if (size <= 0 || static_cast<std::size_t>(size) >= path.size()) {
    return {};
  }
  path.resize(static_cast<std::size_t>(size));
  return path.substr(0, path.rfind('/') + 1);
}

// Whether code at `path` may run in this process, which holds keys: a
// regular file (not a link) owned by root or by this user that nobody else may write, in
// a folder nobody else may write (or, like /tmp, sticky: then only the
// file's owner can replace it). Anything else is left alone, and nlohmann
// reads instead: the same results.
bool trusted_code(const std::string& path) {
  struct stat file {};
  struct stat folder {};
  std::string parent = path.substr(0, path.rfind('/') + 1);
  if (::lstat(path.c_str(), &file) != 0 ||
      ::stat(parent.empty() ? "." : parent.c_str(), &folder) != 0) {
    return false;
  }
  auto owned = [](const struct stat& st) { return st.st_uid == 0 || st.st_uid == ::geteuid(); };
  bool folder_shared = (folder.st_mode & (S_IWGRP | S_IWOTH)) != 0;
  return S_ISREG(file.st_mode) && owned(file) && (file.st_mode & (S_IWGRP | S_IWOTH)) == 0 &&
         (!folder_shared || (folder.st_mode & S_ISVTX) != 0);
}

const bridge_json_api* open_plugin(const std::string& path) {
  if (!trusted_code(path)) {
    return nullptr;
  }
  // RTLD_LOCAL: the plugin's C++ runtime serves the plugin alone.
  // RTLD_LAZY: RTLD_NOW would bind every function of the shared libstdc++
  // the plugin brings in, used or not (measured: 7.3 M instructions for
  // the dlopen instead of 4.8 M; libsimdjson binds at load time either way).
  void* handle = ::dlopen(path.c_str(), RTLD_LAZY | RTLD_LOCAL);
  if (handle == nullptr) {
    return nullptr;
  }
  using Entry = const bridge_json_api* (*)();
  auto entry = reinterpret_cast<Entry>(::dlsym(handle, BRIDGE_JSON_API_SYMBOL));
  const bridge_json_api* api = entry != nullptr ? entry() : nullptr;
  if (api == nullptr || api->abi_version != BRIDGE_JSON_ABI_VERSION) {
    ::dlclose(handle);
    return nullptr;
  }
  return api; // kept open for the life of the process
}

void load() {
  if (!plugin_path().empty()) {
    g_api = open_plugin(plugin_path());
    return;
  }
  std::string folder = executable_folder();
  if (folder.empty()) {
    return;
  }
  // The build tree keeps the plugin beside the executable; an installed
  // bridge finds it under its libdir.
  const bridge_json_api* api = open_plugin(folder + k_plugin_name);
  if (api == nullptr) {
    api = open_plugin(folder + BRIDGE_JSON_PLUGIN_DIR + "/" + k_plugin_name);
  }
  g_api = api;
}

// The sink of read_with_plugin: appends to a std::string, keeping an
// exception (no memory) from crossing the plugin's C frames.
struct Appender {
  std::string* out;
  std::exception_ptr failure;
};

void append(void* context, const char* data, std::size_t size) {
  auto* appender = static_cast<Appender*>(context);
  try {
    appender->out->append(data, size);
  } catch (...) {
    appender->failure = std::current_exception();
  }
}

} // namespace

const bridge_json_api* json_plugin(std::size_t bytes) {
  switch (g_use.load(std::memory_order_relaxed)) {
  case JsonPluginUse::never:
    return nullptr;
  case JsonPluginUse::automatic:
    if (g_bytes_read.fetch_add(bytes, std::memory_order_relaxed) + bytes < k_json_bulk_bytes) {
      return nullptr;
    }
    break;
  case JsonPluginUse::always:
    break;
  }
  std::call_once(g_load_once, load);
  return g_api.load(std::memory_order_relaxed);
}

std::optional<int> read_with_plugin(JsonTextReader reader, std::string_view data,
                                    std::string& out) {
  const bridge_json_api* api = json_plugin(data.size());
  if (api == nullptr) {
    return std::nullopt;
  }
  std::size_t size_before = out.size();
  Appender appender{&out, nullptr};
  int verdict = (api->*reader)(data.data(), data.size(), &appender, append);
  if (appender.failure) {
    out.resize(size_before);
    std::rethrow_exception(appender.failure);
  }
  if (verdict == BRIDGE_JSON_UNDECIDED) {
    out.resize(size_before);
    return std::nullopt;
  }
  return verdict;
}

void set_json_plugin_use(JsonPluginUse use) { g_use = use; }

void set_json_plugin_path(std::string path) { plugin_path() = std::move(path); }

bool json_plugin_loaded() { return g_api.load() != nullptr; }

} // namespace util
