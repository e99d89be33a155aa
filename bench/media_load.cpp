// The media engine's load tool (issue 3): N participants in rooms of R over loopback UDP, one socket per
// participant, send times spread evenly across the 20 ms period in a shuffled order (each its own phase). In each
// room `talkers` participants send a 200 ms tone burst once a second (staggered, one frequency per talker) and
// silence otherwise; the next `senders - talkers` send silence; the rest send nothing (a muted softphone). It
// measures what comes back: loss by RTP sequence, gaps over 40 ms, the delay the server adds (burst onset sent ->
// onset heard by two probe listeners per room: the arrival of the first packet with the burst plus the burst's
// place in it, less the load tool's own codec delay), echo (a talker hearing its own burst: must be 0), and the
// engine's CPU per participant-second (the media worker threads' on-CPU time from /proc/self/task/*/schedstat).
//
// SIP-joined mode (--server-pid): no engine here; the participants are calls SIPp placed to `confpro serve`
// (bench/sip_load.py starts both). Participant i sends from 127.0.0.1:(--local-port-base + 2i), the port SIPp
// offered in its SDP, to the server port SIPp found in the 200 OK and logged to --sip-ports ("INDEX PORT" lines;
// the option repeats, a file per SIPp process);
// the callers listed in --rtp-pins key their PIN by RFC 4733 from here (the others by SIP INFO, from SIPp). The
// load starts once --go-file exists (every caller joined); the CPU is that process's threads' (/proc/PID/task),
// media workers apart from the rest. The server suppresses silence (its default), so "missing" counts the ticks
// missing inside what listeners hear as sound (gaps over 40 ms between sound packets of one talk spurt).
//
// The engine's worker(s) are pinned to --engine-cpu and the generator (this thread) to --gen-cpu. The engine's
// datagram I/O is --io (auto: io_uring when the kernel allows it); the generator uses the same PacketIo (io_uring
// when available) so that it keeps up, and takes arrival times from the kernel's stamps.
// Usage: media_load [--participants 2000] [--room-size 10] [--talkers 1] [--senders 10] [--codec pcmu|g722|opus]
//                   [--seconds 20] [--warmup 3] [--workers 1] [--engine-cpu 0] [--gen-cpu 1] [--mix-rate 16000]
//                   [--suppress-silence] [--realtime] [--io auto|uring|epoll] [--jitter-min-ms N]
//                   [--max-speakers N]
//                   [--server-pid PID --sip-ports FILE... --go-file FILE [--rtp-pins FILE] [--local-port-base 40000]
//                    [--join-timeout 120]]
#include <dirent.h>
#include <sched.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <functional>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "media/codec.h"
#include "media/media_engine.h"
#include "media/packet_io.h"
#include "media/rtp.h"
#include "media/socket.h"
#include "media/tone.h"
#include "media/dtmf.h"
#include "rtp_spec.h"
#include "sip_joined.h"

using namespace confpro;
using namespace confpro::media;
using Clock = std::chrono::steady_clock;

namespace {

struct Options {
  int participants = 2000, room_size = 10, talkers = 1, senders = 10;
  int seconds = 20, warmup = 3, workers = 1, engine_cpu = 0, gen_cpu = 1, mix_rate = 16000;
  int jitter_min_ms = -1;  // the engine's default unless set
  int max_speakers = -1;   // the engine's default (3) unless set; 0 = mix every talker
  bool suppress_silence = false;
  bool realtime = false;  // SCHED_FIFO for the engine's workers and the generator (needs CAP_SYS_NICE)
  CodecKind codec = CodecKind::kPcmu;
  PacketIoKind io = PacketIoKind::kAuto;
  // SIP-joined mode (empty server_pid: the engine runs in this process)
  std::string server_pid, rtp_pins, go_file;
  std::vector<std::string> sip_ports;  // one file per SIPp process
  int local_port_base = 40000, join_timeout = 120;
  bool sip() const { return !server_pid.empty(); }
};

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (a == "--participants") o.participants = std::stoi(next());
    else if (a == "--room-size") o.room_size = std::stoi(next());
    else if (a == "--talkers") o.talkers = std::stoi(next());
    else if (a == "--senders") o.senders = std::stoi(next());
    else if (a == "--seconds") o.seconds = std::stoi(next());
    else if (a == "--warmup") o.warmup = std::stoi(next());
    else if (a == "--workers") o.workers = std::stoi(next());
    else if (a == "--engine-cpu") o.engine_cpu = std::stoi(next());
    else if (a == "--gen-cpu") o.gen_cpu = std::stoi(next());
    else if (a == "--mix-rate") o.mix_rate = std::stoi(next());
    else if (a == "--jitter-min-ms") o.jitter_min_ms = std::stoi(next());
    else if (a == "--max-speakers") o.max_speakers = std::stoi(next());
    else if (a == "--suppress-silence") o.suppress_silence = true;
    else if (a == "--server-pid") o.server_pid = next();
    else if (a == "--sip-ports") o.sip_ports.push_back(next());
    else if (a == "--rtp-pins") o.rtp_pins = next();
    else if (a == "--go-file") o.go_file = next();
    else if (a == "--local-port-base") o.local_port_base = std::stoi(next());
    else if (a == "--join-timeout") o.join_timeout = std::stoi(next());
    else if (a == "--realtime") o.realtime = true;
    else if (a == "--io") {
      const std::string k = next();
      o.io = k == "uring" ? PacketIoKind::kUring : k == "epoll" ? PacketIoKind::kEpoll : PacketIoKind::kAuto;
    }
    else if (a == "--codec") {
      const std::string c = next();
      o.codec = c == "g722" ? CodecKind::kG722 : c == "opus" ? CodecKind::kOpus : CodecKind::kPcmu;
    } else {
      std::fprintf(stderr, "unknown option %s\n", a.c_str());
      std::exit(2);
    }
  }
  o.senders = std::max(o.senders, o.talkers);
  return o;
}

