#pragma once

// A deadline on the arrival of each request: from the moment a connection
// is accepted (or its previous answer is complete, on a kept-alive
// connection) to the end of the request, head and body. evhttp's own
// timeout is an idle timeout, reset by every byte: a client that trickles a
// byte faster than it is bounded only by the 64 KiB header limit. A
// connection still receiving its request at the deadline is shut down
// (evhttp then reads its end and lets it go); a request being served is not
// bounded by it (--timeout and --idle-timeout are).
//
// evhttp gives no hook when a connection ends; it does let us make each
// connection's bufferevent (evhttp_set_bevcb). We keep a reference on it,
// so that the pointer stays ours, and learn that evhttp has let the
// connection go when its callbacks are cleared (bufferevent_free clears
// them; evhttp keeps an error callback on a live one). The bufferevent is
// made without BEV_OPT_CLOSE_ON_FREE: evhttp then closes the socket itself
// when it frees the connection, not when our reference goes.
//
// Loop thread only.

#include <chrono>
#include <unordered_map>

struct bufferevent;
struct event;
struct event_base;
struct evhttp;
struct evhttp_request;

namespace app {

class RequestDeadlines {
public:
  // Installs itself on `http` (evhttp_set_bevcb). `seconds` <= 0: none.
  RequestDeadlines(event_base* base, evhttp* http, double seconds);
  // After evhttp_free: lets go of what is left.
  ~RequestDeadlines();
  RequestDeadlines(const RequestDeadlines&) = delete;
  RequestDeadlines& operator=(const RequestDeadlines&) = delete;

  // The request has arrived whole: no deadline until its answer is
  // complete, then the next request's runs.
  void arrived(evhttp_request* request);
  // Connections shut down at their deadline so far.
  long dropped() const { return m_dropped; }

  struct Watch;

private:
  static bufferevent* new_connection(event_base* base, void* self);
  static void on_timer(int, short, void* watch);
  static void on_complete(evhttp_request* request, void* self);
  void arm(Watch& watch);
  void forget(Watch& watch);
  Watch* find(evhttp_request* request);

  std::chrono::milliseconds m_limit;
  std::unordered_map<bufferevent*, Watch*> m_watches;
  long m_dropped = 0;
};

} // namespace app
