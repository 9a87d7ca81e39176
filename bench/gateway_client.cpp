// The HTTP client of bench/gateway: libcurl, one kept-alive connection per
// target, so that what is measured is the gateway and not process start-up.
//
//   gateway_client latency N BODY URL KEY [BODY URL KEY]...
//       N sequential POSTs to each target (a BODY URL KEY triple), in turn:
//       A, B, C, A, B, C, ... (each target on its own kept-alive handle; one
//       warm-up request each first). Prints "A p50 p99", "B p50 p99", ... in
//       microseconds, one line per target in the order given.
//   gateway_client stream BODY URL KEY
//       one POST, its answer read to the end. Prints "BYTES SECONDS".
//   gateway_client concurrent N BODY URL KEY
//       N POSTs at once (curl multi, N connections), every answer read to the
//       end. Prints "OK_COUNT BYTES SECONDS"; OK_COUNT counts 200 answers.
//
// KEY goes as x-api-key (the mock's key, or the listener's token).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <curl/curl.h>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

std::size_t count_bytes(char*, std::size_t size, std::size_t n, void* total) {
  *static_cast<std::size_t*>(total) += size * n;
  return size * n;
}

struct Target {
  CURL* handle = nullptr;
  curl_slist* headers = nullptr;
  std::size_t bytes = 0;
};

Target make_target(const std::string& url, const std::string& key, const std::string& body) {
  Target target;
  target.handle = curl_easy_init();
  target.headers = curl_slist_append(target.headers, ("x-api-key: " + key).c_str());
  target.headers = curl_slist_append(target.headers, "anthropic-version: 2023-06-01");
  target.headers = curl_slist_append(target.headers, "content-type: application/json");
  curl_easy_setopt(target.handle, CURLOPT_URL, url.c_str());
  curl_easy_setopt(target.handle, CURLOPT_HTTPHEADER, target.headers);
  curl_easy_setopt(target.handle, CURLOPT_COPYPOSTFIELDS, body.c_str());
  curl_easy_setopt(target.handle, CURLOPT_NOPROXY, "*");
  curl_easy_setopt(target.handle, CURLOPT_WRITEFUNCTION, count_bytes);
  curl_easy_setopt(target.handle, CURLOPT_TCP_NODELAY, 1L);
  return target;
}

void free_target(Target& target) {
  curl_easy_cleanup(target.handle);
  curl_slist_free_all(target.headers);
}

// One request on target's handle; its time in microseconds, or -1.
double timed_request(Target& target) {
  target.bytes = 0;
  curl_easy_setopt(target.handle, CURLOPT_WRITEDATA, &target.bytes);
  auto begun = Clock::now();
  CURLcode code = curl_easy_perform(target.handle);
  auto took = std::chrono::duration<double, std::micro>(Clock::now() - begun).count();
  long status = 0;
  curl_easy_getinfo(target.handle, CURLINFO_RESPONSE_CODE, &status);
  return code == CURLE_OK && status == 200 ? took : -1;
}

double percentile(std::vector<double> values, double p) {
  std::sort(values.begin(), values.end());
  std::size_t index = static_cast<std::size_t>(p * static_cast<double>(values.size() - 1) + 0.5);
  return values[index];
}

std::string read_file(const char* path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// argv holds count triples BODY_FILE URL KEY.
int latency(long n, int count, char** argv) {
  std::vector<Target> targets;
  for (int t = 0; t < count; ++t) {
    targets.push_back(make_target(argv[3 * t + 1], argv[3 * t + 2], read_file(argv[3 * t])));
    if (timed_request(targets.back()) < 0) {
      std::fprintf(stderr, "gateway_client: the warm-up request to %s failed\n", argv[3 * t + 1]);
      return 1;
    }
  }
  std::vector<std::vector<double>> times(targets.size());
  for (long i = 0; i < n; ++i) {
    for (std::size_t t = 0; t < targets.size(); ++t) {
      double took = timed_request(targets[t]);
      if (took < 0) {
        std::fprintf(stderr, "gateway_client: request %ld to target %zu failed\n", i, t + 1);
        return 1;
      }
      times[t].push_back(took);
    }
  }
  for (std::size_t t = 0; t < targets.size(); ++t) {
    std::printf("%c %.1f %.1f\n", static_cast<char>('A' + t), percentile(times[t], 0.5),
                percentile(times[t], 0.99));
    free_target(targets[t]);
  }
  return 0;
}

int stream(const std::string& body, char** argv) {
  Target target = make_target(argv[0], argv[1], body);
  double took = timed_request(target);
  if (took < 0) {
    std::fprintf(stderr, "gateway_client: the stream failed\n");
    return 1;
  }
  std::printf("%zu %.6f\n", target.bytes, took / 1e6);
  free_target(target);
  return 0;
}

int concurrent(long n, const std::string& body, char** argv) {
  CURLM* multi = curl_multi_init();
  curl_multi_setopt(multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, n);
  std::vector<Target> targets;
  targets.reserve(static_cast<std::size_t>(n));
  for (long i = 0; i < n; ++i) {
    targets.push_back(make_target(argv[0], argv[1], body));
    curl_easy_setopt(targets.back().handle, CURLOPT_WRITEDATA, &targets.back().bytes);
    curl_multi_add_handle(multi, targets.back().handle);
  }
  auto begun = Clock::now();
  int running = 1;
  while (running > 0) {
    curl_multi_perform(multi, &running);
    if (running > 0) {
      curl_multi_poll(multi, nullptr, 0, 1000, nullptr);
    }
  }
  double took = std::chrono::duration<double>(Clock::now() - begun).count();
  long ok = 0;
  std::size_t bytes = 0;
  CURLMsg* message;
  int left = 0;
  while ((message = curl_multi_info_read(multi, &left)) != nullptr) {
    long status = 0;
    curl_easy_getinfo(message->easy_handle, CURLINFO_RESPONSE_CODE, &status);
    ok += message->msg == CURLMSG_DONE && message->data.result == CURLE_OK && status == 200;
  }
  for (auto& target : targets) {
    bytes += target.bytes;
    curl_multi_remove_handle(multi, target.handle);
    free_target(target);
  }
  curl_multi_cleanup(multi);
  std::printf("%ld %zu %.6f\n", ok, bytes, took);
  return 0;
}

} // namespace

int main(int argc, char** argv) {
  curl_global_init(CURL_GLOBAL_DEFAULT);
  std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "latency" && argc >= 6 && (argc - 3) % 3 == 0) {
    return latency(std::atol(argv[2]), (argc - 3) / 3, argv + 3);
  }
  if (mode == "stream" && argc == 5) {
    return stream(read_file(argv[2]), argv + 3);
  }
  if (mode == "concurrent" && argc == 6) {
    return concurrent(std::atol(argv[2]), read_file(argv[3]), argv + 4);
  }
  std::fprintf(stderr, "usage: gateway_client latency N BODY URL KEY [BODY URL KEY]... |\n"
                       "       stream BODY URL KEY | concurrent N BODY URL KEY\n");
  return 2;
}
