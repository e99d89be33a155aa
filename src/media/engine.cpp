// The media engine (media_engine.h): routes each call to the worker that owns the session or room, as a command
// through that worker's bounded queue. Work that allocates or reads files (sockets, codecs, prompt files,
// recorder files) is done here on the calling thread, so workers only move finished objects into place.
#include <algorithm>
#include <filesystem>
#include <thread>
#include <unordered_map>

#include "common/thread_annotations.h"
#include "media/audio_file.h"
#include "media/media_engine.h"
#include "media/worker.h"

namespace confpro::media {
namespace {

class Engine final : public MediaEngine {
 public:
  Engine(const EngineOptions& options, EventSink sink)
      : options_(options), sink_(std::move(sink)), ports_(options.rtp_port_min, options.rtp_port_max) {
    int n = options.workers > 0 ? options.workers : static_cast<int>(std::thread::hardware_concurrency());
    if (n <= 0) n = 1;
    for (int i = 0; i < n; ++i) {
      WorkerConfig wc;
      wc.index = i;
      wc.mix_rate = options.mix_rate;
      wc.max_speakers = options.max_speakers;
      wc.packet_io = options.packet_io;
      wc.nice = options.nice;
      wc.realtime_priority = options.realtime_priority;
      if (!options.cpu_affinity.empty())
        wc.cpu = options.cpu_affinity[static_cast<std::size_t>(i) % options.cpu_affinity.size()];
      workers_.push_back(std::make_unique<Worker>(wc, sink_, board_));
      load_.push_back(0);
    }
  }
  ~Engine() override { stop(); }

  Result<SessionInfo> create_session(const SessionParams& params) override {
    {
      MutexLock lock(mu_);
      if (stopped_) return Error::precondition("media engine stopped");
      if (session_worker_.size() >= static_cast<std::size_t>(options_.max_sessions))
        return Error::exhausted("too many media sessions");
    }
    auto pair = ports_.allocate(params.local_ip);
    if (!pair.ok()) return pair.error();
    const MediaSessionId id{next_session_.fetch_add(1) + 1};
    auto session = Session::create(id, params, std::move(*pair), session_config());
    if (!session.ok()) return session.error();
    SessionInfo info{id, (*session)->local_port()};
    MutexLock lock(mu_);
    int w = least_loaded();
    if (auto near = room_worker_.find(params.near_room); params.near_room.valid() && near != room_worker_.end())
      w = near->second;  // where its conference lives: attaching it will move nothing
    Command c{cmd::AddSession{std::move(*session)}};
    if (!workers_[static_cast<std::size_t>(w)]->post(c)) return Error::exhausted("media worker queue full");
    session_worker_[id] = w;
    ++load_[static_cast<std::size_t>(w)];
    return info;
  }

  Status update_session(MediaSessionId id, const SessionParams& params) override {
    if (!params.remote_ip.empty()) {
      auto a = make_sockaddr(params.remote_ip, params.remote_port);
      if (!a.ok()) return a.error();
    }
    CodecSpec spec = params.codec;
    if (!make_decoder(spec) || !make_encoder(spec)) return Error::invalid("codec", "codec unavailable");
    return to_session(id, cmd::UpdateSession{id, params});
  }

  Status destroy_session(MediaSessionId id) override {
    MutexLock lock(mu_);
    auto it = session_worker_.find(id);
    if (it == session_worker_.end()) return Error::not_found("no such media session");
    Command c{cmd::DestroySession{id}};
    if (!workers_[static_cast<std::size_t>(it->second)]->post(c)) return Error::exhausted("media worker queue full");
    --load_[static_cast<std::size_t>(it->second)];
    session_worker_.erase(it);
    return {};
  }

  std::optional<SessionStats> stats(MediaSessionId id) override {
    MutexLock lock(board_.mu);
    auto it = board_.stats.find(id);
    if (it == board_.stats.end()) return std::nullopt;
    return it->second;
  }

  Result<RoomId> create_room(const std::string& label, MediaSessionId near) override {
    MutexLock lock(mu_);
    if (stopped_) return Error::precondition("media engine stopped");
    const RoomId id{++next_room_};
    int w = least_loaded();
    if (auto s = session_worker_.find(near); near.valid() && s != session_worker_.end())
      w = s->second;  // where its first participant's session is
    Command c{cmd::CreateRoom{id, label}};
    if (!workers_[static_cast<std::size_t>(w)]->post(c)) return Error::exhausted("media worker queue full");
    room_worker_[id] = w;
    load_[static_cast<std::size_t>(w)] += 10;  // a room will bring its members here
    return id;
  }

