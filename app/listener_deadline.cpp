#include "listener_deadline.hpp"

#include <algorithm>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <sys/socket.h>

namespace app {

using Clock = std::chrono::steady_clock;

// How often a watch looks whether evhttp has let its connection go (and
// our reference can go too) while no deadline is nearer.
constexpr std::chrono::milliseconds k_check_every{1000};

struct RequestDeadlines::Watch {
  RequestDeadlines* owner;
  bufferevent* events;
  event* timer = nullptr;
  bool receiving = true; // a request is arriving: the deadline applies
  Clock::time_point deadline;
};

// The loop's base is not kept: each connection's timer is made on the base
// libevent hands new_connection.
RequestDeadlines::RequestDeadlines(event_base*, evhttp* http, double seconds)
    : m_limit(static_cast<long>(seconds * 1000)) {
  if (m_limit.count() > 0) {
    evhttp_set_bevcb(http, &RequestDeadlines::new_connection, this);
  }
}

RequestDeadlines::~RequestDeadlines() {
  while (!m_watches.empty()) {
    forget(*m_watches.begin()->second);
  }
}

bufferevent* RequestDeadlines::new_connection(event_base* base, void* self) {
  auto& deadlines = *static_cast<RequestDeadlines*>(self);
  bufferevent* events = bufferevent_socket_new(base, -1, 0);
  if (events == nullptr) {
    return nullptr; // evhttp makes its own
  }
  auto* watch = new Watch{&deadlines, events, nullptr, true, Clock::now() + deadlines.m_limit};
  watch->timer = evtimer_new(base, &RequestDeadlines::on_timer, watch);
  if (watch->timer == nullptr) {
    delete watch;
    return events; // served without a deadline rather than not at all
  }
  bufferevent_incref(events);
  deadlines.m_watches[events] = watch;
  deadlines.arm(*watch);
  return events;
}

void RequestDeadlines::arm(Watch& watch) {
  auto wait = k_check_every;
  if (watch.receiving) {
    auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(watch.deadline - Clock::now());
    wait = std::clamp(left, std::chrono::milliseconds(0), k_check_every);
  }
  timeval tv{static_cast<time_t>(wait.count() / 1000),
             static_cast<suseconds_t>((wait.count() % 1000) * 1000)};
  evtimer_add(watch.timer, &tv);
}

void RequestDeadlines::forget(Watch& watch) {
  m_watches.erase(watch.events);
  event_free(watch.timer);
  bufferevent_decref(watch.events);
  delete &watch;
}

void RequestDeadlines::on_timer(int, short, void* arg) {
  auto& watch = *static_cast<Watch*>(arg);
  RequestDeadlines& owner = *watch.owner;
  bufferevent_event_cb on_event = nullptr;
  bufferevent_getcb(watch.events, nullptr, nullptr, &on_event, nullptr);
  evutil_socket_t fd = bufferevent_getfd(watch.events);
  if (on_event == nullptr || fd < 0) {
    owner.forget(watch); // evhttp has let the connection go
    return;
  }
  if (watch.receiving && Clock::now() >= watch.deadline) {
    // evhttp still holds the socket (its callbacks are set), so `fd` is
    // this connection's: evhttp reads its end at once and frees it.
    ::shutdown(fd, SHUT_RDWR);
    watch.receiving = false;
    ++owner.m_dropped;
  }
  owner.arm(watch);
}

RequestDeadlines::Watch* RequestDeadlines::find(evhttp_request* request) {
  evhttp_connection* connection = evhttp_request_get_connection(request);
  bufferevent* events = connection ? evhttp_connection_get_bufferevent(connection) : nullptr;
  auto found = m_watches.find(events);
  return found == m_watches.end() ? nullptr : found->second;
}

void RequestDeadlines::arrived(evhttp_request* request) {
  Watch* watch = find(request);
  if (watch == nullptr) {
    return;
  }
  watch->receiving = false;
  evhttp_request_set_on_complete_cb(request, &RequestDeadlines::on_complete, this);
}

void RequestDeadlines::on_complete(evhttp_request* request, void* self) {
  auto& deadlines = *static_cast<RequestDeadlines*>(self);
  Watch* watch = deadlines.find(request);
  if (watch == nullptr) {
    return;
  }
  watch->receiving = true; // the next request on this connection, if any
  watch->deadline = Clock::now() + deadlines.m_limit;
  evtimer_del(watch->timer);
  deadlines.arm(*watch);
}

} // namespace app
