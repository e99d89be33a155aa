// A MediaEngine for tests of sip/ that need no audio: hands out even port numbers, remembers the parameters of
// every session, and can be told to fail create_session. Not for production.
// Thread safety: every method locks mu_; safe from any thread.
#pragma once

#include <map>
#include <mutex>

#include "media/media_engine.h"
#include "common/thread_annotations.h"

namespace confpro::sip {

class FakeMediaEngine final : public media::MediaEngine {
 public:
  Result<media::SessionInfo> create_session(const media::SessionParams& params) override {
    MutexLock lock(mu_);
    if (fail_create) return Error::exhausted("fake: no media");
    MediaSessionId id{++next_id_};
    sessions_[id.value()] = params;
    ++created;
    return media::SessionInfo{id, static_cast<std::uint16_t>(30000 + 2 * (next_id_ % 10000))};
  }
  Status update_session(MediaSessionId id, const media::SessionParams& params) override {
    MutexLock lock(mu_);
    auto it = sessions_.find(id.value());
    if (it == sessions_.end()) return Error::not_found("fake: no such session");
    it->second = params;
    ++updated;
    return {};
  }
  Status destroy_session(MediaSessionId id) override {
    MutexLock lock(mu_);
    if (sessions_.erase(id.value()) == 0) return Error::not_found("fake: no such session");
    ++destroyed;
    return {};
  }
  std::optional<media::SessionStats> stats(MediaSessionId) override { return std::nullopt; }
  Result<RoomId> create_room(const std::string&, MediaSessionId) override { return RoomId{1}; }
  Status destroy_room(RoomId) override { return {}; }
  Status attach(MediaSessionId, RoomId, media::ParticipantFlags) override { return {}; }
  Status detach(MediaSessionId) override { return {}; }
  Status set_flags(MediaSessionId, media::ParticipantFlags) override { return {}; }
  Status play_to_session(MediaSessionId, media::PlaySpec) override { return {}; }
  Status play_to_room(RoomId, media::PlaySpec) override { return {}; }
  Status stop_playing_session(MediaSessionId) override { return {}; }
  Status stop_playing_room(RoomId) override { return {}; }
  Status send_dtmf(MediaSessionId, char, int) override { return {}; }
  Status start_room_recording(RoomId, const std::string&) override { return {}; }
  Status stop_room_recording(RoomId) override { return {}; }
  Status record_session(MediaSessionId, const std::string&, int) override { return {}; }
  void stop() override {}

  std::optional<media::SessionParams> params(MediaSessionId id) {
    MutexLock lock(mu_);
    auto it = sessions_.find(id.value());
    if (it == sessions_.end()) return std::nullopt;
    return it->second;
  }
  std::size_t live() {
    MutexLock lock(mu_);
    return sessions_.size();
  }

  std::atomic<bool> fail_create{false};
  std::atomic<int> created{0}, updated{0}, destroyed{0};

 private:
  Mutex mu_;
  std::uint64_t next_id_ GUARDED_BY(mu_) = 0;
  std::map<std::uint64_t, media::SessionParams> sessions_ GUARDED_BY(mu_);
};

}  // namespace confpro::sip