  Status destroy_room(RoomId room) override {
    MutexLock lock(mu_);
    auto it = room_worker_.find(room);
    if (it == room_worker_.end()) return Error::not_found("no such room");
    Command c{cmd::DestroyRoom{room}};
    if (!workers_[static_cast<std::size_t>(it->second)]->post(c)) return Error::exhausted("media worker queue full");
    load_[static_cast<std::size_t>(it->second)] -= 10;
    room_worker_.erase(it);
    return {};
  }

  Status attach(MediaSessionId session, RoomId room, ParticipantFlags flags) override {
    MutexLock lock(mu_);
    if (stopped_) return Error::precondition("media engine stopped");
    auto s = session_worker_.find(session);
    auto r = room_worker_.find(room);
    if (s == session_worker_.end()) return Error::not_found("no such media session");
    if (r == room_worker_.end()) return Error::not_found("no such room");
    const auto ws = static_cast<std::size_t>(s->second), wr = static_cast<std::size_t>(r->second);
    if (ws == wr) {
      Command c{cmd::Attach{session, room, flags}};
      if (!workers_[ws]->post(c)) return Error::exhausted("media worker queue full");
      return {};
    }
    Command c{cmd::Move{session, workers_[wr].get(), room, flags}};
    if (!workers_[ws]->post(c)) return Error::exhausted("media worker queue full");
    s->second = r->second;
    --load_[ws];
    ++load_[wr];
    moved_.fetch_add(1, std::memory_order_relaxed);
    return {};
  }

  std::uint64_t sessions_moved() const override { return moved_.load(std::memory_order_relaxed); }

  MediaTotals totals() override {
    MediaTotals t;
    std::size_t receiving = 0;
    double jitter_sum = 0, loss_sum = 0;
    MutexLock lock(board_.mu);
    t.packets_received = board_.retired_received;
    t.packets_lost = board_.retired_lost;
    for (const auto& [id, s] : board_.stats) {
      ++t.sessions;
      t.packets_received += s.packets_received;
      t.packets_lost += s.packets_lost;
      if (s.packets_received == 0) continue;
      ++receiving;
      jitter_sum += s.jitter_ms;
      loss_sum += s.loss_fraction;
      t.jitter_ms_max = std::max(t.jitter_ms_max, s.jitter_ms);
    }
    if (receiving > 0) {
      t.jitter_ms_mean = jitter_sum / static_cast<double>(receiving);
      t.loss_fraction_mean = loss_sum / static_cast<double>(receiving);
    }
    return t;
  }

  Status detach(MediaSessionId session) override { return to_session(session, cmd::Detach{session}); }
  Status set_flags(MediaSessionId session, ParticipantFlags flags) override {
    return to_session(session, cmd::SetFlags{session, flags});
  }

  Status play_to_session(MediaSessionId session, PlaySpec spec) override {
    auto player = make_player(cache_, spec.files, options_.mix_rate, spec.loop);
    if (!player.ok()) return player.error();
    return to_session(session, cmd::PlaySession{session, std::move(*player), spec.play_id});
  }
  Status play_to_room(RoomId room, PlaySpec spec) override {
    auto player = make_player(cache_, spec.files, options_.mix_rate, spec.loop);
    if (!player.ok()) return player.error();
    return to_room(room, cmd::PlayRoom{room, std::move(*player), spec.play_id});
  }
  Status stop_playing_session(MediaSessionId session) override {
    return to_session(session, cmd::StopSession{session});
  }
  Status stop_playing_room(RoomId room) override { return to_room(room, cmd::StopRoom{room}); }

  Status send_dtmf(MediaSessionId session, char digit, int duration_ms) override {
    if (dtmf_event_code(digit) < 0) return Error::invalid("digit", "not a DTMF digit");
    return to_session(session, cmd::SendDtmf{session, digit, duration_ms});
  }

