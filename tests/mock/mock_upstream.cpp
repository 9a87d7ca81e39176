// bridge-mock: a scripted stand-in for the Anthropic Messages API and the
// OpenAI Chat Completions API, used by the integration tests. See tests/mock/README.md for the
// script format.
//
//   bridge-mock --script FILE --port-file FILE [--log FILE] [--host 127.0.0.1]
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <thread>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "mock_bedrock.hpp"
#include "mock_buckets.hpp"
#include "mock_recorder.hpp"
#include "mock_responses.hpp"
#include "mock_script.hpp"
#include "mock_sigv4.hpp"

#include "upstream/prompt_prefix.hpp"

namespace {

// Enough workers for 64+ concurrent clients: with keep-alive each open
// connection holds a worker for as long as it stays open.
constexpr std::size_t k_worker_threads = 160;
// httplib listens with a backlog of 5; a burst of parallel clients would see
// SYNs dropped and retried a second later, so the queue is made longer (the
// script's top-level "backlog", 512 by default).
constexpr time_t k_keep_alive_seconds = 30;
constexpr time_t k_read_timeout_seconds = 30;
// Generous, so that a test may let the client stall its reading on purpose.
constexpr time_t k_write_timeout_seconds = 300;
// After SIGTERM, workers busy in a keep-alive wait or a long write are not
// waited for beyond this: the mock must never hold a test up.
constexpr auto k_stop_grace = std::chrono::milliseconds(1000);

struct options {
  std::string script_path;
  std::string port_file;
  std::string log_path;
  std::string host = "127.0.0.1";
};

// Gives access to the listening socket, which httplib keeps protected.
class mock_server : public httplib::Server {
public:
  void widen_backlog(int backlog) {
    // listen() again on a listening socket only changes its backlog.
    ::listen(svr_sock_, backlog);
  }
};

[[noreturn]] void usage_error(const std::string& message) {
  std::fprintf(stderr,
               "bridge-mock: %s\n"
               "usage: bridge-mock --script FILE --port-file FILE [--log FILE] [--host ADDR]\n",
               message.c_str());
  std::exit(2);
}

options parse_args(int argc, char** argv) {
  options opts;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    std::optional<std::string> value;
    if (const auto eq = arg.find('='); arg.rfind("--", 0) == 0 && eq != std::string::npos) {
      value = arg.substr(eq + 1);
      arg.resize(eq);
    }
    auto take = [&]() -> std::string {
      if (value) {
        return *value;
      }
      if (i + 1 >= argc) {
        usage_error(arg + " needs a value");
      }
      return argv[++i];
    };
    if (arg == "--script") {
      opts.script_path = take();
    } else if (arg == "--port-file") {
      opts.port_file = take();
    } else if (arg == "--log") {
      opts.log_path = take();
    } else if (arg == "--host") {
      opts.host = take();
    } else if (arg == "--help" || arg == "-h") {
      std::printf("usage: bridge-mock --script FILE --port-file FILE [--log FILE] [--host ADDR]\n");
      std::exit(0);
    } else {
      usage_error("unknown argument " + arg);
    }
  }
  if (opts.script_path.empty() || opts.port_file.empty()) {
    usage_error("--script and --port-file are required");
  }
  return opts;
}

// The test harness polls for the port file, so it must never see a partly
// written one: write a temporary file beside it, then rename.
bool write_port_file(const std::string& path, int port) {
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << port << '\n';
    if (!out.flush()) {
      return false;
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    return false;
  }
  return true;
}

