// The media engine's public interface (ARCHITECTURE.md media/). It carries every participant's audio and knows
// nothing about bookings or SIP: a session is created with local/remote RTP addresses, the negotiated codec and
// payload types and optional SRTP keys, then attached either to the IVR (prompts + DTMF) or to a room's mixer.
//
// Thread safety: every method may be called from any thread (in practice the control loop and the SIP thread);
// each posts a command to the worker that owns the room/session through a bounded queue and returns at once.
// Methods that must hand back a value (create_session's local port) do the allocation on the calling thread.
// Events are delivered through the EventSink given at construction, called on a media worker thread: the sink
// must only post them onward (e.g. to the control loop) and must not call back into the engine synchronously.
// (RecordingDone comes from the recorder's writer thread, so the sink must be safe to call from several threads.)
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "common/result.h"
#include "common/strong_id.h"

namespace confpro::media {

enum class CodecKind { kPcmu, kPcma, kG722, kOpus };
const char* to_string(CodecKind c);  // "PCMU" | "PCMA" | "G722" | "opus"

// What SDP negotiation settled for one direction pair.
struct CodecSpec {
  CodecKind kind = CodecKind::kPcmu;
  int payload_type = 0;          // RTP payload type for audio
  int clock_rate = 8000;         // RTP clock rate (G722: 8000 per RFC 3551; opus: 48000)
  int channels = 1;
  int ptime_ms = 20;             // packet time we send; received packets may use 10–60 ms
  int telephone_event_pt = -1;   // RFC 4733 payload type, -1 when not negotiated
  bool opus_fec = true;          // use in-band FEC on receive when the peer sends it
};

// SDES keys (RFC 4568), base64 inline key material as found in a=crypto.
struct SrtpKeys {
  std::string suite = "AES_CM_128_HMAC_SHA1_80";
  std::string local_key_b64;   // what we send with (we advertise it)
  std::string remote_key_b64;  // what the peer sends with
};

enum class Direction { kSendRecv, kSendOnly, kRecvOnly, kInactive };  // from our point of view

struct SessionParams {
  std::string local_ip = "127.0.0.1";   // address to bind
  std::string remote_ip;                // from SDP c=; may be empty until known
  std::uint16_t remote_port = 0;        // from SDP m=
  CodecSpec codec;
  std::optional<SrtpKeys> srtp;
  Direction direction = Direction::kSendRecv;
  std::string label;                    // for logs: "conf=123456 call=42"
  // The room the session is going to join, when known: the session is made on that room's worker, so attaching
  // it moves nothing (docs/architecture.md, the call path). Invalid or unknown: the least loaded worker.
  RoomId near_room;
};

struct SessionInfo {
  MediaSessionId id;
  std::uint16_t local_port = 0;  // RTP port bound (RTCP = +1)
};

// What to play: a sequence of audio files (WAV of any rate; played in order), optionally looping (music on hold).
struct PlaySpec {
  std::vector<std::string> files;
  bool loop = false;
  std::uint64_t play_id = 0;  // caller's tag, echoed in PlayDone
};

struct ParticipantFlags {
  bool muted = false;        // not heard; still hears the room
  bool listen_only = false;  // never heard (cannot be unmuted by the participant)
  bool deaf = false;         // hears nothing of the room (e.g. while waiting or in a menu) but prompts to it play
  float gain = 1.0f;         // applied to what this participant says
};

// Per-session statistics, kept for the connection history and for bad-input accounting.
struct SessionStats {
  std::uint64_t packets_received = 0, packets_sent = 0;
  std::uint64_t packets_lost = 0;             // by sequence gaps
  std::uint64_t dropped_malformed = 0;        // truncated/garbage RTP or RTCP
  std::uint64_t dropped_unknown_pt = 0;
  std::uint64_t dropped_wrong_source = 0;     // not the accepted source (the SDP address or the latched one)
  std::uint64_t source_changes = 0;           // RTP/RTCP destinations learned (RtpSourceChanged, latched)
  std::uint64_t dropped_srtp_auth = 0;        // SRTP authentication or replay failure
  std::uint64_t dropped_bad_sequence = 0;     // wild sequence jump not (yet) confirmed, or far too old
  double jitter_ms = 0;                       // RFC 3550 interarrival jitter
  double buffer_ms = -1;                      // jitter buffer: wait of the audio played lately, -1 if none yet
  double rtt_ms = -1;                         // from RTCP, -1 if unknown
  double loss_fraction = 0;                   // 0..1
};

// RTP figures of the whole engine, for /metrics: counters over every session since start (a destroyed
// session's packets stay counted), gauges over the live sessions. From the statistics the workers publish
// (may lag a tick).
struct MediaTotals {
  std::uint64_t packets_received = 0;  // counter
  std::uint64_t packets_lost = 0;      // counter, by sequence gaps
  std::size_t sessions = 0;            // live sessions with statistics
  double jitter_ms_mean = 0;      // RFC 3550 jitter, mean of the live sessions that received RTP [0: none]
  double jitter_ms_max = 0;       // … the largest
  double loss_fraction_mean = 0;  // 0..1, mean of the live sessions that received RTP
};

// Events out of the engine.
struct DtmfEvent { MediaSessionId session; char digit; int duration_ms; bool inband; };
struct PlayDone { MediaSessionId session; RoomId room; std::uint64_t play_id; bool completed; };  // room or session
struct TalkingChanged { RoomId room; MediaSessionId session; bool talking; };
struct RecordingDone { RoomId room; MediaSessionId session; std::string path; bool ok; std::string error; };
struct SessionTimeout { MediaSessionId session; };  // no RTP received for the configured time
// The session's RTP (or RTCP) peer: `latched` — it now sends to and accepts only `source` (was `previous`:
// the SDP address, or an address learned before; EngineOptions::rtp_latching); !latched — the first packet
// from a source it does not accept (`source`; `previous`: the one it accepts) was dropped, once a session.
// Rare (a few a session), so the addresses are strings.
struct RtpSourceChanged {
  MediaSessionId session;
  bool rtcp = false;
  bool latched = false;
  std::string source, previous;
};
using Event = std::variant<DtmfEvent, PlayDone, TalkingChanged, RecordingDone, SessionTimeout, RtpSourceChanged>;
using EventSink = std::function<void(Event)>;

// How the workers send and receive datagrams (packet_io.h).
enum class PacketIoKind {
  kAuto,   // io_uring when the kernel allows it, else epoll
  kUring,  // io_uring only (a worker that cannot have it falls back to epoll all the same)
  kEpoll,  // epoll + recvmmsg + sendto
};

// Which source a session takes RTP from (source_latch.h has the rules).
enum class RtpLatching {
  kStrict,     // only the address and port in the peer's SDP
  kNatWindow,  // also learn a NATed peer's address from its first packets, early in the call only
};
const char* to_string(RtpLatching l);  // "strict" | "nat-window"

// Options (defaults in brackets), set from [media] in the configuration.
struct EngineOptions {
  int workers = 0;                        // media worker threads [0 = one per core]
  std::uint16_t rtp_port_min = 20000;     // RTP ports (even) [20000]
  std::uint16_t rtp_port_max = 29998;     // [29998]
  int mix_rate = 16000;                   // internal mixing rate, 16000 or 48000 [16000]
  // At most this many talkers are mixed at a time, the loudest with hysteresis (mixer.h); the others hear the
  // shared mix like listeners [3; 0 = everyone who talks]
  int max_speakers = 3;
  int jitter_min_ms = 10;                 // adaptive jitter buffer bounds [10..200]
  int jitter_max_ms = 200;
  int rtp_timeout_ms = 0;                 // SessionTimeout after this long without RTP [0 = never]
  int max_sessions = 10000;               // create_session fails beyond [10000]
  std::string recordings_dir = "var/recordings";
  // Silence suppression (RFC 3551 4.1): while what a participant hears is digital silence, send one packet per
  // second instead of 50 (marker bit on the first packet when sound resumes) [true]
  bool suppress_silence = true;
  // Scheduling of the workers, so that other work on a busy machine (logins, password hashing, a report, the
  // database) does not delay what callers hear: `nice` (-20..19) for each worker thread [-10: favoured over the
  // rest of the process, which runs at 0, and over background pools at 10]; `realtime_priority` 1..99 runs them
  // SCHED_FIFO instead [0 = off]. Both need CAP_SYS_NICE (root has it); without it the workers run at the
  // default priority (WorkerCounters::priority says which).
  int nice = -10;
  int realtime_priority = 0;
  // CPUs the workers are pinned to, worker i on cpu_affinity[i % size] [empty = not pinned]
  std::vector<int> cpu_affinity;
  // io_uring (one syscall per batch of sends and for all receives of a tick) or epoll + sendto [kAuto]
  PacketIoKind packet_io = PacketIoKind::kAuto;
  // Whose RTP a session takes and where it sends (source_latch.h): "strict" accepts only the address and port
  // in the peer's SDP; "nat-window" also learns a NATed peer's address from its packets during the first
  // rtp_latch_window_ms after the answer, while nothing came from the SDP address [strict, 3000 ms]
  RtpLatching rtp_latching = RtpLatching::kStrict;
  int rtp_latch_window_ms = 3000;
};

class MediaEngine {
 public:
  virtual ~MediaEngine() = default;

