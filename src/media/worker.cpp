// A media worker thread (worker.h).
#include "media/worker.h"

#include <pthread.h>
#include <sched.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <ctime>
#include <string>

namespace confpro::media {
namespace {

constexpr std::int64_t kTickNs = std::int64_t{kTickMs} * 1000000;

// The calling thread's scheduling (Linux: nice is per thread, set through its own thread id): SCHED_FIFO at
// `realtime` when > 0, else nice `nice`. False when refused.
bool set_priority(int nice, int realtime) {
  if (realtime > 0) {
    sched_param sp{};
    sp.sched_priority = realtime;
    return pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp) == 0;
  }
  return nice == 0 || setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), nice) == 0;
}
constexpr int kDeferTicks = 100;   // a command for a session in transit waits up to 2 s
constexpr int kStatsEveryTicks = 50;
constexpr std::uintptr_t kRtcpBit = 1;
constexpr auto kReadAgain = std::chrono::microseconds(1000);  // within a tick, between rooms

std::int64_t realtime_ns() {
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return std::int64_t{ts.tv_sec} * 1000000000 + ts.tv_nsec;
}

template <class... Ts>
struct Overloaded : Ts... { using Ts::operator()...; };
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

}  // namespace

Worker::Worker(const WorkerConfig& config, const EventSink& sink, StatsBoard& board)
    : config_(config), sink_(sink), board_(board), queue_(config.queue_size),
      frame_(static_cast<std::size_t>(config.mix_rate / 1000 * kTickMs)) {
  thread_ = std::thread([this] { run(); });
}

Worker::~Worker() { stop(); }

void Worker::stop() {
  running_ = false;
  if (thread_.joinable()) thread_.join();
}

bool Worker::post(Command& command) { return queue_.push(command); }

void Worker::run() {
  const std::string name = "confpro-media" + std::to_string(config_.index % 10);
  pthread_setname_np(pthread_self(), name.c_str());
  if (config_.cpu >= 0) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(config_.cpu, &set);
    pthread_setaffinity_np(pthread_self(), sizeof set, &set);
  }
  counters_.priority.store(set_priority(config_.nice, config_.realtime_priority) ? 1 : 0,
                           std::memory_order_relaxed);
  io_ = make_packet_io(config_.packet_io);
  if (!io_) io_ = make_epoll_io();
  io_->receive(*this);  // nothing yet; makes this worker the handler unwatch() may deliver to
  counters_.packet_io.store(static_cast<int>(io_->kind()), std::memory_order_relaxed);
  timespec deadline;
  clock_gettime(CLOCK_MONOTONIC, &deadline);
  while (running_) {
    deadline.tv_nsec += kTickNs;
    if (deadline.tv_nsec >= 1000000000) {
      deadline.tv_nsec -= 1000000000;
      ++deadline.tv_sec;
    }
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &deadline, nullptr) == EINTR) {
    }
    timespec now_ts;
    clock_gettime(CLOCK_MONOTONIC, &now_ts);
    const std::int64_t late = (now_ts.tv_sec - deadline.tv_sec) * 1000000000 + (now_ts.tv_nsec - deadline.tv_nsec);
    if (late > kTickNs) {
      counters_.late_ticks.fetch_add(1, std::memory_order_relaxed);
      if (late > 5 * kTickNs) deadline = now_ts;  // far behind (stopped in a debugger, overload): skip ahead
    }
    tick(std::chrono::steady_clock::now());
  }
  // Shut down on this thread: sessions and rooms die here (recorders finish).
  rooms_.clear();
  sessions_.clear();
  io_.reset();
}

