// One RTP session on a media worker (session.h).
#include "media/session.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "media/opus_codec.h"
#include "media/rtcp.h"
#include "media/rtp.h"

namespace confpro::media {
namespace {

constexpr int kRtcpIntervalMs = 5000;
constexpr int kKeepaliveTicks = 50;  // one packet per second while suppressing silence
constexpr int kRtpCn = 13;           // comfort noise: known, ignored

std::uint32_t ssrc_for(MediaSessionId id) {
  std::uint64_t z = id.value() + 0x9e3779b97f4a7c15ull;  // splitmix64
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return static_cast<std::uint32_t>(z ^ (z >> 31));
}

std::int64_t steady_ns(SteadyTime t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

}  // namespace

int engine_pcm_rate(CodecKind kind, int mix_rate) {
  if (kind == CodecKind::kOpus &&
      (mix_rate == 8000 || mix_rate == 16000 || mix_rate == 24000 || mix_rate == 48000))
    return mix_rate;
  return native_rate(kind);
}

std::unique_ptr<Encoder> make_engine_encoder(const CodecSpec& spec, int mix_rate, int opus_complexity) {
  if (spec.kind != CodecKind::kOpus) return make_encoder(spec);
  OpusEncoderOptions o;
  o.sample_rate = engine_pcm_rate(spec.kind, mix_rate);
  o.complexity = opus_complexity;
  return make_opus_encoder(o);
}

std::unique_ptr<Decoder> make_engine_decoder(const CodecSpec& spec, int mix_rate) {
  if (spec.kind != CodecKind::kOpus) return make_decoder(spec);
  return make_opus_decoder(spec.opus_fec, engine_pcm_rate(spec.kind, mix_rate));
}

SteadyTime steady_from_realtime(std::int64_t realtime_ns, SteadyTime steady_now, std::int64_t realtime_now_ns) {
  if (realtime_ns <= 0) return steady_now;
  const std::int64_t age = realtime_now_ns - realtime_ns;
  if (age < 0 || age > 1000000000) return steady_now;
  return steady_now - std::chrono::nanoseconds(age);
}

Session::Session(MediaSessionId id, const SessionParams& params, PortPair ports, const SessionConfig& config)
    : id_(id), config_(config), params_(params), ports_(std::move(ports)), rtp_source_(config.latch),
      rtcp_source_(config.latch), ssrc_(ssrc_for(id)) {
  local_port_ = ports_.rtp.local_port();
  seq_ = static_cast<std::uint16_t>(ssrc_ >> 7);
  ts_ = ssrc_ * 2654435761u;
}

Session::~Session() {
  if (recorder_) recorder_->finish();
}

Result<std::unique_ptr<Session>> Session::create(MediaSessionId id, const SessionParams& params, PortPair ports,
                                                 const SessionConfig& config) {
  std::unique_ptr<Session> s(new Session(id, params, std::move(ports), config));
  if (params.srtp) {
    auto srtp = SrtpSession::create(*params.srtp);
    if (!srtp.ok()) return srtp.error();
    s->srtp_ = std::move(*srtp);
  }
  auto st = s->update(params);
  if (!st.ok()) return st.error();
  return s;
}

Status Session::update(const SessionParams& params) {
  const bool codec_changed = !decoder_ || params.codec.kind != params_.codec.kind ||
                             params.codec.clock_rate != params_.codec.clock_rate;
  const bool address_changed = !decoder_ || params.remote_ip != params_.remote_ip ||
                               params.remote_port != params_.remote_port;
  params_ = params;
  receiving_ = params.direction == Direction::kSendRecv || params.direction == Direction::kRecvOnly;
  sending_ = params.direction == Direction::kSendRecv || params.direction == Direction::kSendOnly;
  kind_ = params.codec.kind;
  if (address_changed) {  // a new peer address (or the first): only it is accepted, learning may start again
    SockAddr rtp, rtcp;
    if (!params.remote_ip.empty() && params.remote_port != 0) {
      auto a = make_sockaddr(params.remote_ip, params.remote_port);
      if (!a.ok()) return a.error();
      rtp = *a;
      rtcp = *make_sockaddr(params.remote_ip, static_cast<std::uint16_t>(params.remote_port + 1));
    }
    rtp_source_.reset(rtp);
    rtcp_source_.reset(rtcp);
    reported_foreign_rtp_ = reported_foreign_rtcp_ = false;
  }
  if (codec_changed) return configure_codec();
  return {};
}

Status Session::configure_codec() {
  const CodecSpec& c = params_.codec;
  if (c.clock_rate <= 0) return Error::invalid("codec.clock_rate", "must be positive");
  decoder_ = make_engine_decoder(c, config_.mix_rate);
  encoder_ = make_engine_encoder(c, config_.mix_rate);
  if (!decoder_ || !encoder_) return Error::invalid("codec", std::string("codec unavailable: ") + to_string(c.kind));
  const int native = engine_pcm_rate(c.kind, config_.mix_rate);
  JitterBufferOptions jo;
  jo.clock_rate = c.clock_rate;
  jo.sample_rate = native;
  jo.frame_ms = kTickMs;
  jo.min_delay_ms = config_.jitter_min_ms;
  jo.max_delay_ms = config_.jitter_max_ms;
  jo.max_payload = 1280;
  jitter_ = std::make_unique<JitterBuffer>(jo);
  auto up = Resampler::create({native, config_.mix_rate, 3});
  auto down = Resampler::create({config_.mix_rate, native, 3});
  if (!up.ok()) return up.error();
  if (!down.ok()) return down.error();
  up_ = std::move(*up);
  down_ = std::move(*down);
  native_.assign(static_cast<std::size_t>(native / 1000 * kTickMs), 0);
  native_out_.assign(native_.size(), 0);
  input_.assign(static_cast<std::size_t>(config_.mix_rate / 1000 * kTickMs), 0);
  ts_step_ = static_cast<std::uint32_t>(c.clock_rate / 1000 * kTickMs);
  payload_.assign(1500, 0);
  payload_len_ = 0;
  silence_ = SilentFrameReuse(payload_.size());
  packet_.assign(kMaxRtpPacket + kSrtpMaxOverhead, 0);
  // Packet time (the peer's a=ptime): sample codecs are regrouped into packets of 10-60 ms; Opus stays at 20.
  ptime_ms_ = c.kind == CodecKind::kOpus || c.ptime_ms <= 0 || c.ptime_ms > 60 || c.ptime_ms % 10 != 0 ? kTickMs
                                                                                                      : c.ptime_ms;
  pending_.assign(static_cast<std::size_t>(native / 1000 * (60 + kTickMs)), 0);  // G.711/G.722: <= 1 byte a sample
  pending_len_ = 0;
  rx_stats_ = RtpReceiveStats(c.clock_rate);
  dtmf_rx_ = Rfc4733Receiver(c.clock_rate);
  dtmf_tx_ = Rfc4733Sender(c.clock_rate, kTickMs);
  // In-band DTMF: spandsp's detector works at 8 kHz; wideband callers' audio is brought down to it.
  if (!inband_) inband_ = std::make_unique<InbandDtmfDetector>();
  inband_->reset();
  inband_hold_ = 0;
  dtmf_down_.reset();
  if (native != 8000) {
    auto dtmf_down = Resampler::create({native, 8000, 3});
    if (!dtmf_down.ok()) return dtmf_down.error();
    dtmf_down_ = std::move(*dtmf_down);
    dtmf_pcm_.assign(static_cast<std::size_t>(8000 / 1000 * kTickMs), 0);
  }
  return {};
}

bool Session::receiving() const { return receiving_; }
bool Session::sending() const { return sending_; }

void Session::on_rtp(std::uint8_t* data, std::size_t len, bool truncated, const SockAddr& from, SteadyTime arrival,
                     const EventSink& sink) {
  if (truncated || len > kMaxRtpPacket) {
    ++stats_.dropped_malformed;
    return;
  }
  const SourceLatch::Verdict source = admit(rtp_source_, from, arrival, false, sink);
  if (source == SourceLatch::Verdict::kDrop) return;
  if (srtp_) {
    const SrtpResult r = srtp_->unprotect_rtp(data, len);
    if (r != SrtpResult::kOk) {
      ++stats_.dropped_srtp_auth;
      return;
    }
  }
  RtpPacketView v;
  if (parse_rtp({data, len}, v) != RtpParseError::kNone) {
    ++stats_.dropped_malformed;
    return;
  }
  const int pt = v.header.payload_type;
  const bool audio = pt == params_.codec.payload_type;
  const bool event = pt == params_.codec.telephone_event_pt && params_.codec.telephone_event_pt >= 0;
  if (!audio && !event) {
    if (pt != kRtpCn) ++stats_.dropped_unknown_pt;
    return;
  }
  learned(rtp_source_, source, from, arrival, false, sink);
  const auto arrival_units =
      static_cast<std::uint32_t>(static_cast<std::uint64_t>(steady_ns(arrival)) * params_.codec.clock_rate /
                                 1000000000ull);
  const SeqVerdict verdict = rx_stats_.on_packet(v.header.ssrc, v.header.sequence, v.header.timestamp, arrival_units);
  if (verdict == SeqVerdict::kBadJump || verdict == SeqVerdict::kDuplicateOrOld) {
    ++stats_.dropped_bad_sequence;
    return;
  }
  ++stats_.packets_received;
  last_rtp_ = arrival;
  timeout_reported_ = false;
  if (!receiving()) return;
  if (audio) {
    jitter_->insert(v.header.ssrc, v.header.sequence, v.header.timestamp, v.payload, arrival);
    jitter_idle_ = false;
  } else {
    last_event_packet_ = arrival;
    if (auto d = dtmf_rx_.on_packet(v.payload, v.header.timestamp, arrival))
      sink(DtmfEvent{id_, d->digit, d->duration_ms, false});
  }
}

void Session::on_rtcp(std::uint8_t* data, std::size_t len, bool truncated, const SockAddr& from, SteadyTime arrival,
                      const EventSink& sink) {
  if (truncated || len > kMaxRtpPacket) {
    ++stats_.dropped_malformed;
    return;
  }
  const SourceLatch::Verdict source = admit(rtcp_source_, from, arrival, true, sink);
  if (source == SourceLatch::Verdict::kDrop) return;
  if (srtp_ && srtp_->unprotect_rtcp(data, len) != SrtpResult::kOk) {
    ++stats_.dropped_srtp_auth;
    return;
  }
  RtcpCompound c;
  if (parse_rtcp({data, len}, c) != RtcpParseError::kNone) {
    ++stats_.dropped_malformed;
    return;
  }
  learned(rtcp_source_, source, from, arrival, true, sink);
  if (c.has_sr) {
    last_sr_mid_ = ntp_middle32(c.sender.ntp);
    last_sr_arrival_ = arrival;
  }
  const std::uint32_t now_mid = ntp_middle32(ntp_from_ns(steady_ns(arrival)));
  for (int i = 0; i < c.block_count; ++i) {
    if (c.blocks[i].ssrc != ssrc_) continue;
    const double rtt = rtt_ms_from_block(c.blocks[i], now_mid);
    if (rtt >= 0) stats_.rtt_ms = rtt;
  }
}

SourceLatch::Verdict Session::admit(SourceLatch& latch, const SockAddr& from, SteadyTime arrival, bool rtcp,
                                   const EventSink& sink) {
  const SourceLatch::Verdict v = latch.classify(from, arrival);
  if (v != SourceLatch::Verdict::kDrop) return v;
  ++stats_.dropped_wrong_source;
  bool& reported = rtcp ? reported_foreign_rtcp_ : reported_foreign_rtp_;
  if (!reported) {
    reported = true;
    const SockAddr* accepted = latch.destination();
    sink(RtpSourceChanged{id_, rtcp, false, from.to_string(), accepted ? accepted->to_string() : std::string()});
  }
  return v;
}

void Session::learned(SourceLatch& latch, SourceLatch::Verdict verdict, const SockAddr& from, SteadyTime arrival,
                      bool rtcp, const EventSink& sink) {
  if (!latch.learn(verdict, from, arrival)) return;
  ++stats_.source_changes;
  const SockAddr& was = latch.previous();
  sink(RtpSourceChanged{id_, rtcp, true, from.to_string(), was.empty() ? std::string() : was.to_string()});
}

bool Session::pull(SteadyTime now, const EventSink& sink) {
  talk_change_.reset();
  rtp_source_.begin(now);
  rtcp_source_.begin(now);
  has_input_ = false;
  if (last_rtp_ == SteadyTime{}) last_rtp_ = now;  // the timeout counts from the first tick
  if (config_.rtp_timeout_ms > 0 && receiving() && !timeout_reported_ &&
      now - last_rtp_ > std::chrono::milliseconds(config_.rtp_timeout_ms)) {
    timeout_reported_ = true;
    sink(SessionTimeout{id_});
  }
  if (last_event_packet_ != SteadyTime{} && now - last_event_packet_ < std::chrono::seconds(3)) {
    if (auto d = dtmf_rx_.poll(now)) sink(DtmfEvent{id_, d->digit, d->duration_ms, false});
  }
  // An idle stream (nothing buffered, the last pull empty) costs nothing until a packet arrives.
  const bool skip = !receiving() || jitter_idle_;
  const PullResult r = skip ? PullResult::kEmpty : jitter_->pull(*decoder_, native_, now);
  jitter_idle_ = r == PullResult::kEmpty && (skip || jitter_->packets_buffered() == 0);
  if (r == PullResult::kEmpty) {
    if (vad_.talking()) {
      std::fill(input_.begin(), input_.end(), std::int16_t{0});
      talk_change_ = vad_.process(input_, config_.mix_rate);
    }
    if (recorder_) {
      std::fill(input_.begin(), input_.end(), std::int16_t{0});
      if (!recorder_->write(input_)) recorder_.reset();
    }
    return false;
  }
  // The frame's level, once: an integer sum of squares (vectorised), one log10.
  std::int64_t sum = 0;
  for (const std::int16_t v : native_) sum += std::int32_t{v} * v;
  const double mean_square = static_cast<double>(sum) / static_cast<double>(native_.size());
  level_ = mean_square < 1.0 ? -96.0 : 10.0 * std::log10(mean_square / (32768.0 * 32768.0));
  quiet_ = level_ < kQuietDbov;
  if (inband_) {
    if (level_ > -50.0) {
      if (inband_hold_ == 0 && dtmf_down_) dtmf_down_->reset();  // a new stretch of sound: no stale history
      inband_hold_ = 10;
    }
    if (inband_hold_ > 0) {
      --inband_hold_;
      std::span<const std::int16_t> narrow = native_;
      if (dtmf_down_) {
        dtmf_down_->process(native_, dtmf_pcm_);
        narrow = dtmf_pcm_;
      }
      DigitEvent found[4];
      const std::size_t n = inband_->process(narrow, found);
      for (std::size_t i = 0; i < n; ++i) sink(DtmfEvent{id_, found[i].digit, found[i].duration_ms, true});
    }
  }
  if (quiet_) {
    // Silence (most listeners most of the time): no resampling, no detector work beyond its hang time.
    if (!was_quiet_) up_->reset();
    if (vad_.talking() || recorder_) std::fill(input_.begin(), input_.end(), std::int16_t{0});
    if (vad_.talking()) talk_change_ = vad_.process(input_, config_.mix_rate);
  } else {
    up_->process(native_, input_);
    talk_change_ = vad_.process(input_, config_.mix_rate);
  }
  was_quiet_ = quiet_;
  if (recorder_ && !recorder_->write(input_)) recorder_.reset();  // full: finished by its destructor
  has_input_ = true;
  return true;
}

bool Session::prompt_frame(std::span<std::int16_t> out, const EventSink& sink) {
  if (!player_) return false;
  player_->next_frame(out);
  if (player_->finished()) {
    sink(PlayDone{id_, RoomId{}, play_id_, true});
    player_.reset();
  }
  return true;
}

void Session::play(std::unique_ptr<Player> player, std::uint64_t play_id, const EventSink& sink) {
  stop_playing(sink);
  player_ = std::move(player);
  play_id_ = play_id;
}

void Session::stop_playing(const EventSink& sink) {
  if (!player_) return;
  sink(PlayDone{id_, RoomId{}, play_id_, false});
  player_.reset();
}

void Session::send_rtp(std::span<const std::uint8_t> payload, int pt, bool marker, std::uint32_t ts,
                       SteadyTime /*now*/) {
  const SockAddr* dest = rtp_source_.destination();
  if (!dest) return;
  RtpHeader h;
  h.payload_type = static_cast<std::uint8_t>(pt);
  h.marker = marker;
  h.sequence = seq_++;
  h.timestamp = ts;
  h.ssrc = ssrc_;
  std::size_t len = build_rtp(h, payload, packet_);
  if (len == 0) return;
  if (srtp_ && srtp_->protect_rtp(packet_, len) != SrtpResult::kOk) return;
  if (send_datagram(ports_.rtp, {packet_.data(), len}, *dest)) {
    ++stats_.packets_sent;
    octets_sent_ += static_cast<std::uint32_t>(payload.size());
  }
}

void Session::send_audio(std::span<const std::uint8_t> frame, bool marker, bool alone, SteadyTime now) {
  if (ptime_ms_ == kTickMs || alone || frame.size() % kTickMs != 0) {
    pending_len_ = 0;
    send_rtp(frame, params_.codec.payload_type, marker, ts_, now);
    return;
  }
  // One tick's frame of a sample codec (G.711, G.722: a whole number of bytes a millisecond) joins the pending
  // bytes, and every full packet time of them goes out.
  if (pending_len_ == 0) {
    pending_ts_ = ts_;
    pending_marker_ = marker;
  }
  if (pending_len_ + frame.size() > pending_.size()) pending_len_ = 0;  // cannot happen with 20 ms frames
  std::memcpy(pending_.data() + pending_len_, frame.data(), frame.size());
  pending_len_ += frame.size();
  const std::size_t chunk = frame.size() / kTickMs * static_cast<std::size_t>(ptime_ms_);
  std::size_t sent = 0;
  while (pending_len_ - sent >= chunk) {
    send_rtp({pending_.data() + sent, chunk}, params_.codec.payload_type, pending_marker_, pending_ts_, now);
    pending_marker_ = false;
    pending_ts_ += static_cast<std::uint32_t>(params_.codec.clock_rate / 1000 * ptime_ms_);
    sent += chunk;
  }
  if (sent > 0) {
    std::memmove(pending_.data(), pending_.data() + sent, pending_len_ - sent);
    pending_len_ -= sent;
  }
}

bool Session::send_dtmf_packet(SteadyTime now) {
  if (!dtmf_tx_.active() || params_.codec.telephone_event_pt < 0) return false;
  pending_len_ = 0;  // audio waiting for a longer packet time gives way to the event
  if (!dtmf_sending_) {
    dtmf_sending_ = true;
    dtmf_ts_ = ts_;
  }
  if (auto p = dtmf_tx_.next()) send_rtp(p->payload, params_.codec.telephone_event_pt, p->marker, dtmf_ts_, now);
  if (!dtmf_tx_.active()) dtmf_sending_ = false;
  return true;
}

template <class Encode>
void Session::send_tick(bool silent, SteadyTime now, Encode encode) {
  if (!sending()) return;
  if (!send_dtmf_packet(now)) {
    const bool suppressing = config_.suppress_silence && silent;
    const bool skip = suppressing && was_silent_ && (++silent_ticks_ % kKeepaliveTicks) != 0;
    const std::span<const std::uint8_t> frame = skip ? std::span<const std::uint8_t>{} : encode();
    if (frame.empty()) {
      pending_len_ = 0;  // a hole in the stream: what waits for a longer packet would be stamped wrong
    } else {
      // While silence is suppressed each frame is a keep-alive: it goes out alone, whatever the packet time.
      send_audio(frame, first_packet_ || (was_silent_ && !silent), suppressing, now);
      first_packet_ = false;
    }
    if (!silent) silent_ticks_ = 0;
    was_silent_ = silent;
  }
  ts_ += ts_step_;
}

void Session::send_pcm(std::span<const std::int16_t> mix_pcm, bool silent, SteadyTime now) {
  send_tick(silent, now, [&]() -> std::span<const std::uint8_t> {
    if (silence_.reuse(silent)) return {payload_.data(), payload_len_};  // e.g. a lone talker's mix-minus
    down_->process(mix_pcm, native_out_);
    payload_len_ = static_cast<std::size_t>(std::max(encoder_->encode(native_out_, payload_), 0));
    silence_.encoded({payload_.data(), payload_len_}, silent);
    return {payload_.data(), payload_len_};
  });
}

void Session::send_payload(std::span<const std::uint8_t> payload, bool silent, SteadyTime now) {
  send_tick(silent, now, [&] { return payload; });
}

void Session::maybe_send_rtcp(SteadyTime now) {
  if (now < next_rtcp_) return;
  const bool first = next_rtcp_ == SteadyTime{};
  next_rtcp_ = now + std::chrono::milliseconds(kRtcpIntervalMs + static_cast<int>(ssrc_ % 1000));
  if (first) return;
  const SockAddr* dest = rtcp_source_.destination();
  if (!dest) return;
  RtcpSenderInfo si{ntp_from_ns(steady_ns(now)), ts_, static_cast<std::uint32_t>(stats_.packets_sent), octets_sent_};
  RtcpReportBlock block;
  const bool have_block = rx_stats_.received() > 0;
  if (have_block) {
    const auto dlsr = last_sr_mid_ ? static_cast<std::uint32_t>(
                                         std::chrono::duration_cast<std::chrono::microseconds>(now - last_sr_arrival_)
                                             .count() * 65536 / 1000000)
                                   : 0u;
    block = rx_stats_.make_report_block(static_cast<std::uint32_t>(last_sr_mid_), dlsr);
  }
  std::size_t len = build_rtcp_report(ssrc_, stats_.packets_sent ? &si : nullptr, have_block ? &block : nullptr,
                                      "confpro", packet_);
  if (len == 0) return;
  if (srtp_ && srtp_->protect_rtcp(packet_, len) != SrtpResult::kOk) return;
  send_datagram(ports_.rtcp, {packet_.data(), len}, *dest);
}

bool Session::send_datagram(const UdpSocket& from, std::span<const std::uint8_t> data, const SockAddr& to) {
  return io_ != nullptr ? io_->send(from.fd(), data, to) : from.send_to(data, to);
}

SessionStats Session::stats() const {
  SessionStats s = stats_;
  s.packets_lost = static_cast<std::uint64_t>(std::max<std::int64_t>(0, rx_stats_.lost()));
  s.jitter_ms = rx_stats_.jitter_ms();
  if (jitter_) s.buffer_ms = jitter_->current_delay_ms();
  const std::int64_t expected = rx_stats_.expected();
  s.loss_fraction = expected > 0 ? static_cast<double>(s.packets_lost) / static_cast<double>(expected) : 0.0;
  return s;
}

}  // namespace confpro::media