std::string dump(const nlohmann::ordered_json& j) {
  return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

mock::request_info describe(const httplib::Request& req, std::uint64_t number) {
  mock::request_info info;
  info.number = number;
  info.model = "claude-mock";
  info.body_bytes = req.body.size();
  try {
    const nlohmann::json body = nlohmann::json::parse(req.body);
    if (body.is_object()) {
      if (body.contains("model") && body["model"].is_string()) {
        info.model = body["model"].get<std::string>();
      }
      info.stream = body.contains("stream") && body["stream"] == true;
      // What a prompt cache keys on: system, tools and the first message.
      nlohmann::json prefix = nlohmann::json::object();
      for (const char* field : {"model", "system", "tools"}) {
        if (body.contains(field)) {
          prefix[field] = body[field];
        }
      }
      if (body.contains("messages") && body["messages"].is_array() && !body["messages"].empty()) {
        prefix["first"] = body["messages"][0];
      }
      std::string text = prefix.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
      // Only a prompt that could be cached takes part, by bridge's own
      // affinity rule (docs/marks.md): one that marks a breakpoint, or whose
      // prefix is long enough. Other answers carry no cache counts, so two
      // identical short requests get identical answers.
      if (upstream::could_be_cached(text.size(), req.body)) {
        info.prefix_bytes = text.size();
        info.prefix_hash = std::hash<std::string>{}(text);
      }
    }
  } catch (const nlohmann::json::exception&) {
    // Not JSON: answer anyway; the log shows what was sent.
  }
  return info;
}

// httplib compresses JSON and text bodies on its own whenever the client
// accepts gzip or br. The mock's bytes must be exactly what the script says
// (truncation offsets, raw bodies, multi-gigabyte answers that brotli would
// take minutes over), so the header is dropped once the request is logged.
// The Request is a non-const object owned by httplib; only the handler's
// view of it is const, which makes this cast well defined.
void disable_compression(const httplib::Request& req) {
  const_cast<httplib::Request&>(req).headers.erase("Accept-Encoding");
}

// Buckets mode: every answer reports the bucket of its key and model in the
// anthropic-ratelimit-requests-* headers, with a whole-second Date; an empty bucket answers 429
// with retry-after (whole seconds, as the API sends it) instead of the script.
const mock::response_spec& take_from_bucket(mock::buckets& buckets, const std::string& key,
                                            const mock::request_info& info, httplib::Response& res,
                                            const mock::response_spec& scripted,
                                            const mock::response_spec& refused) {
  const auto v = buckets.take(key, info.model);
  // A real server's Date: whole seconds, against which the client measures
  // the reset (the fraction it lacks is what the client must survive).
  res.set_header("Date", mock::http_date_now());
  res.set_header("anthropic-ratelimit-requests-limit", std::to_string(v.limit));
  res.set_header("anthropic-ratelimit-requests-remaining", std::to_string(v.remaining));
  res.set_header("anthropic-ratelimit-requests-reset", mock::rfc3339_in(v.full_in_ms));
  if (v.allowed) {
    return scripted;
  }
  res.set_header("retry-after", std::to_string((v.next_in_ms + 999) / 1000));
  return refused;
}

void install_routes(mock_server& svr, mock::script& scr, mock::recorder& rec,
                    std::optional<mock::buckets>& buckets,
                    const std::map<std::string, std::string>& aws_keys) {
  svr.Get("/__mock/stats", [&rec](const httplib::Request&, httplib::Response& res) {
    res.set_content(dump(rec.stats()), "application/json");
  });
  svr.Get("/__mock/buckets", [&buckets](const httplib::Request&, httplib::Response& res) {
    res.set_content(buckets ? dump(buckets->trace()) : std::string("{}"), "application/json");
  });

  static mock::response_spec refused;
  refused.status = 429;
  refused.error_message = "mock: this key's bucket for this model is empty";
  svr.Post(
      "/v1/messages", [&scr, &rec, &buckets](const httplib::Request& req, httplib::Response& res) {
        mock::recorder::in_flight held(rec);
        const std::uint64_t n = rec.record(req);
        disable_compression(req);
        res.set_header("request-id", "req_mock_" + std::to_string(n));
        mock::request_info info = describe(req, n);
        const auto key = mock::api_key_of(req);
        const mock::response_spec* spec = &mock::reflecting(scr.next_for(key, info.model), req);
        if (buckets && key && spec->status >= 200 && spec->status < 300) {
          spec = &take_from_bucket(*buckets, *key, info, res, *spec, refused);
        }
        if (key && spec->status >= 200 && spec->status < 300 && info.prefix_bytes > 0) {
          info.cache_hit = rec.cache_lookup(*key, info.prefix_hash);
        }
        rec.answered(spec->status);
        mock::answer(*spec, info, res);
      });

  // The OpenAI Chat Completions shape, under the /v1 base that OpenAI's
  // own base URL (https://api.openai.com/v1) includes.
  svr.Post("/v1/chat/completions",
           [&scr, &rec](const httplib::Request& req, httplib::Response& res) {
             mock::recorder::in_flight held(rec);
             const std::uint64_t n = rec.record(req);
             disable_compression(req);
             res.set_header("x-request-id", "req_mock_" + std::to_string(n));
             mock::request_info info = describe(req, n);
             info.openai = true;
             const mock::response_spec& spec =
                 mock::reflecting(scr.next_for(mock::api_key_of(req), info.model), req);
             rec.answered(spec.status);
             mock::answer(spec, info, res);
           });

  // Amazon Bedrock (bedrock-runtime): the model id is in the path (httplib
  // has decoded its %3A), the key in authorization: Bearer, or the access
  // key id of a SigV4 signature (checked when BRIDGE_MOCK_AWS_KEYS names
  // secrets); the request streams when the path says so. Answers use the
  // Anthropic shapes inside Bedrock's framing (mock_bedrock.hpp).
  svr.Post(R"(/model/([^/]+)/(invoke|invoke-with-response-stream))",
           [&scr, &rec, &aws_keys](const httplib::Request& req, httplib::Response& res) {
             mock::recorder::in_flight held(rec);
             const std::uint64_t n = rec.record(req);
             disable_compression(req);
             res.set_header("x-amzn-RequestId", "req_mock_" + std::to_string(n));
             if (mock::answer_bad_signature(req, aws_keys, res)) {
               rec.answered(403);
               return;
             }
             mock::request_info info = describe(req, n);
             info.bedrock = true;
             info.model = req.matches[1];
             info.stream = req.matches[2] == "invoke-with-response-stream";
             const mock::response_spec& spec =
                 mock::reflecting(scr.next_for(mock::api_key_of(req), info.model), req);
             rec.answered(spec.status);
             mock::answer(spec, info, res);
           });

  // The model list, the cheap probe of `keys check` (GET /v1/models?limit=1
  // for Anthropic, GET {base}/models for OpenAI): the key's scripted probe
  // answer decides the status; a success lists one model.
  svr.Get("/v1/models", [&scr, &rec](const httplib::Request& req, httplib::Response& res) {
    mock::recorder::in_flight held(rec);
    const std::uint64_t n = rec.record(req);
    disable_compression(req);
    const bool openai = !req.has_header("x-api-key");
    res.set_header(openai ? "x-request-id" : "request-id", "req_mock_" + std::to_string(n));
    const mock::response_spec& spec =
        mock::reflecting(scr.next_probe_for(mock::api_key_of(req)), req);
    rec.answered(spec.status);
    mock::answer_models(spec, openai, res);
  });

  // Everything else, e.g. the target of a scripted redirect, answers
  // {"ok":true} and is recorded, so a test can see whether anything (and
  // which key) followed the redirect.
  const httplib::Server::Handler landing = [&rec](const httplib::Request& req,
                                                  httplib::Response& res) {
    const std::uint64_t n = rec.record(req);
    disable_compression(req);
    res.set_header("request-id", "req_mock_" + std::to_string(n));
    res.set_content("{\"ok\":true}", "application/json");
  };
  // A Chat Completions request off /v1 (a base URL without it): no route,
  // as real servers answer.
  svr.Post(".*/chat/completions", [&rec](const httplib::Request& req, httplib::Response& res) {
    rec.record(req);
    rec.answered(404);
    res.status = 404;
    res.set_content("404 page not found: no route " + req.path, "text/plain");
  });
  const std::string any = ".*";
  svr.Get(any, landing);
  svr.Post(any, landing);
  svr.Put(any, landing);
  svr.Patch(any, landing);
  svr.Delete(any, landing);
  svr.Options(any, landing);
}

} // namespace