  virtual Result<SessionInfo> create_session(const SessionParams& params) = 0;
  // New remote address/codec/direction (re-INVITE: hold/resume, codec change) without dropping audio.
  virtual Status update_session(MediaSessionId id, const SessionParams& params) = 0;
  virtual Status destroy_session(MediaSessionId id) = 0;
  virtual std::optional<SessionStats> stats(MediaSessionId id) = 0;  // last known, may lag a tick

  // Rooms: a mixer each, owned by one worker.
  // `near`: the session of the room's first participant, when there is one: the room is made on that session's
  // worker, so the first attach moves nothing. Invalid: the least loaded worker.
  virtual Result<RoomId> create_room(const std::string& label, MediaSessionId near) = 0;
  Result<RoomId> create_room(const std::string& label) { return create_room(label, MediaSessionId{}); }
  virtual Status destroy_room(RoomId room) = 0;  // sessions in it are detached, not destroyed
  virtual Status attach(MediaSessionId session, RoomId room, ParticipantFlags flags) = 0;
  virtual Status detach(MediaSessionId session) = 0;
  virtual Status set_flags(MediaSessionId session, ParticipantFlags flags) = 0;

  // Prompts: to one session (heard only by it, attached or not) or to a whole room.
  virtual Status play_to_session(MediaSessionId session, PlaySpec spec) = 0;
  virtual Status play_to_room(RoomId room, PlaySpec spec) = 0;
  virtual Status stop_playing_session(MediaSessionId session) = 0;
  virtual Status stop_playing_room(RoomId room) = 0;
  virtual Status send_dtmf(MediaSessionId session, char digit, int duration_ms) = 0;  // RFC 4733

  // Recording: the room's mix to a file (.wav or .ogg/.opus by extension), paused while no session is
  // attached; one participant's voice (announce).
  virtual Status start_room_recording(RoomId room, const std::string& path) = 0;
  virtual Status stop_room_recording(RoomId room) = 0;
  virtual Status record_session(MediaSessionId session, const std::string& path, int max_ms) = 0;

  virtual void stop() = 0;  // stop workers; idempotent
  // Sessions moved from one worker to another to join a room (any thread): what placement could not avoid.
  virtual std::uint64_t sessions_moved() const { return 0; }
  // Any thread; one short lock of the statistics board (O(live sessions)). The default (test doubles) is
  // zero.
  virtual MediaTotals totals() { return {}; }
};

// Builds the engine with its worker threads started.
Result<std::unique_ptr<MediaEngine>> make_media_engine(const EngineOptions& options, EventSink sink);

}  // namespace confpro::media