std::int64_t generator_cpu_ns() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return std::int64_t{ts.tv_sec} * 1000000000 + ts.tv_nsec;
}

void pin_media_threads(int cpu, bool realtime) {
  DIR* d = opendir("/proc/self/task");
  if (!d) return;
  while (dirent* e = readdir(d)) {
    if (e->d_name[0] == '.') continue;
    std::ifstream comm(std::string("/proc/self/task/") + e->d_name + "/comm");
    std::string name;
    std::getline(comm, name);
    if (name.rfind("confpro-media", 0) != 0) continue;
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    sched_setaffinity(std::atoi(e->d_name), sizeof set, &set);
    if (realtime) {
      sched_param sp{};
      sp.sched_priority = 20;
      sched_setscheduler(std::atoi(e->d_name), SCHED_FIFO, &sp);
    }
  }
  closedir(d);
}

// First sample of a burst in a decoded frame: the first at a quarter of the bursts' amplitude (8000), well above
// the decoded silence of every codec; -1 when none.
int onset_index(std::span<const std::int16_t> pcm) {
  for (std::size_t i = 0; i < pcm.size(); ++i)
    if (pcm[i] >= 2000 || pcm[i] <= -2000) return static_cast<int>(i);
  return -1;
}

struct Participant {
  UdpSocket socket;
  UdpSocket rtcp;  // SIP-joined mode: bound so that the server's RTCP finds a port (not read)
  SockAddr engine;
  int room = 0, role_index = 0;  // index inside the room
  bool talker = false, sender = false, probe = false;
  double freq = 0;
  std::int64_t offset_ns = 0;
  std::uint16_t seq = 0;
  std::uint32_t ts = 0, ssrc = 0;
  std::unique_ptr<Decoder> decoder;
  // receive accounting (measurement window only)
  bool have_seq = false;
  std::int64_t first_ext = 0, max_ext = 0, last_ext16 = 0, cycles = 0, received = 0;
  Clock::time_point last_arrival{};
  std::int64_t gaps = 0;
  // sound heard (G.711: a payload that is not all silence codes) and ticks missing inside a talk spurt
  bool last_was_sound = false;
  std::int64_t sound_packets = 0, missed_sound_ticks = 0;
  std::int64_t echo_frames = 0;
  // burst tracking: onset send time of the current burst of each talker in the room, and whether heard
  std::vector<Clock::time_point> onset_sent;
  std::vector<bool> onset_heard;
};

// A caller keying its PIN by RFC 4733: one digit of 100 ms (5 packets + 3 end packets, payload type 101 as SIPp
// offered it) every 300 ms, starting a second after its port is known (the PIN prompt has begun by then).
struct RtpPin {
  std::string digits;
  std::size_t next = 0;
  Clock::time_point due{};
  bool started = false;
  std::uint32_t event_ts = 0;
  Rfc4733Sender tx{8000, 20};
  bool done() const { return next >= digits.size() && !tx.active(); }
};