void Worker::tick(SteadyTime now) {
  // The clock pair that turns kernel arrival stamps into steady time, for the datagrams unwatch() delivers while
  // commands apply (read_sockets() takes a fresh pair for each read).
  read_now_ = now;
  read_realtime_ns_ = realtime_ns();
  ++tick_count_;
  counters_.ticks.fetch_add(1, std::memory_order_relaxed);
  if (!deferred_.empty()) {
    std::vector<Deferred> retry;
    retry.swap(deferred_);
    for (auto& d : retry)
      if (!apply(d.command) && --d.ticks_left > 0) deferred_.push_back(std::move(d));
  }
  while (auto c = queue_.pop()) {
    if (!apply(*c)) deferred_.push_back({std::move(*c), kDeferTicks});
  }
  read_sockets();
  // Room by room: its members' audio is pulled (decoded) and at once mixed and sent, so a room's packets leave
  // as soon as it is done rather than after every session of the worker is decoded (and the decoded frames are
  // still in cache when mixed). The sockets are read again whenever a read is kReadAgain old, and each room
  // plays out by the time of the latest read: what a room hears waits for the room's own turn in the tick, not
  // for the tick's start, so a busy worker adds no delay for the rooms it handles late in its tick (on a loaded
  // core that was up to ~15 ms). A room's turn moves little from tick to tick; the jitter buffer's least wait
  // (jitter_min_ms) covers what it does.
  for (auto& r : rooms_) {
    if (std::chrono::steady_clock::now() - read_now_ >= kReadAgain) read_sockets();
    for (Session* s : r->members()) s->pull(read_now_, sink_);
    r->tick(read_now_, sink_);
    for (Session* s : r->members()) s->maybe_send_rtcp(read_now_);
  }
  // Sessions in no room (the IVR's callers). The list is rebuilt only after commands: a tick touches each
  // session once, with its room, and not again to find those outside any (thousands of cache misses a tick).
  now = read_now_;
  if (lobby_dirty_) {
    lobby_dirty_ = false;
    lobby_.clear();
    for (auto& s : sessions_)
      if (!s->room.valid()) lobby_.push_back(s.get());
  }
  for (Session* s : lobby_) {
    s->pull(now, sink_);
    const bool prompt = s->prompt_frame(frame_, sink_);
    if (!prompt) std::fill(frame_.begin(), frame_.end(), std::int16_t{0});
    s->send_pcm(frame_, !prompt, now);
    s->maybe_send_rtcp(now);
  }
  io_->flush();
  if (tick_count_ % kStatsEveryTicks == 0) publish_stats();
}

void Worker::read_sockets() {
  read_now_ = std::chrono::steady_clock::now();
  read_realtime_ns_ = realtime_ns();
  const int got = io_->receive(*this);
  counters_.datagrams.fetch_add(static_cast<std::uint64_t>(got), std::memory_order_relaxed);
}

void Worker::on_datagram(std::uintptr_t tag, const Datagram& d) {
  auto* s = reinterpret_cast<Session*>(tag & ~kRtcpBit);
  const SteadyTime arrival = steady_from_realtime(d.arrival_realtime_ns, read_now_, read_realtime_ns_);
  if ((tag & kRtcpBit) != 0)
    s->on_rtcp(d.data, d.len, d.truncated, d.from, arrival, sink_);
  else
    s->on_rtp(d.data, d.len, d.truncated, d.from, arrival, sink_);
}

void Worker::publish_stats() {
  std::uint64_t shared = 0, own = 0;
  for (auto& r : rooms_) {
    shared += r->shared_encodes();
    own += r->own_encodes();
  }
  counters_.shared_encodes.store(shared, std::memory_order_relaxed);
  counters_.own_encodes.store(own, std::memory_order_relaxed);
  const PacketIoStats io = io_->stats();
  counters_.send_errors.store(io.send_errors, std::memory_order_relaxed);
  counters_.io_enters.store(io.enters, std::memory_order_relaxed);
  MutexLock lock(board_.mu);
  for (auto& s : sessions_) board_.stats[s->id()] = s->stats();
}

Session* Worker::find_session(MediaSessionId id) {
  for (auto& s : sessions_)
    if (s->id() == id) return s.get();
  return nullptr;
}

Room* Worker::find_room(RoomId id) {
  for (auto& r : rooms_)
    if (r->id() == id) return r.get();
  return nullptr;
}

void Worker::watch(Session& s) {
  io_->watch(s.rtp_fd(), reinterpret_cast<std::uintptr_t>(&s));
  io_->watch(s.rtcp_fd(), reinterpret_cast<std::uintptr_t>(&s) | kRtcpBit);
  s.set_io(io_.get());
}

void Worker::unwatch(Session& s) {
  io_->unwatch(s.rtp_fd());
  io_->unwatch(s.rtcp_fd());
  s.set_io(nullptr);
}

void Worker::detach(Session& s) {
  if (!s.room.valid()) return;
  if (Room* r = find_room(s.room)) r->remove(s, sink_);
  s.room = RoomId{};
}

std::unique_ptr<Session> Worker::take_session(MediaSessionId id) {
  auto it = std::find_if(sessions_.begin(), sessions_.end(), [&](auto& s) { return s->id() == id; });
  if (it == sessions_.end()) return nullptr;
  detach(**it);
  unwatch(**it);
  std::unique_ptr<Session> s = std::move(*it);
  *it = std::move(sessions_.back());
  sessions_.pop_back();
  return s;
}

