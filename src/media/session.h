// One RTP session on a media worker: its sockets, SRTP, receive path (validation, latching, statistics, jitter
// buffer, decoder, resampler to the mix rate, talk detector, DTMF in), send path (resampler to the codec rate,
// encoder or a shared payload, RTP/SRTP out, RFC 4733 out), its own prompt player and its recorder.
//
// Thread safety: create() runs on the caller's thread (it allocates everything the session will need); every
// other method belongs to the worker that currently owns the session. The per-packet and per-tick methods do not
// allocate, lock or log — except the rare RtpSourceChanged event (a few a session at most).
//
// Sources (issue 11): RTP and RTCP are accepted only from the peer's SDP address, or from the one address a
// SourceLatch learned (EngineOptions::rtp_latching); a packet is learned from only after SRTP authentication,
// parsing and its payload type were checked. Everything else is dropped and counted (dropped_wrong_source).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "common/result.h"
#include "media/codec.h"
#include "media/dtmf.h"
#include "media/jitter_buffer.h"
#include "media/media_engine.h"
#include "media/mixer.h"
#include "media/packet_io.h"
#include "media/player.h"
#include "media/recorder.h"
#include "media/resampler.h"
#include "media/rtp_stats.h"
#include "media/socket.h"
#include "media/source_latch.h"
#include "media/srtp.h"
#include "media/vad.h"

namespace confpro::media {

struct SessionConfig {
  int mix_rate = 16000;          // EngineOptions::mix_rate
  int jitter_min_ms = 20;        // EngineOptions::jitter_min_ms
  int jitter_max_ms = 200;       // EngineOptions::jitter_max_ms
  int rtp_timeout_ms = 0;        // EngineOptions::rtp_timeout_ms
  bool suppress_silence = true;  // EngineOptions::suppress_silence
  LatchOptions latch;            // EngineOptions::rtp_latching, rtp_latch_window_ms
};

inline constexpr int kTickMs = 20;

// The PCM rate a session's codec works at inside the engine: the codec's native rate, except Opus, which
// decodes and encodes at the room's mix rate directly (no resampling; its RTP clock stays 48000).
int engine_pcm_rate(CodecKind kind, int mix_rate);
// Encoder/decoder for `spec` at engine_pcm_rate(). `opus_complexity`: 0..10 (OpusEncoderOptions::complexity).
// Opus encoder complexity: bench/codec_bench (BM_OpusEncodeComplexity) measures 111 us a frame at 3 vs 146 at 5,
// the same speech SNR (10.9 vs 10.8 dB; a crude measure, not a listening test).
inline constexpr int kOwnOpusComplexity = 3;     // what one participant hears (its mix-minus)
inline constexpr int kSharedOpusComplexity = 3;  // the full mix shared by a room's listeners
std::unique_ptr<Encoder> make_engine_encoder(const CodecSpec& spec, int mix_rate,
                                             int opus_complexity = kOwnOpusComplexity);
std::unique_ptr<Decoder> make_engine_decoder(const CodecSpec& spec, int mix_rate);

class Session {
 public:
  static Result<std::unique_ptr<Session>> create(MediaSessionId id, const SessionParams& params, PortPair ports,
                                                 const SessionConfig& config);
  ~Session();

  MediaSessionId id() const { return id_; }
  std::uint16_t local_port() const { return local_port_; }
  int rtp_fd() const { return ports_.rtp.fd(); }
  int rtcp_fd() const { return ports_.rtcp.fd(); }
  CodecKind codec_kind() const { return kind_; }
  // The owning worker's datagram I/O, set while a worker watches this session (nullptr: plain sendto).
  void set_io(PacketIo* io) { io_ = io; }

  // Re-INVITE: new remote address, codec or direction (allocates: command time). Audio continues.
  Status update(const SessionParams& params);

  // Receive path, per datagram. `data` may be modified (SRTP in place).
  void on_rtp(std::uint8_t* data, std::size_t len, bool truncated, const SockAddr& from, SteadyTime arrival,
              const EventSink& sink);
  void on_rtcp(std::uint8_t* data, std::size_t len, bool truncated, const SockAddr& from, SteadyTime arrival,
               const EventSink& sink);

  // Per tick, first: pulls this tick's audio into input() (mix rate), runs the talk detector and DTMF
  // detection, feeds the session recorder, reports a timeout. Returns true when there is input this tick.
  bool pull(SteadyTime now, const EventSink& sink);
  std::span<const std::int16_t> input() const { return input_; }
  bool has_input() const { return has_input_; }
  bool talking() const { return vad_.talking(); }
  // Whether this tick's input is mixed: talking (with the detector's hang time) or loud already, so the onset
  // of speech is not cut while the detector waits to declare talking.
  bool voice() const { return has_input_ && !quiet_ && (vad_.talking() || level_ >= kVoiceDbov); }
  static constexpr double kVoiceDbov = -40.0;
  static constexpr double kQuietDbov = -60.0;  // below this a frame is taken as silence: not resampled or mixed
  // Set by pull() when talking started/stopped this tick.
  std::optional<bool> talk_change() const { return talk_change_; }

  // Own prompt: next frame (mix rate) into `out` if one is playing; emits PlayDone when it ends.
  bool prompt_frame(std::span<std::int16_t> out, const EventSink& sink);
  void play(std::unique_ptr<Player> player, std::uint64_t play_id, const EventSink& sink);
  void stop_playing(const EventSink& sink);
  void record(std::unique_ptr<Recorder> recorder) { recorder_ = std::move(recorder); }
  bool send_dtmf(char digit, int duration_ms) { return dtmf_tx_.start(digit, duration_ms); }