int main(int argc, char** argv) {
  const options opts = parse_args(argc, argv);

  // Block the stop signals before any thread exists, so that every thread
  // inherits the mask and only the dedicated waiter below receives them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  // A client that hangs up mid-stream must cost a failed write, not the process.
  std::signal(SIGPIPE, SIG_IGN);

  mock::script scr;
  mock::recorder rec;
  std::map<std::string, std::string> aws_keys;
  try {
    // The IAM keys whose SigV4 signatures Bedrock routes check, from the
    // environment rather than argv (which every user of the machine reads).
    if (const char* keys = std::getenv("BRIDGE_MOCK_AWS_KEYS")) {
      aws_keys = mock::parse_aws_keys(keys);
    }
    scr.load_file(opts.script_path);
    if (!opts.log_path.empty()) {
      rec.open_log(opts.log_path);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bridge-mock: %s\n", e.what());
    return 2;
  }

  mock_server svr;
  svr.new_task_queue = [] { return new httplib::ThreadPool(k_worker_threads); };
  // Small SSE writes must leave at once: tests time when a delta arrives.
  svr.set_tcp_nodelay(true);
  svr.set_keep_alive_max_count(1000000);
  svr.set_keep_alive_timeout(k_keep_alive_seconds);
  svr.set_read_timeout(k_read_timeout_seconds);
  svr.set_write_timeout(k_write_timeout_seconds);
  std::optional<mock::buckets> buckets;
  if (scr.buckets()) {
    buckets.emplace(scr.buckets()->requests, scr.buckets()->per_ms);
  }
  install_routes(svr, scr, rec, buckets, aws_keys);

  const int port = svr.bind_to_any_port(opts.host);
  if (port <= 0) {
    std::fprintf(stderr, "bridge-mock: cannot bind %s\n", opts.host.c_str());
    return 1;
  }
  svr.widen_backlog(scr.backlog());

  if (scr.never_accept()) {
    // A server that never answers: the kernel completes handshakes up to
    // the backlog and queues what clients send, but nobody reads it.
    // Once the queue is full, further connection attempts go unanswered.
    if (!write_port_file(opts.port_file, port)) {
      std::fprintf(stderr, "bridge-mock: cannot write %s: %s\n", opts.port_file.c_str(),
                   std::strerror(errno));
      return 1;
    }
    int sig = 0;
    sigwait(&stop_signals, &sig);
    ::_exit(0);
  }

  std::thread([&svr, stop_signals] {
    int sig = 0;
    sigwait(&stop_signals, &sig);
    mock::request_stop();
    svr.stop();
    // listen_after_bind() normally returns at once and main exits; this
    // is the backstop for workers stuck in a wait or a signal that came
    // before the accept loop started.
    std::this_thread::sleep_for(k_stop_grace);
    ::_exit(0);
  }).detach();

  // The socket is listening already, so connections made from now on are
  // queued by the kernel: announcing the port here is safe.
  if (!write_port_file(opts.port_file, port)) {
    std::fprintf(stderr, "bridge-mock: cannot write %s: %s\n", opts.port_file.c_str(),
                 std::strerror(errno));
    return 1;
  }

  const bool clean = svr.listen_after_bind();
  if (mock::stopping()) {
    // The worker pool may still be joining keep-alive connections;
    // nothing is left to save (the log is written line by line).
    ::_exit(0);
  }
  return clean ? 0 : 1;
}