bool Worker::apply(Command& command) {
  lobby_dirty_ = true;  // sessions may come, go, join or leave rooms
  return std::visit(
      Overloaded{
          [](std::monostate&) { return true; },
          [&](cmd::AddSession& c) {
            watch(*c.session);
            sessions_.push_back(std::move(c.session));
            return true;
          },
          [&](cmd::UpdateSession& c) {
            Session* s = find_session(c.id);
            if (!s) return false;
            (void)s->update(c.params);  // validated by the engine before posting
            return true;
          },
          [&](cmd::DestroySession& c) {
            auto s = take_session(c.id);
            if (!s) return false;
            const SessionStats last = s->stats();
            MutexLock lock(board_.mu);
            board_.stats.erase(c.id);
            board_.retired_received += last.packets_received;
            board_.retired_lost += last.packets_lost;
            return true;
          },
          [&](cmd::CreateRoom& c) {
            rooms_.push_back(std::make_unique<Room>(c.id, c.label, MixerOptions{config_.mix_rate, kTickMs, config_.max_speakers}));
            return true;
          },
          [&](cmd::DestroyRoom& c) {
            auto it = std::find_if(rooms_.begin(), rooms_.end(), [&](auto& r) { return r->id() == c.id; });
            if (it == rooms_.end()) return true;
            const auto members = (*it)->members();
            for (Session* s : members) (*it)->remove(*s, sink_);
            (*it)->stop_playing(sink_);
            rooms_.erase(it);
            return true;
          },
          [&](cmd::Attach& c) {
            Session* s = find_session(c.id);
            Room* r = find_room(c.room);
            if (!s || !r) return false;
            detach(*s);
            (void)r->add(*s, c.flags);
            return true;
          },
          [&](cmd::Detach& c) {
            Session* s = find_session(c.id);
            if (!s) return false;
            detach(*s);
            return true;
          },
          [&](cmd::SetFlags& c) {
            Session* s = find_session(c.id);
            if (!s) return false;
            if (Room* r = s->room.valid() ? find_room(s->room) : nullptr) r->set_flags(*s, c.flags);
            s->flags = c.flags;
            return true;
          },
          [&](cmd::Move& c) {
            auto s = take_session(c.id);
            if (!s) return false;
            Command adopt{cmd::Adopt{std::move(s), c.room, c.flags}};
            if (c.to->post(adopt)) return true;
            // The target's queue is full: keep the session here (unattached) and retry next tick.
            auto& back = std::get<cmd::Adopt>(adopt).session;
            watch(*back);
            sessions_.push_back(std::move(back));
            return false;
          },
          [&](cmd::Adopt& c) {
            watch(*c.session);
            if (Room* r = find_room(c.room)) (void)r->add(*c.session, c.flags);  // room gone: stays unattached
            sessions_.push_back(std::move(c.session));
            return true;
          },
          [&](cmd::PlaySession& c) {
            Session* s = find_session(c.id);
            if (!s) return false;
            s->play(std::move(c.player), c.play_id, sink_);
            return true;
          },
          [&](cmd::PlayRoom& c) {
            Room* r = find_room(c.room);
            if (!r) return false;
            r->play(std::move(c.player), c.play_id, sink_);
            return true;
          },
          [&](cmd::StopSession& c) {
            Session* s = find_session(c.id);
            if (!s) return false;
            s->stop_playing(sink_);
            return true;
          },
          [&](cmd::StopRoom& c) {
            Room* r = find_room(c.room);
            if (!r) return false;
            r->stop_playing(sink_);
            return true;
          },
          [&](cmd::SendDtmf& c) {
            Session* s = find_session(c.id);
            if (!s) return false;
            s->send_dtmf(c.digit, c.duration_ms);
            return true;
          },
          [&](cmd::RecordRoom& c) {
            Room* r = find_room(c.room);
            if (!r) return false;
            r->record(std::move(c.recorder));
            return true;
          },
          [&](cmd::StopRecordRoom& c) {
            Room* r = find_room(c.room);
            if (!r) return false;
            r->stop_recording();
            return true;
          },
          [&](cmd::RecordSession& c) {
            Session* s = find_session(c.id);
            if (!s) return false;
            s->record(std::move(c.recorder));
            return true;
          },
      },
      command);
}

}  // namespace confpro::media
