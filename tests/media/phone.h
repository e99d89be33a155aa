// A test phone: one UDP socket on 127.0.0.1, a codec, RTP (optionally SRTP) out at the test's pace, and every
// RTP packet that comes back decoded and kept for analysis. Used by the end-to-end tests and nothing else.
// Thread safety: one test thread.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "media/codec.h"
#include "media/dtmf.h"
#include "media/media_engine.h"
#include "media/socket.h"
#include "media/srtp.h"
#include "media/tone.h"

namespace confpro::media::test {

CodecSpec spec_for(CodecKind kind);  // PCMU 0, PCMA 8, G722 9, opus 111; telephone-event 101

class Phone {
 public:
  // local_ip: the loopback address the phone's socket binds (another 127.0.0.x is another caller's machine).
  explicit Phone(CodecKind kind, double tone_hz = 0, std::optional<SrtpKeys> srtp = std::nullopt,
                 std::string local_ip = "127.0.0.1");
  std::uint16_t port() const { return port_; }
  const CodecSpec& spec() const { return spec_; }
  SessionParams params() const;  // what to create the engine's session with

  void connect(std::uint16_t engine_port);
  std::uint16_t engine_port() const { return engine_.port(); }
  void send_frame();                             // 20 ms of the tone (or silence), or a DTMF packet if pressing
  void press(char digit, int duration_ms);       // RFC 4733 from the next send_frame() on
  void play(std::vector<std::int16_t> pcm);      // native-rate audio sent instead of the tone until it runs out
  void send_raw(const std::vector<std::uint8_t>& datagram);  // as-is, to the engine's RTP port
  void receive();                                // drains the socket, decoding audio
  // Received audio at the codec's native rate, and its last `seconds`.
  const std::vector<std::int16_t>& heard() const { return heard_; }
  std::vector<std::int16_t> heard_last(double seconds) const;
  int rate() const { return native_rate(spec_.kind); }
  std::uint64_t packets_received() const { return received_; }
  std::uint64_t datagrams_received() const { return datagrams_; }  // anything at all, RTCP and garbage included
  // Each decoded packet in arrival order: its RTP timestamp and how many samples it appended to heard().
  struct Chunk {
    std::uint32_t timestamp = 0;
    std::size_t samples = 0;
  };
  const std::vector<Chunk>& chunks() const { return chunks_; }
  // RFC 4733 packets received: count, and the event code of the last one.
  int events_received() const { return events_received_; }
  int last_event() const { return last_event_; }

 private:
  CodecSpec spec_;
  std::string local_ip_;
  UdpSocket socket_;
  std::uint16_t port_ = 0;
  SockAddr engine_;
  std::unique_ptr<Encoder> encoder_;
  std::unique_ptr<Decoder> decoder_;
  std::unique_ptr<SrtpSession> srtp_;
  std::unique_ptr<ToneGenerator> tone_;
  Rfc4733Sender dtmf_;
  std::uint32_t dtmf_ts_ = 0;
  bool pressing_ = false;
  std::uint16_t seq_ = 1000;
  std::uint32_t ts_ = 5000, ssrc_ = 0x5eed;
  std::vector<std::int16_t> heard_, frame_;
  std::vector<Chunk> chunks_;
  RecvBatch batch_{16, 2048};
  std::uint64_t received_ = 0, datagrams_ = 0;
  int events_received_ = 0, last_event_ = -1;
  std::vector<std::int16_t> queued_;
  std::size_t queued_pos_ = 0;
};

}  // namespace confpro::media::test
