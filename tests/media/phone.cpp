#include "phone.h"

#include <algorithm>
#include <cassert>
#include <stdexcept>

#include "media/rtp.h"

namespace confpro::media::test {

CodecSpec spec_for(CodecKind kind) {
  CodecSpec s;
  s.kind = kind;
  s.telephone_event_pt = 101;
  switch (kind) {
    case CodecKind::kPcmu: s.payload_type = 0; break;
    case CodecKind::kPcma: s.payload_type = 8; break;
    case CodecKind::kG722: s.payload_type = 9; break;
    case CodecKind::kOpus: s.payload_type = 111; s.clock_rate = 48000; break;
  }
  return s;
}

Phone::Phone(CodecKind kind, double tone_hz, std::optional<SrtpKeys> srtp, std::string local_ip)
    : spec_(spec_for(kind)), local_ip_(std::move(local_ip)), dtmf_(spec_.clock_rate, 20) {
  auto s = UdpSocket::bind(local_ip_, 0);
  if (!s.ok()) throw std::runtime_error(s.error().message);
  socket_ = std::move(*s);
  port_ = socket_.local_port();
  encoder_ = make_encoder(spec_);
  decoder_ = make_decoder(spec_);
  if (!encoder_ || !decoder_) throw std::runtime_error("codec unavailable");
  if (srtp) {
    // The phone's view is the mirror of the engine's: it sends with the engine's remote key.
    auto session = SrtpSession::create({srtp->suite, srtp->remote_key_b64, srtp->local_key_b64});
    if (!session.ok()) throw std::runtime_error(session.error().message);
    srtp_ = std::move(*session);
  }
  if (tone_hz > 0) tone_ = std::make_unique<ToneGenerator>(tone_hz, 8000, rate());
  frame_.assign(static_cast<std::size_t>(rate() / 50), 0);
  ssrc_ ^= port_;
}

SessionParams Phone::params() const {
  SessionParams p;
  p.local_ip = "127.0.0.1";
  p.remote_ip = local_ip_;
  p.remote_port = port_;
  p.codec = spec_;
  return p;
}

void Phone::connect(std::uint16_t engine_port) { engine_ = *make_sockaddr("127.0.0.1", engine_port); }

void Phone::press(char digit, int duration_ms) {
  dtmf_.start(digit, duration_ms);
  pressing_ = true;
  dtmf_ts_ = ts_;
}

void Phone::play(std::vector<std::int16_t> pcm) {
  queued_ = std::move(pcm);
  queued_pos_ = 0;
}

void Phone::send_raw(const std::vector<std::uint8_t>& datagram) { socket_.send_to(datagram, engine_); }

void Phone::send_frame() {
  std::vector<std::uint8_t> packet(1600), payload(1500);
  RtpHeader h;
  h.ssrc = ssrc_;
  h.sequence = seq_++;
  std::size_t len = 0;
  if (pressing_) {
    auto p = dtmf_.next();
    if (p) {
      h.payload_type = 101;
      h.marker = p->marker;
      h.timestamp = dtmf_ts_;
      len = build_rtp(h, p->payload, packet);
    }
    if (!dtmf_.active()) pressing_ = false;
  }
  if (len == 0) {
    if (queued_pos_ < queued_.size()) {
      std::fill(frame_.begin(), frame_.end(), std::int16_t{0});
      const std::size_t n = std::min(frame_.size(), queued_.size() - queued_pos_);
      std::copy_n(queued_.begin() + static_cast<std::ptrdiff_t>(queued_pos_), n, frame_.begin());
      queued_pos_ += n;
    } else if (tone_) {
      tone_->fill(frame_);
    } else {
      std::fill(frame_.begin(), frame_.end(), std::int16_t{0});
    }
    const int n = encoder_->encode(frame_, payload);
    assert(n > 0);
    h.payload_type = static_cast<std::uint8_t>(spec_.payload_type);
    h.timestamp = ts_;
    len = build_rtp(h, {payload.data(), static_cast<std::size_t>(n)}, packet);
  }
  ts_ += static_cast<std::uint32_t>(spec_.clock_rate / 50);
  if (srtp_ && srtp_->protect_rtp(packet, len) != SrtpResult::kOk) throw std::runtime_error("protect failed");
  socket_.send_to({packet.data(), len}, engine_);
}

void Phone::receive() {
  std::vector<std::int16_t> pcm(5760);
  for (;;) {
    const int n = batch_.receive(socket_.fd());
    datagrams_ += static_cast<std::uint64_t>(std::max(n, 0));
    for (int i = 0; i < n; ++i) {
      std::size_t len = batch_.length(i);
      std::uint8_t* data = batch_.mutable_data(i);
      if (is_rtcp({data, len})) continue;
      if (srtp_ && srtp_->unprotect_rtp(data, len) != SrtpResult::kOk) continue;
      RtpPacketView v;
      if (parse_rtp({data, len}, v) != RtpParseError::kNone) continue;
      if (v.header.payload_type == spec_.telephone_event_pt && v.payload.size() >= 4) {
        ++events_received_;
        last_event_ = v.payload[0];
        continue;
      }
      if (v.header.payload_type != spec_.payload_type) continue;
      ++received_;
      const int got = decoder_->decode(v.payload, pcm);
      if (got > 0) {
        heard_.insert(heard_.end(), pcm.begin(), pcm.begin() + got);
        chunks_.push_back({v.header.timestamp, static_cast<std::size_t>(got)});
      }
    }
    if (n < static_cast<int>(batch_.count())) break;
  }
}

std::vector<std::int16_t> Phone::heard_last(double seconds) const {
  const auto n = std::min(heard_.size(), static_cast<std::size_t>(seconds * rate()));
  return std::vector<std::int16_t>(heard_.end() - static_cast<std::ptrdiff_t>(n), heard_.end());
}

}  // namespace confpro::media::test
