// A stand-in for libFuzzer's main in builds without it (g++, or clang without
// BRIDGE_FUZZ): feeds each file named on the command line, and each regular
// file inside each directory named (not recursively), to
// LLVMFuzzerTestOneInput once. It turns every fuzz target into a regression
// test over its seed corpus, and keeps the targets compiling in the ordinary
// build, where a target nobody builds would rot unnoticed.
//
// A crash is the failure, as under libFuzzer: the process dies. A non-zero
// return of LLVMFuzzerTestOneInput (which libFuzzer reserves) also fails.
#include <algorithm>
#include <cstddef>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <system_error>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size);

namespace {

bool replay_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "replay: cannot read %s\n", path.c_str());
    return false;
  }
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // A copy in a buffer of exactly the input's size, so that ASan catches a
  // read one past the end as it would under libFuzzer.
  std::vector<unsigned char> input(bytes.begin(), bytes.end());
  const unsigned char* data = input.empty() ? nullptr : input.data();
  if (LLVMFuzzerTestOneInput(data, input.size()) != 0) {
    std::fprintf(stderr, "replay: %s: LLVMFuzzerTestOneInput returned non-zero\n", path.c_str());
    return false;
  }
  return true;
}

} // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s FILE_OR_DIRECTORY...\n", argv[0]);
    return 2;
  }
  std::size_t replayed = 0;
  bool ok = true;
  for (int i = 1; i < argc; ++i) {
    const std::filesystem::path arg(argv[i]);
    std::error_code error;
    if (std::filesystem::is_directory(arg, error)) {
      // Sorted, so that a failure names the same file on every run.
      std::vector<std::filesystem::path> files;
      for (const auto& entry : std::filesystem::directory_iterator(arg, error)) {
        if (entry.is_regular_file()) {
          files.push_back(entry.path());
        }
      }
      if (error) {
        std::fprintf(stderr, "replay: cannot list %s: %s\n", arg.c_str(), error.message().c_str());
        ok = false;
        continue;
      }
      std::sort(files.begin(), files.end());
      for (const auto& file : files) {
        ok = replay_file(file) && ok;
        ++replayed;
      }
    } else {
      ok = replay_file(arg) && ok;
      ++replayed;
    }
  }
  std::printf("replay: %zu input%s, %s\n", replayed, replayed == 1 ? "" : "s",
              ok ? "no failure" : "FAILED");
  // An empty corpus would pass without testing anything.
  return ok && replayed > 0 ? 0 : 1;
}
