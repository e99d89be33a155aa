// A room on a media worker: its mixer, its members (sessions owned by the worker), the room prompt player, the
// room recorder, and the shared encoders (one per codec) for everyone who hears the plain full mix.
// Thread safety: belongs to one worker thread. add/remove/play/record allocate (command time); tick() does not.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "media/mixer.h"
#include "media/session.h"

namespace confpro::media {

class Room {
 public:
  Room(RoomId id, std::string label, const MixerOptions& options);
  ~Room();

  RoomId id() const { return id_; }
  const std::string& label() const { return label_; }
  const std::vector<Session*>& members() const { return members_; }

  Status add(Session& session, ParticipantFlags flags);  // fails if the session's codec has no encoder
  void remove(Session& session, const EventSink& sink);
  void set_flags(Session& session, ParticipantFlags flags);

  void play(std::unique_ptr<Player> player, std::uint64_t play_id, const EventSink& sink);
  void stop_playing(const EventSink& sink);
  // Records the mix while the room has members: an empty room's recording pauses, and resumes in the same
  // file.
  void record(std::unique_ptr<Recorder> recorder);
  void stop_recording();

  // Mixes one tick from the members' pulled input and sends each member what it hears.
  void tick(SteadyTime now, const EventSink& sink);

  // Counters for benchmarks: encodes done this room's lifetime (shared and own).
  std::uint64_t shared_encodes() const { return shared_encodes_; }
  std::uint64_t own_encodes() const { return own_encodes_; }

 private:
  struct SharedEncoder {
    CodecKind kind;
    std::unique_ptr<Encoder> encoder;
    std::unique_ptr<Resampler> down;
    std::vector<std::int16_t> native;
    std::vector<std::uint8_t> payload;
    int len = -1;  // bytes encoded this tick, -1 when not yet
    int last_len = 0;
    SilentFrameReuse silence;  // a silent room's frame, once settled, is sent again without encoding
  };
  SharedEncoder* shared_for(CodecKind kind);

  RoomId id_;
  std::string label_;
  Mixer mixer_;
  std::vector<Session*> members_;
  std::vector<Session*> joined_talking_;  // added while already talking (e.g. through the IVR): announced next tick
  std::vector<SharedEncoder> shared_;
  std::vector<std::int16_t> prompt_, room_prompt_;
  std::unique_ptr<Player> player_;
  std::uint64_t play_id_ = 0;
  std::unique_ptr<Recorder> recorder_;
  std::uint64_t shared_encodes_ = 0, own_encodes_ = 0;
};

}  // namespace confpro::media