  Status start_room_recording(RoomId room, const std::string& path) override {
    auto rec = open_recorder(path, 0, room, MediaSessionId{});
    if (!rec.ok()) return rec.error();
    return to_room(room, cmd::RecordRoom{room, std::move(*rec)});
  }
  Status stop_room_recording(RoomId room) override { return to_room(room, cmd::StopRecordRoom{room}); }
  Status record_session(MediaSessionId session, const std::string& path, int max_ms) override {
    auto rec = open_recorder(path, max_ms, RoomId{}, session);
    if (!rec.ok()) return rec.error();
    return to_session(session, cmd::RecordSession{session, std::move(*rec)});
  }

  void stop() override {
    {
      MutexLock lock(mu_);
      if (stopped_) return;
      stopped_ = true;
    }
    for (auto& w : workers_) w->stop();
  }

  const Worker& worker(std::size_t i) const { return *workers_[i]; }

 private:
  SessionConfig session_config() const {
    LatchOptions latch;
    latch.mode = options_.rtp_latching;
    latch.window = std::chrono::milliseconds(options_.rtp_latch_window_ms);
    return {options_.mix_rate, options_.jitter_min_ms, options_.jitter_max_ms, options_.rtp_timeout_ms,
            options_.suppress_silence, latch};
  }

  int least_loaded() const REQUIRES(mu_) {
    std::size_t best = 0;
    for (std::size_t i = 1; i < load_.size(); ++i)
      if (load_[i] < load_[best]) best = i;
    return static_cast<int>(best);
  }

  template <typename C>
  Status to_session(MediaSessionId id, C&& command) {
    MutexLock lock(mu_);
    if (stopped_) return Error::precondition("media engine stopped");
    auto it = session_worker_.find(id);
    if (it == session_worker_.end()) return Error::not_found("no such media session");
    Command c{std::forward<C>(command)};
    if (!workers_[static_cast<std::size_t>(it->second)]->post(c)) return Error::exhausted("media worker queue full");
    return {};
  }

  template <typename C>
  Status to_room(RoomId id, C&& command) {
    MutexLock lock(mu_);
    if (stopped_) return Error::precondition("media engine stopped");
    auto it = room_worker_.find(id);
    if (it == room_worker_.end()) return Error::not_found("no such room");
    Command c{std::forward<C>(command)};
    if (!workers_[static_cast<std::size_t>(it->second)]->post(c)) return Error::exhausted("media worker queue full");
    return {};
  }

  Result<std::unique_ptr<Recorder>> open_recorder(const std::string& path, int max_ms, RoomId room,
                                                  MediaSessionId session) {
    std::filesystem::path p(path);
    if (p.is_relative()) p = std::filesystem::path(options_.recordings_dir) / p;
    RecorderOptions ro;
    ro.sample_rate = options_.mix_rate;
    ro.max_ms = max_ms;
    const std::string full = p.string();
    EventSink sink = sink_;
    ro.on_done = [sink, room, session, full](bool ok, const std::string& error) {
      sink(RecordingDone{room, session, full, ok, error});
    };
    return Recorder::open(full, std::move(ro));
  }

  EngineOptions options_;
  EventSink sink_;
  PortAllocator ports_;
  PromptCache cache_;
  StatsBoard board_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::atomic<std::uint64_t> next_session_{0};
  std::atomic<std::uint64_t> moved_{0};

  Mutex mu_;
  bool stopped_ GUARDED_BY(mu_) = false;
  std::uint64_t next_room_ GUARDED_BY(mu_) = 0;
  std::unordered_map<MediaSessionId, int> session_worker_ GUARDED_BY(mu_);
  std::unordered_map<RoomId, int> room_worker_ GUARDED_BY(mu_);
  std::vector<int> load_ GUARDED_BY(mu_);
};

}  // namespace

Result<std::unique_ptr<MediaEngine>> make_media_engine(const EngineOptions& options, EventSink sink) {
  if (options.mix_rate != 8000 && options.mix_rate != 16000 && options.mix_rate != 48000)
    return Error::invalid("mix_rate", "must be 8000, 16000 or 48000");
  if (options.rtp_port_min >= options.rtp_port_max) return Error::invalid("rtp_port_min", "empty RTP port range");
  if (!sink) return Error::invalid("sink", "an event sink is required");
  return std::unique_ptr<MediaEngine>(new Engine(options, std::move(sink)));
}

}  // namespace confpro::media