// SIP-joined mode, before the load: learns each participant's server port from SIPp's log, keys the RFC 4733
// PINs, drains what the server plays (PIN prompt, entry prompts) and returns once every port is known, every PIN
// keyed and --go-file exists (bench/sip_load.py creates it when every caller has joined); false after
// --join-timeout seconds, saying what is missing.
bool join_over_sip(const Options& opt, std::vector<Participant>& ps, PacketIo& io, std::uint32_t ts_step) {
  std::vector<bench::PortLog> ports(opt.sip_ports.begin(), opt.sip_ports.end());
  std::map<int, RtpPin> pins;
  for (auto& [index, digits] : bench::read_rtp_pins(opt.rtp_pins))
    if (index >= 0 && index < static_cast<int>(ps.size())) pins[index].digits = digits;
  std::vector<bool> known(ps.size(), false);
  std::size_t n_known = 0;
  const auto deadline = Clock::now() + std::chrono::seconds(opt.join_timeout);
  std::vector<std::uint8_t> packet(64);
  struct Drain final : DatagramHandler {
    void on_datagram(std::uintptr_t, const Datagram&) override {}
  } drain;
  for (auto tick = Clock::now(); tick < deadline; tick += std::chrono::milliseconds(20)) {
    const auto now = Clock::now();
    for (auto& log : ports)
      log.poll([&](int index, int port) {
        const auto i = static_cast<std::size_t>(index);
        if (i >= ps.size() || known[i]) return;
        known[i] = true;
        ++n_known;
        ps[i].engine = *make_sockaddr("127.0.0.1", static_cast<std::uint16_t>(port));
        if (auto it = pins.find(index); it != pins.end()) it->second.due = now + std::chrono::seconds(1);
      });
    bool pins_done = true;
    for (auto& [index, pin] : pins) {
      Participant& p = ps[static_cast<std::size_t>(index)];
      pins_done = pins_done && pin.done();
      if (!known[static_cast<std::size_t>(index)] || pin.done()) continue;
      p.ts += ts_step;  // the caller's clock runs while it keys
      if (!pin.tx.active()) {
        if (now < pin.due) continue;
        pin.tx.start(pin.digits[pin.next++], 100);
        pin.event_ts = p.ts;
      }
      if (auto e = pin.tx.next()) {
        RtpHeader h;
        h.payload_type = 101;
        h.marker = e->marker;
        h.sequence = p.seq++;
        h.timestamp = pin.event_ts;
        h.ssrc = p.ssrc;
        const std::size_t len = build_rtp(h, e->payload, packet);
        io.send(p.socket.fd(), {packet.data(), len}, p.engine);
      }
      if (!pin.tx.active()) pin.due = now + std::chrono::milliseconds(200);
    }
    io.flush();
    io.receive(drain);
    if (n_known == ps.size() && pins_done && access(opt.go_file.c_str(), F_OK) == 0) {
      for (auto& p : ps) p.ts += static_cast<std::uint32_t>(ts_step * 50);  // a second of silence suppressed
      return true;
    }
    std::this_thread::sleep_until(tick + std::chrono::milliseconds(20));
  }
  std::size_t keyed = 0;
  int malformed = 0;
  for (const auto& log : ports) malformed += log.malformed();
  for (auto& [index, pin] : pins) keyed += pin.done() ? 1 : 0;
  std::fprintf(stderr, "join: after %d s, %zu of %zu server ports known (%d malformed lines), %zu of %zu RTP PINs "
               "keyed, go file %s\n", opt.join_timeout, n_known, ps.size(), malformed, keyed, pins.size(),
               access(opt.go_file.c_str(), F_OK) == 0 ? "present" : "absent");
  return false;
}

