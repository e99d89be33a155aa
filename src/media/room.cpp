// A room on a media worker (room.h).
#include "media/room.h"

#include <algorithm>

namespace confpro::media {
Room::Room(RoomId id, std::string label, const MixerOptions& options)
    : id_(id), label_(std::move(label)), mixer_(options), prompt_(mixer_.frame_samples()),
      room_prompt_(mixer_.frame_samples()) {}

Room::~Room() {
  if (recorder_) recorder_->finish();
}

Status Room::add(Session& s, ParticipantFlags flags) {
  if (!shared_for(s.codec_kind())) {
    CodecSpec spec;
    spec.kind = s.codec_kind();
    const int pcm_rate = engine_pcm_rate(spec.kind, mixer_.sample_rate());
    auto enc = make_engine_encoder(spec, mixer_.sample_rate(), kSharedOpusComplexity);
    auto down = Resampler::create({mixer_.sample_rate(), pcm_rate, 3});
    if (!enc || !down.ok()) return Error::internal(std::string("no shared encoder for ") + to_string(spec.kind));
    SharedEncoder se{spec.kind, std::move(enc), std::move(*down),
                     std::vector<std::int16_t>(static_cast<std::size_t>(pcm_rate / 1000 * kTickMs)),
                     std::vector<std::uint8_t>(1500), -1, 0, SilentFrameReuse(1500)};
    shared_.push_back(std::move(se));
  }
  s.room = id_;
  s.flags = flags;
  s.slot = mixer_.add(flags);
  members_.push_back(&s);
  if (s.talking()) joined_talking_.push_back(&s);  // its detector will not change state: say it once
  return {};
}

void Room::remove(Session& s, const EventSink& sink) {
  auto it = std::find(members_.begin(), members_.end(), &s);
  if (it == members_.end()) return;
  if (s.talking()) sink(TalkingChanged{id_, s.id(), false});
  std::erase(joined_talking_, &s);
  mixer_.remove(s.slot);
  members_.erase(it);
  s.room = RoomId{};
  s.slot = -1;
}

void Room::set_flags(Session& s, ParticipantFlags flags) {
  s.flags = flags;
  mixer_.set_flags(s.slot, flags);
}

void Room::play(std::unique_ptr<Player> player, std::uint64_t play_id, const EventSink& sink) {
  stop_playing(sink);
  player_ = std::move(player);
  play_id_ = play_id;
}

void Room::stop_playing(const EventSink& sink) {
  if (!player_) return;
  sink(PlayDone{MediaSessionId{}, id_, play_id_, false});
  player_.reset();
}

void Room::record(std::unique_ptr<Recorder> recorder) {
  stop_recording();
  recorder_ = std::move(recorder);
}

void Room::stop_recording() {
  if (recorder_) recorder_->finish();
  recorder_.reset();
}

Room::SharedEncoder* Room::shared_for(CodecKind kind) {
  for (auto& se : shared_)
    if (se.kind == kind) return &se;
  return nullptr;
}

void Room::tick(SteadyTime now, const EventSink& sink) {
  for (Session* s : members_) {
    if (s->voice()) mixer_.set_input(s->slot, s->input(), true);  // only voice can contribute
    if (auto change = s->talk_change()) sink(TalkingChanged{id_, s->id(), *change});
  }
  for (Session* s : joined_talking_)
    if (s->talking()) sink(TalkingChanged{id_, s->id(), true});
  joined_talking_.clear();
  bool room_prompt = false;
  if (player_) {
    player_->next_frame(room_prompt_);
    mixer_.set_room_prompt(room_prompt_);
    room_prompt = true;
    if (player_->finished()) {
      sink(PlayDone{MediaSessionId{}, id_, play_id_, true});
      player_.reset();
    }
  }
  // Own prompts are read into the mixer one by one (set_own_prompt copies), so one scratch buffer serves all.
  for (Session* s : members_) {
    if (s->prompt_frame(prompt_, sink)) mixer_.set_own_prompt(s->slot, prompt_);
  }
  mixer_.mix();
  // An empty room's recording pauses (issue 12: hours of silence were written after everyone left); it goes
  // on in the same file when someone is back.
  if (recorder_ && !members_.empty() && !recorder_->write(mixer_.full_mix())) stop_recording();

  for (auto& se : shared_) se.len = -1;
  const bool full_silent = mixer_.contributors() == 0 && !room_prompt;
  for (Session* s : members_) {
    const MixOutput kind = mixer_.output_kind(s->slot);
    if (kind == MixOutput::kFullMix) {
      SharedEncoder* se = shared_for(s->codec_kind());
      if (se->len < 0) {
        if (se->silence.reuse(full_silent)) {
          se->len = se->last_len;  // a silent room: the settled silent frame still in `payload`
        } else {
          se->down->process(mixer_.full_mix(), se->native);
          se->len = std::max(0, se->encoder->encode(se->native, se->payload));
          se->silence.encoded({se->payload.data(), static_cast<std::size_t>(se->len)}, full_silent);
          se->last_len = se->len;
          ++shared_encodes_;
        }
      }
      s->send_payload({se->payload.data(), static_cast<std::size_t>(se->len)}, full_silent, now);
    } else {
      const auto out = mixer_.output(s->slot);
      const bool silent = kind == MixOutput::kSilence ||
                          std::all_of(out.begin(), out.end(), [](std::int16_t v) { return v == 0; });
      s->send_pcm(out, silent, now);
      ++own_encodes_;
    }
  }
}

}  // namespace confpro::media
