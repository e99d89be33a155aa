// A media worker: one thread that owns whole rooms and their sessions. Every 20 ms (absolute deadlines on
// CLOCK_MONOTONIC, clock_nanosleep TIMER_ABSTIME, so the tick does not drift) it applies the queued commands,
// receives every waiting datagram (PacketIo: io_uring, or epoll + recvmmsg), pulls each session's audio, mixes
// and sends each room, plays prompts to sessions outside rooms, sends RTCP, hands the queued sends to the kernel,
// and publishes statistics once a second.
//
// Thread safety: post() from any thread (bounded, never blocks, false when full); everything else runs on the
// worker's own thread. The EventSink is called on the worker thread (and must only post onward).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <variant>
#include <vector>

#include "media/packet_io.h"
#include "media/queue.h"
#include "media/room.h"
#include "media/session.h"
#include "common/thread_annotations.h"

namespace confpro::media {

// Statistics published by the workers, read by MediaEngine::stats(). One lock per worker per second.
struct StatsBoard {
  Mutex mu;
  std::unordered_map<MediaSessionId, SessionStats> stats GUARDED_BY(mu);
  // Packets of the sessions already removed from `stats` (MediaEngine::totals() keeps counting them).
  std::uint64_t retired_received GUARDED_BY(mu) = 0;
  std::uint64_t retired_lost GUARDED_BY(mu) = 0;
};

// Totals of one worker, for benchmarks and health.
struct WorkerCounters {
  std::atomic<std::uint64_t> ticks{0};
  std::atomic<std::uint64_t> late_ticks{0};   // a tick that started more than one period late
  std::atomic<std::uint64_t> datagrams{0};
  std::atomic<std::uint64_t> shared_encodes{0}, own_encodes{0};
  std::atomic<std::uint64_t> send_errors{0};  // datagrams the kernel refused
  std::atomic<std::uint64_t> io_enters{0};    // syscalls spent sending and receiving
  std::atomic<int> packet_io{-1};             // the PacketIoKind in use, -1 until the thread has started
  std::atomic<int> priority{-1};              // 1: nice/realtime as configured, 0: refused (no CAP_SYS_NICE)
};

class Worker;

namespace cmd {
struct AddSession { std::unique_ptr<Session> session; };
struct UpdateSession { MediaSessionId id; SessionParams params; };
struct DestroySession { MediaSessionId id; };
struct CreateRoom { RoomId id; std::string label; };
struct DestroyRoom { RoomId id; };
struct Attach { MediaSessionId id; RoomId room; ParticipantFlags flags; };
struct Detach { MediaSessionId id; };
struct SetFlags { MediaSessionId id; ParticipantFlags flags; };
struct Move { MediaSessionId id; Worker* to; RoomId room; ParticipantFlags flags; };
struct Adopt { std::unique_ptr<Session> session; RoomId room; ParticipantFlags flags; };
struct PlaySession { MediaSessionId id; std::unique_ptr<Player> player; std::uint64_t play_id; };
struct PlayRoom { RoomId room; std::unique_ptr<Player> player; std::uint64_t play_id; };
struct StopSession { MediaSessionId id; };
struct StopRoom { RoomId room; };
struct SendDtmf { MediaSessionId id; char digit; int duration_ms; };
struct RecordRoom { RoomId room; std::unique_ptr<Recorder> recorder; };
struct StopRecordRoom { RoomId room; };
struct RecordSession { MediaSessionId id; std::unique_ptr<Recorder> recorder; };
}  // namespace cmd

using Command = std::variant<std::monostate, cmd::AddSession, cmd::UpdateSession, cmd::DestroySession,
                             cmd::CreateRoom, cmd::DestroyRoom, cmd::Attach, cmd::Detach, cmd::SetFlags, cmd::Move,
                             cmd::Adopt, cmd::PlaySession, cmd::PlayRoom, cmd::StopSession, cmd::StopRoom,
                             cmd::SendDtmf, cmd::RecordRoom, cmd::StopRecordRoom, cmd::RecordSession>;

struct WorkerConfig {
  int index = 0;
  int mix_rate = 16000;
  int max_speakers = 3;           // EngineOptions::max_speakers
  int cpu = -1;                   // pin to this CPU [-1: not pinned]
  int nice = 0;                   // the thread's nice value [0]; EngineOptions::nice
  int realtime_priority = 0;      // SCHED_FIFO at this priority [0 = off]
  std::size_t queue_size = 4096;  // commands waiting at most [4096]
  PacketIoKind packet_io = PacketIoKind::kAuto;
};

class Worker final : private DatagramHandler {
 public:
  Worker(const WorkerConfig& config, const EventSink& sink, StatsBoard& board);
  ~Worker();  // stops and joins
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  bool post(Command& command);  // false when the queue is full; `command` is then left as it was
  void stop();                 // idempotent; joins the thread
  const WorkerCounters& counters() const { return counters_; }
  int index() const { return config_.index; }

 private:
  struct Deferred {
    Command command;
    int ticks_left;
  };
  void run();
  void tick(SteadyTime now);
  bool apply(Command& command);  // false: the target is not here (yet)
  // Delivers what the sockets hold, timed by a clock pair taken now (read_now_: the time rooms play out by).
  void read_sockets();
  void on_datagram(std::uintptr_t tag, const Datagram& d) override;
  void publish_stats();
  Session* find_session(MediaSessionId id);
  Room* find_room(RoomId id);
  void watch(Session& s);
  void unwatch(Session& s);
  std::unique_ptr<Session> take_session(MediaSessionId id);
  void detach(Session& s);

  WorkerConfig config_;
  const EventSink& sink_;
  StatsBoard& board_;
  BoundedQueue<Command> queue_;
  std::vector<Deferred> deferred_;
  std::atomic<bool> running_{true};
  std::unique_ptr<PacketIo> io_;  // built on the worker thread (run())
  SteadyTime read_now_{};         // the clock pair of the latest read (read_sockets(); see tick())
  std::int64_t read_realtime_ns_ = 0;
  std::vector<std::unique_ptr<Session>> sessions_;
  std::vector<std::unique_ptr<Room>> rooms_;
  std::vector<Session*> lobby_;  // the sessions in no room, rebuilt after commands (lobby_dirty_)
  bool lobby_dirty_ = true;
  std::vector<std::int16_t> frame_;
  std::uint64_t tick_count_ = 0;
  WorkerCounters counters_;
  std::thread thread_;
};

}  // namespace confpro::media