// G.711 payload that decodes to digital silence (every byte PCMU 0xFF/0x7F or PCMA 0xD5/0x55).
bool g711_silence(std::span<const std::uint8_t> payload, CodecKind codec) {
  if (codec != CodecKind::kPcmu && codec != CodecKind::kPcma) return false;
  const std::uint8_t a = codec == CodecKind::kPcmu ? 0xFF : 0xD5;
  for (const std::uint8_t b : payload)
    if (b != a && b != (a ^ 0x80)) return false;
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  const Options opt = parse(argc, argv);
  rlimit rl{};
  getrlimit(RLIMIT_NOFILE, &rl);
  rl.rlim_cur = rl.rlim_max;
  setrlimit(RLIMIT_NOFILE, &rl);

  // Engine-only mode: the engine in this process. SIP-joined mode: none (the server is another process).
  std::unique_ptr<MediaEngine> engine;
  if (!opt.sip()) {
    EngineOptions eo;
    eo.workers = opt.workers;
    eo.mix_rate = opt.mix_rate;
    eo.suppress_silence = opt.suppress_silence;
    if (opt.jitter_min_ms >= 0) eo.jitter_min_ms = opt.jitter_min_ms;
    if (opt.max_speakers >= 0) eo.max_speakers = opt.max_speakers;
    eo.max_sessions = opt.participants + 10;
    eo.rtp_port_min = 20000;
    eo.rtp_port_max = 60000;
    eo.cpu_affinity = {opt.engine_cpu};
    eo.packet_io = opt.io;
    auto engine_r = make_media_engine(eo, [](Event) {});
    if (!engine_r.ok()) {
      std::fprintf(stderr, "engine: %s\n", engine_r.error().message.c_str());
      return 1;
    }
    engine = std::move(*engine_r);
  }
  {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(opt.gen_cpu, &set);
    sched_setaffinity(0, sizeof set, &set);
    if (opt.realtime) {
      sched_param sp{};
      sp.sched_priority = 10;
      if (sched_setscheduler(0, SCHED_FIFO, &sp) != 0) std::fprintf(stderr, "SCHED_FIFO refused\n");
    }
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  if (engine) pin_media_threads(opt.engine_cpu, opt.realtime);
  const std::string cpu_pid = opt.sip() ? opt.server_pid : "self";

  const CodecSpec spec = confpro::bench::rtp_spec_for(opt.codec);
  const int rate = native_rate(opt.codec);
  const std::size_t frame = static_cast<std::size_t>(rate / 50);
  const std::uint32_t ts_step = static_cast<std::uint32_t>(spec.clock_rate / 50);

  // Pre-encoded payloads: a second of silence (sent in a loop), and per talker frequency a 200 ms burst
  // (10 frames). Each comes from an encoder that has already coded a second of silence, as a phone's would: the
  // first frame of a fresh ADPCM (G.722) encoder, repeated, decodes to noise at -44 dBov, not to silence.
  std::vector<std::uint8_t> buf(1500);
  std::vector<std::int16_t> pcm(frame, 0);
  auto settled_encoder = [&] {
    auto e = make_encoder(spec);
    std::fill(pcm.begin(), pcm.end(), std::int16_t{0});
    for (int f = 0; f < 50; ++f) e->encode(pcm, buf);
    return e;
  };
  std::vector<std::vector<std::uint8_t>> silence;
  {
    auto encoder = settled_encoder();
    for (int f = 0; f < 50; ++f) {
      const int n = encoder->encode(pcm, buf);
      silence.emplace_back(buf.begin(), buf.begin() + n);
    }
  }
  std::vector<std::vector<std::vector<std::uint8_t>>> bursts(static_cast<std::size_t>(opt.talkers));
  for (int t = 0; t < opt.talkers; ++t) {
    auto encoder = settled_encoder();
    ToneGenerator gen(600.0 + 400.0 * t, 8000, rate);
    for (int f = 0; f < 10; ++f) {
      gen.fill(pcm);
      const int n = encoder->encode(pcm, buf);
      bursts[static_cast<std::size_t>(t)].emplace_back(buf.begin(), buf.begin() + n);
    }
  }

  // The generator's own codec delay (its encoder's look-ahead and filters, and its decoder's): a burst that starts
  // at sample 0 of a frame is heard this much later even without a server. The server adds its own decode and
  // encode (the same again for the same codec), which is part of the delay it adds; this part is not.
  const double own_codec_ms = [&] {
    auto encoder = settled_encoder();
    auto decoder = make_decoder(spec);
    std::vector<std::int16_t> out(5760);
    std::fill(pcm.begin(), pcm.end(), std::int16_t{0});
    for (int f = 0; f < 50; ++f) {
      const int n = encoder->encode(pcm, buf);
      decoder->decode({buf.data(), static_cast<std::size_t>(n)}, out);
    }
    ToneGenerator gen(600.0, 8000, rate);
    for (int f = 0; f < 10; ++f) {
      gen.fill(pcm);
      const int n = encoder->encode(pcm, buf);
      const int got = decoder->decode({buf.data(), static_cast<std::size_t>(n)}, out);
      const int at = onset_index({out.data(), static_cast<std::size_t>(std::max(got, 0))});
      if (at >= 0) return 1000.0 * (f * static_cast<double>(frame) + at) / rate;
    }
    return 0.0;
  }();

  // Sessions, rooms, sockets.
  const int rooms = (opt.participants + opt.room_size - 1) / opt.room_size;
  std::vector<RoomId> room_ids;
  for (int r = 0; engine && r < rooms; ++r) room_ids.push_back(*engine->create_room("load"));
  std::vector<Participant> ps(static_cast<std::size_t>(opt.participants));
  std::vector<MediaSessionId> session_ids;
  // Send times: spread evenly across the 20 ms period, in an order unrelated to the rooms (phones are not in step
  // with each other: a room's members each have their own phase). send_order[k] sends k-th in each period.
  std::vector<int> send_order(static_cast<std::size_t>(opt.participants)), send_slot(send_order.size());
  for (int i = 0; i < opt.participants; ++i) send_order[static_cast<std::size_t>(i)] = i;
  {
    std::uint64_t x = 0x243f6a8885a308d3ull;  // fixed seed: every run the same phases
    for (std::size_t i = send_order.size(); i > 1; --i) {
      x ^= x << 13, x ^= x >> 7, x ^= x << 17;
      std::swap(send_order[i - 1], send_order[static_cast<std::size_t>(x % i)]);
    }
    for (std::size_t k = 0; k < send_order.size(); ++k) send_slot[static_cast<std::size_t>(send_order[k])] = static_cast<int>(k);
  }
  auto io = make_packet_io(PacketIoKind::kAuto);  // the generator's own; this thread only
  for (int i = 0; i < opt.participants; ++i) {
    Participant& p = ps[static_cast<std::size_t>(i)];
    // SIP-joined: the port (and the RTCP one after it) that SIPp offers for this call in its SDP
    const int port = opt.sip() ? opt.local_port_base + 2 * i : 0;
    auto s = UdpSocket::bind("127.0.0.1", static_cast<std::uint16_t>(port));
    auto rtcp = UdpSocket::bind("127.0.0.1", opt.sip() ? static_cast<std::uint16_t>(port + 1) : std::uint16_t{0});
    if (!s.ok() || !rtcp.ok()) {
      std::fprintf(stderr, "socket %d (port %d): %s\n", i, port, (s.ok() ? rtcp : s).error().message.c_str());
      return 1;
    }
    p.socket = std::move(*s);
    if (opt.sip()) p.rtcp = std::move(*rtcp);
    p.room = i / opt.room_size;
    p.role_index = i % opt.room_size;
    p.talker = p.role_index < opt.talkers;
    p.sender = p.role_index < opt.senders;
    p.probe = p.role_index == opt.room_size - 1 || p.role_index == opt.room_size - 2;
    p.freq = p.talker ? 600.0 + 400.0 * p.role_index : 0;
    p.offset_ns = static_cast<std::int64_t>(send_slot[static_cast<std::size_t>(i)]) * 20000000 / opt.participants;
    p.ssrc = 0x10000u + static_cast<std::uint32_t>(i);
    p.seq = static_cast<std::uint16_t>(i * 77);
    p.onset_sent.assign(static_cast<std::size_t>(opt.talkers), Clock::time_point{});
    p.onset_heard.assign(static_cast<std::size_t>(opt.talkers), true);
    if (p.probe || p.talker) p.decoder = make_decoder(spec);
    io->watch(p.socket.fd(), static_cast<std::uintptr_t>(i));
    if (!engine) continue;
    SessionParams sp;
    sp.remote_ip = "127.0.0.1";
    sp.remote_port = p.socket.local_port();
    sp.codec = spec;
    auto info = engine->create_session(sp);
    if (!info.ok()) {
      std::fprintf(stderr, "session %d: %s\n", i, info.error().message.c_str());
      return 1;
    }
    p.engine = *make_sockaddr("127.0.0.1", info->local_port);
    session_ids.push_back(info->id);
    if (!engine->attach(info->id, room_ids[static_cast<std::size_t>(p.room)], {}).ok()) return 1;
    if (i % 500 == 499) std::this_thread::sleep_for(std::chrono::milliseconds(30));  // let the queue drain
  }

  if (opt.sip()) {
    std::printf("media_load: %d participants bound from port %d\n", opt.participants, opt.local_port_base);
    std::fflush(stdout);
    if (!join_over_sip(opt, ps, *io, ts_step)) return 1;
  }
  const auto start = Clock::now() + std::chrono::milliseconds(200);
  const auto measure_from = start + std::chrono::seconds(opt.warmup);
  const auto end = measure_from + std::chrono::seconds(opt.seconds);
  std::int64_t cpu_start = -1, gen_cpu_start = 0;
  std::map<std::string, std::int64_t> cpu_start_by_thread;
  std::vector<double> delays_ms, packet_delays_ms;
  std::vector<std::int16_t> decoded(5760);
  std::vector<std::uint8_t> packet(1600);
  std::int64_t period = 0;
  std::size_t next_index = 0;
  std::int64_t sent = 0, send_errors = 0, max_send_late_us = 0;
  auto step = start;

  auto on_packet = [&](Participant& p, std::span<const std::uint8_t> data, Clock::time_point arrival) {
    RtpPacketView v;
    if (parse_rtp(data, v) != RtpParseError::kNone) return;
    const bool measuring = arrival >= measure_from && arrival < end;
    if (measuring) {
      std::int64_t seq = v.header.sequence;
      if (!p.have_seq) {
        p.have_seq = true;
        p.first_ext = p.max_ext = seq;
        p.last_ext16 = seq;
      } else {
        if (seq < p.last_ext16 && p.last_ext16 - seq > 30000) p.cycles += 65536;
        p.last_ext16 = seq;
        p.max_ext = std::max(p.max_ext, p.cycles + seq);
        if (p.last_arrival != Clock::time_point{} && !v.header.marker &&
            arrival - p.last_arrival > std::chrono::milliseconds(40))
          ++p.gaps;
      }
      // Inside a talk spurt (sound after sound, no marker) a gap over 40 ms is a tick that never came.
      const bool sound = !g711_silence(v.payload, opt.codec);
      if (sound) {
        ++p.sound_packets;
        if (p.last_was_sound && !v.header.marker && arrival - p.last_arrival > std::chrono::milliseconds(40))
          p.missed_sound_ticks +=
              (arrival - p.last_arrival + std::chrono::milliseconds(10)) / std::chrono::milliseconds(20) - 1;
      }
      p.last_was_sound = sound;
      ++p.received;
      p.last_arrival = arrival;
    }
    if (!p.decoder) return;
    const int got = p.decoder->decode(v.payload, decoded);
    if (got <= 0) return;
    const std::span<const std::int16_t> f(decoded.data(), static_cast<std::size_t>(got));
    const double total = total_power(f);
    if (total < 1e4) return;
    for (int t = 0; t < opt.talkers; ++t) {
      const double freq = 600.0 + 400.0 * t;
      if (goertzel_power(f, freq, rate) < 0.25 * total) continue;
      if (p.talker && t == p.role_index) {
        if (measuring) ++p.echo_frames;
        continue;
      }
      if (p.probe && !p.onset_heard[static_cast<std::size_t>(t)]) {
        p.onset_heard[static_cast<std::size_t>(t)] = true;
        if (measuring) {
          // Heard when the burst's first sample would be played: the packet's arrival plus its place in the frame.
          const double packet_ms =
              std::chrono::duration<double, std::milli>(arrival - p.onset_sent[static_cast<std::size_t>(t)]).count();
          const int at = std::max(0, onset_index(f));
          packet_delays_ms.push_back(packet_ms);
          delays_ms.push_back(packet_ms + 1000.0 * at / rate - own_codec_ms);
        }
      }
    }
  };

  struct Receiver final : DatagramHandler {
    std::function<void(std::uintptr_t, const Datagram&)> fn;
    void on_datagram(std::uintptr_t tag, const Datagram& d) override { fn(tag, d); }
  } receiver;
  for (;;) {
    const auto now = Clock::now();
    if (now >= end) break;
    if (cpu_start < 0 && now >= measure_from) {
      cpu_start_by_thread = bench::thread_cpu_ns(cpu_pid);
      cpu_start = bench::media_ns(cpu_start_by_thread);
      gen_cpu_start = generator_cpu_ns();
    }
    // Send everything that is due.
    for (;;) {
      Participant& p = ps[static_cast<std::size_t>(send_order[next_index])];
      const auto due = start + std::chrono::nanoseconds(period * 20000000 + p.offset_ns);
      if (due > now) break;
      if (now >= measure_from) max_send_late_us = std::max<std::int64_t>(
          max_send_late_us, std::chrono::duration_cast<std::chrono::microseconds>(now - due).count());
      if (p.sender) {
        const std::vector<std::uint8_t>* payload = &silence[static_cast<std::size_t>(period % 50)];
        if (p.talker) {
          const int phase = static_cast<int>((period + p.room * 7 + p.role_index * 25) % 50);
          if (phase < 10) payload = &bursts[static_cast<std::size_t>(p.role_index)][static_cast<std::size_t>(phase)];
          if (phase == 0) {
            const auto base = static_cast<std::size_t>(p.room * opt.room_size);
            for (int k = 0; k < opt.room_size && base + static_cast<std::size_t>(k) < ps.size(); ++k) {
              Participant& l = ps[base + static_cast<std::size_t>(k)];
              if (!l.probe) continue;
              l.onset_sent[static_cast<std::size_t>(p.role_index)] = Clock::now();
              l.onset_heard[static_cast<std::size_t>(p.role_index)] = false;
            }
          }
        }
        RtpHeader h;
        h.payload_type = static_cast<std::uint8_t>(spec.payload_type);
        h.sequence = p.seq++;
        h.timestamp = p.ts;
        h.ssrc = p.ssrc;
        const std::size_t len = build_rtp(h, *payload, packet);
        if (io->send(p.socket.fd(), {packet.data(), len}, p.engine)) ++sent; else ++send_errors;
      }
      p.ts += ts_step;
      if (++next_index == ps.size()) {
        next_index = 0;
        ++period;
      }
    }
    // Receive what is there, then sleep to the next 1 ms step (no spinning: a spinning real-time thread would be
    // throttled by the kernel and fall behind).
    io->flush();
    const auto steady_now = Clock::now();
    const std::int64_t realtime_now = std::chrono::duration_cast<std::chrono::nanoseconds>(
        std::chrono::system_clock::now().time_since_epoch()).count();
    receiver.fn = [&](std::uintptr_t tag, const Datagram& d) {
      const std::int64_t age = d.arrival_realtime_ns > 0 ? realtime_now - d.arrival_realtime_ns : 0;
      const auto arrival = age > 0 && age < 1000000000 ? steady_now - std::chrono::nanoseconds(age) : steady_now;
      on_packet(ps[tag], {d.data, d.len}, arrival);
    };
    io->receive(receiver);
    step += std::chrono::milliseconds(1);
    if (step < Clock::now()) step = Clock::now();
    std::this_thread::sleep_until(step);
  }
  const auto cpu_end_by_thread = bench::thread_cpu_ns(cpu_pid);
  const std::int64_t cpu_ns = bench::media_ns(cpu_end_by_thread) - cpu_start;
  const std::int64_t other_cpu_ns = bench::other_ns(cpu_end_by_thread) - bench::other_ns(cpu_start_by_thread);
  std::vector<double> buffer_ms;  // the engine's jitter buffers: wait of the audio they played lately
  for (const MediaSessionId id : session_ids)
    if (auto st = engine->stats(id); st && st->buffer_ms >= 0) buffer_ms.push_back(st->buffer_ms);
  std::sort(buffer_ms.begin(), buffer_ms.end());
  const std::int64_t gen_cpu_ns = generator_cpu_ns() - gen_cpu_start;

  // Report.
  std::int64_t expected = 0, received = 0, gaps = 0, echo = 0, silent_receivers = 0, sound = 0, missed_sound = 0;
  for (auto& p : ps) {
    if (!p.have_seq) {
      ++silent_receivers;
      continue;
    }
    expected += p.max_ext - p.first_ext + 1;
    received += p.received;
    gaps += p.gaps;
    echo += p.echo_frames;
    sound += p.sound_packets;
    missed_sound += p.missed_sound_ticks;
  }
  std::sort(delays_ms.begin(), delays_ms.end());
  std::sort(packet_delays_ms.begin(), packet_delays_ms.end());
  auto pct_of = [](const std::vector<double>& v, double q) {
    return v.empty() ? -1.0 : v[static_cast<std::size_t>(q * static_cast<double>(v.size() - 1))];
  };
  auto pct = [&](double q) { return pct_of(delays_ms, q); };
  const double loss = expected > 0 ? 100.0 * static_cast<double>(expected - received) / static_cast<double>(expected) : 100.0;
  const double scheduled = 50.0 * opt.seconds * static_cast<double>(opt.participants);
  // Engine-only: of the schedule (50 a second each). SIP-joined (the server suppresses silence): of the ticks of
  // sound (sound packets received plus the ticks missing between them).
  const double sound_ticks = static_cast<double>(sound + missed_sound);
  const double missing =
      opt.sip() ? (sound_ticks > 0 ? 100.0 * static_cast<double>(missed_sound) / sound_ticks : 0.0)
      : scheduled > 0 ? std::max(0.0, 100.0 * (scheduled - static_cast<double>(received)) / scheduled) : 0.0;
  const double part_s = static_cast<double>(opt.participants) * opt.seconds;
  const double other_us = static_cast<double>(other_cpu_ns) / 1e3 / part_s;
  const double cpu_s = static_cast<double>(cpu_ns) / 1e9;
  const double per_part_us = cpu_s * 1e6 / (static_cast<double>(opt.participants) * opt.seconds);
  if (opt.sip())
    std::printf("media_load codec=%s participants=%d (SIP-joined to pid %s: its own settings) rooms=%d room_size=%d "
                "talkers=%d senders=%d seconds=%d\n", to_string(opt.codec), opt.participants, opt.server_pid.c_str(),
                rooms, opt.room_size, opt.talkers, opt.senders, opt.seconds);
  else
    std::printf(
        "media_load codec=%s participants=%d rooms=%d room_size=%d talkers=%d senders=%d seconds=%d mix_rate=%d "
        "suppress_silence=%d\n",
        to_string(opt.codec), opt.participants, rooms, opt.room_size, opt.talkers, opt.senders, opt.seconds,
        opt.mix_rate, opt.suppress_silence ? 1 : 0);
  std::printf("  sent=%lld send_errors=%lld expected=%lld received=%lld loss=%.4f%% gaps_over_40ms=%lld "
              "receivers_without_audio=%lld\n",
              static_cast<long long>(sent), static_cast<long long>(send_errors), static_cast<long long>(expected),
              static_cast<long long>(received), loss, static_cast<long long>(gaps),
              static_cast<long long>(silent_receivers));
  if (opt.sip())
    std::printf("  missing_in_sound=%.3f%% (ticks missing inside talk spurts: %lld, of %lld sound packets received)\n",
                missing, static_cast<long long>(missed_sound), static_cast<long long>(sound));
  else
    std::printf("  missing_vs_schedule=%.3f%% (packets not received of 50/s per participant; includes ticks the engine "
                "could not keep%s)\n", missing, opt.suppress_silence ? " and suppressed silence" : "");
  std::printf("  delay added by the server (burst onset sent -> onset heard, less the load tool's own codec delay of "
              "%.1f ms) p50=%.1f p99=%.1f max=%.1f samples=%zu  echo_frames=%lld\n",
              own_codec_ms, pct(0.5), pct(0.99), delays_ms.empty() ? -1.0 : delays_ms.back(), delays_ms.size(),
              static_cast<long long>(echo));
  std::printf("  first packet with the burst, sent -> arrived: p50=%.1f p99=%.1f ms\n", pct_of(packet_delays_ms, 0.5),
              pct_of(packet_delays_ms, 0.99));
  if (engine)
    std::printf("  engine's jitter buffers (%zu senders): wait p10=%.1f p50=%.1f p90=%.1f max=%.1f ms\n", buffer_ms.size(),
              pct_of(buffer_ms, 0.1), pct_of(buffer_ms, 0.5), pct_of(buffer_ms, 0.9),
              buffer_ms.empty() ? -1.0 : buffer_ms.back());
  std::printf("  packet_io: engine asked %s (io_uring %s here), generator %s\n", to_string(opt.io),
              make_uring_io() ? "available" : "refused", to_string(io->kind()));
  std::printf("  generator: latest send %.1f ms behind schedule, %.1f%% of a core\n",
              static_cast<double>(max_send_late_us) / 1000.0, 100.0 * static_cast<double>(gen_cpu_ns) / 1e9 / opt.seconds);
  std::printf("  engine_cpu=%.3f s over %d s = %.1f%% of a core; per participant-second = %.2f us\n", cpu_s,
              opt.seconds, 100.0 * cpu_s / opt.seconds, per_part_us);
  if (opt.sip()) {
    std::printf("  server's other threads: %.1f%% of a core (%.2f us per participant-second); by thread:",
                100.0 * static_cast<double>(other_cpu_ns) / 1e9 / opt.seconds, other_us);
    for (const auto& [name, ns] : cpu_end_by_thread) {
      const auto it = cpu_start_by_thread.find(name);
      const std::int64_t d = ns - (it == cpu_start_by_thread.end() ? 0 : it->second);
      if (d > 0) std::printf(" %s=%.1f%%", name.c_str(), 100.0 * static_cast<double>(d) / 1e9 / opt.seconds);
    }
    std::printf("\n");
  }
  std::printf("RESULT codec=%s n=%d loss_pct=%.4f missing_pct=%.3f gaps=%lld p50_ms=%.1f p99_ms=%.1f pkt_p50_ms=%.1f "
              "echo=%lld core_pct=%.1f us_per_part_s=%.2f other_us=%.2f\n",
              to_string(opt.codec), opt.participants, loss, missing, static_cast<long long>(gaps), pct(0.5), pct(0.99),
              pct_of(packet_delays_ms, 0.5),
              static_cast<long long>(echo), 100.0 * cpu_s / opt.seconds, per_part_us, other_us);
  if (engine) engine->stop();
  return 0;
}