  // Send path, once per tick: what this session hears. `silent` says the frame is digital silence.
  void send_pcm(std::span<const std::int16_t> mix_pcm, bool silent, SteadyTime now);
  // An already encoded 20 ms payload for this session's codec (shared encode of the full mix).
  void send_payload(std::span<const std::uint8_t> payload, bool silent, SteadyTime now);

  // RTCP report every 5 s; statistics snapshot.
  void maybe_send_rtcp(SteadyTime now);
  SessionStats stats() const;

  // Room membership, kept by the worker/room.
  RoomId room;
  MixSlot slot = -1;
  ParticipantFlags flags;

 private:
  Session(MediaSessionId id, const SessionParams& params, PortPair ports, const SessionConfig& config);
  Status configure_codec();
  bool receiving() const;
  bool sending() const;
  void send_rtp(std::span<const std::uint8_t> payload, int pt, bool marker, std::uint32_t ts, SteadyTime now);
  bool send_dtmf_packet(SteadyTime now);
  bool send_datagram(const UdpSocket& from, std::span<const std::uint8_t> data, const SockAddr& to);
  // One tick of the send path: DTMF, silence suppression, then `encode()` (returns this tick's frame, empty
  // when there is none) handed to send_audio().
  template <class Encode>
  void send_tick(bool silent, SteadyTime now, Encode encode);
  // This tick's encoded frame (at ts_), sent at once (`alone`, or a 20 ms packet time) or regrouped to it.
  void send_audio(std::span<const std::uint8_t> frame, bool marker, bool alone, SteadyTime now);
  // The latch's verdict on a packet from `from`; counts and reports (once) what it drops.
  SourceLatch::Verdict admit(SourceLatch& latch, const SockAddr& from, SteadyTime arrival, bool rtcp,
                             const EventSink& sink);
  // A validated packet from `from`: the latch learns it, and a change of peer is counted and reported.
  void learned(SourceLatch& latch, SourceLatch::Verdict verdict, const SockAddr& from, SteadyTime arrival, bool rtcp,
               const EventSink& sink);

  // What every tick reads, together at the front: the tick of an idle session (most listeners, most of the
  // time) touches a few cache lines of it and little else.
  bool receiving_ = true, sending_ = true;  // from params_.direction (update())
  bool has_input_ = false;
  bool jitter_idle_ = false;                // the last pull found nothing, none buffered, none since: skip it
  bool timeout_reported_ = false;
  bool was_silent_ = false, first_packet_ = true;
  bool dtmf_sending_ = false;
  std::optional<bool> talk_change_;
  CodecKind kind_ = CodecKind::kPcmu;       // params_.codec.kind
  int silent_ticks_ = 0;
  std::uint32_t ts_ = 0, ts_step_ = 160;    // RTP timestamp, and its step a tick
  SteadyTime last_rtp_{};
  SteadyTime last_event_packet_{};          // RFC 4733: poll the receiver only for a while after one
  SteadyTime next_rtcp_{};
  TalkDetector vad_;
  Rfc4733Sender dtmf_tx_;
  std::unique_ptr<Player> player_;
  std::unique_ptr<Recorder> recorder_;

  MediaSessionId id_;
  SessionConfig config_;
  SessionParams params_;
  PortPair ports_;
  PacketIo* io_ = nullptr;
  std::uint16_t local_port_ = 0;
  std::unique_ptr<SrtpSession> srtp_;
  SourceLatch rtp_source_, rtcp_source_;
  bool reported_foreign_rtp_ = false, reported_foreign_rtcp_ = false;  // RtpSourceChanged{!latched} sent

  // Receive
  std::unique_ptr<Decoder> decoder_;
  std::unique_ptr<JitterBuffer> jitter_;
  std::unique_ptr<Resampler> up_;  // native -> mix
  RtpReceiveStats rx_stats_;
  Rfc4733Receiver dtmf_rx_;
  std::unique_ptr<InbandDtmfDetector> inband_;
  std::unique_ptr<Resampler> dtmf_down_;  // native -> 8 kHz for the in-band detector (wideband codecs)
  std::vector<std::int16_t> dtmf_pcm_;
  int inband_hold_ = 0;  // ticks left to feed the in-band detector after the last loud frame
  std::vector<std::int16_t> native_, input_;
  bool quiet_ = false, was_quiet_ = false;
  double level_ = -96.0;  // of this tick's input, dBov
  std::uint64_t last_sr_mid_ = 0;
  SteadyTime last_sr_arrival_{};

  // Send
  std::unique_ptr<Encoder> encoder_;
  std::unique_ptr<Resampler> down_;  // mix -> native
  std::vector<std::int16_t> native_out_;
  std::vector<std::uint8_t> payload_, packet_;
  std::size_t payload_len_ = 0;  // of the last frame encoded into payload_
  SilentFrameReuse silence_;     // this session's own silent frame, once settled, is sent again without encoding
  int ptime_ms_ = kTickMs;                 // packet time we send (CodecSpec::ptime_ms for sample codecs)
  std::vector<std::uint8_t> pending_;      // encoded audio waiting to fill a packet of ptime_ms_
  std::size_t pending_len_ = 0;
  std::uint32_t pending_ts_ = 0;
  bool pending_marker_ = false;
  std::uint32_t ssrc_ = 0;
  std::uint16_t seq_ = 0;
  std::uint32_t octets_sent_ = 0;
  std::uint32_t dtmf_ts_ = 0;

  // Prompts
  std::uint64_t play_id_ = 0;

  SessionStats stats_;
};

// Realtime-to-steady conversion of kernel arrival stamps, refreshed once per tick.
SteadyTime steady_from_realtime(std::int64_t realtime_ns, SteadyTime steady_now, std::int64_t realtime_now_ns);

}  // namespace confpro::media
