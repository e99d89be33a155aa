#include "softphone.h"

#include <sofia-sip/nua.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/su.h>
#include <sofia-sip/su_tag_io.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <sstream>

#include "media/resampler.h"
#include "media/tone.h"
#include "tests/media/phone.h"

namespace confpro::conftest {

namespace {

constexpr auto kFrame = 20ms;
constexpr int kDigitMs = 100;
constexpr auto kDigitSpacing = 240ms;  // 100 ms of events + 3 end packets + a gap

std::once_flag g_su_init;

// Our SDP (offer or answer): the phone's one codec, and telephone-event/101 when asked for.
std::string offer_sdp(const std::string& address, std::uint16_t rtp_port, const media::CodecSpec& codec,
                      bool telephone_event) {
  std::ostringstream o;
  o << "v=0\r\n"
    << "o=- 1 1 IN IP4 " << address << "\r\n"
    << "s=confpro test softphone\r\n"
    << "c=IN IP4 " << address << "\r\n"
    << "t=0 0\r\n"
    << "m=audio " << rtp_port << " RTP/AVP " << codec.payload_type << (telephone_event ? " 101" : "") << "\r\n";
  switch (codec.kind) {
    case media::CodecKind::kPcmu: o << "a=rtpmap:0 PCMU/8000\r\n"; break;
    case media::CodecKind::kPcma: o << "a=rtpmap:8 PCMA/8000\r\n"; break;
    case media::CodecKind::kG722: o << "a=rtpmap:9 G722/8000\r\n"; break;
    case media::CodecKind::kOpus:
      o << "a=rtpmap:" << codec.payload_type << " opus/48000/2\r\na=fmtp:" << codec.payload_type
        << " useinbandfec=1\r\n";
      break;
  }
  if (telephone_event) o << "a=rtpmap:101 telephone-event/" << codec.clock_rate << "\r\na=fmtp:101 0-15\r\n";
  o << "a=ptime:20\r\n"
    << "a=sendrecv\r\n";
  return o.str();
}

// The server's RTP address from its answer (c= and m=audio).
bool parse_answer(const std::string& sdp, std::string& address, std::uint16_t& port) {
  std::istringstream in(sdp);
  std::string line;
  bool have_port = false;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.rfind("c=IN IP4 ", 0) == 0) address = line.substr(9);
    if (line.rfind("m=audio ", 0) == 0) {
      port = static_cast<std::uint16_t>(std::stoi(line.substr(8)));
      have_port = port != 0;
    }
  }
  return have_port && !address.empty();
}

}  // namespace

struct Softphone::Impl {
  Impl(std::string n, SoftphoneOptions o)
      : name(std::move(n)),
        options(std::move(o)),
        caller(options.caller),
        phone(options.codec, options.tone_hz, std::nullopt, options.address) {
    if (phone.rate() != kRate) {
      auto r = media::Resampler::create({phone.rate(), kRate, 5});
      if (r) down = std::move(*r);
    }
  }

  std::string name;
  SoftphoneOptions options;
  std::string caller;
  std::unique_ptr<media::Resampler> down;  // the codec's rate → 8 kHz, for what the phone heard
  std::vector<std::int16_t> down_buf;
  std::size_t chunks_consumed = 0;         // of phone.chunks()
  std::optional<std::uint32_t> base_ts;    // RTP timestamp of heard[base_pos]
  std::size_t base_pos = 0;

  mutable std::mutex mu;
  std::condition_variable cv;
  // GUARDED_BY(mu):
  bool stop = false;
  bool started = false;
  std::deque<std::function<void()>> commands;
  media::test::Phone phone;
  bool connected = false;
  int status = 0;
  bool ended = false;
  bool bye_received = false;
  bool dialled = false;
  std::optional<SteadyClock::time_point> answered_at;
  std::deque<char> digits;
  SteadyClock::time_point next_digit_at{};
  std::optional<SteadyClock::time_point> last_digit_at;
  // When each 20 ms block of `heard` was last written (a late packet rewrites silence filled in before it).
  std::vector<SteadyClock::time_point> written_at;
  SteadyClock::time_point last_packet_at{};
  // What the caller hears: the decoded packets, and silence where the server sent nothing (it suppresses
  // silence, keeping one packet per second).
  std::vector<std::int16_t> heard;
  std::size_t consumed = 0;  // of phone.heard()
  std::string remote_address;
  std::string incoming_to;

  // Pump thread only:
  su_root_t* root = nullptr;
  nua_t* nua = nullptr;
  nua_handle_t* nh = nullptr;
  bool shutdown_done = false;
  std::thread thread;

  void log(const std::string& what) { std::fprintf(stderr, "[softphone %s] %s\n", name.c_str(), what.c_str()); }

  static void callback(nua_event_t event, int status, char const* phrase, nua_t*, nua_magic_t* magic,
                       nua_handle_t* nh, nua_hmagic_t*, sip_t const* sip, tagi_t tags[]) {
    auto* self = static_cast<Impl*>(magic);
    try {
      self->on_event(event, status, phrase, nh, sip, tags);
    } catch (const std::exception& e) {
      self->log(std::string("exception in SIP callback: ") + e.what());
    }
  }

  void on_event(nua_event_t event, int st, char const* phrase, nua_handle_t* h, sip_t const* sip, tagi_t tags[]) {
    switch (event) {
      case nua_r_invite: {
        if (st < 200) return;
        std::lock_guard lock(mu);
        if (status == 0) status = st;
        if (st >= 300) {
          log("INVITE refused: " + std::to_string(st) + " " + (phrase ? phrase : ""));
          ended = true;
        } else if (sip && sip->sip_payload) {
          std::string sdp(sip->sip_payload->pl_data, sip->sip_payload->pl_len);
          std::string address;
          std::uint16_t port = 0;
          if (parse_answer(sdp, address, port)) {
            remote_address = address + ":" + std::to_string(port);
            phone.connect(port);
            connected = true;
            answered_at = SteadyClock::now();
          } else {
            log("unusable SDP answer: " + sdp);
          }
        }
        cv.notify_all();
        return;
      }
      case nua_i_invite: {
        if (nh && h == nh) {  // re-INVITE: same media
          const std::string again = offer_sdp(options.address, phone.port(), phone.spec(), false);
          nua_respond(h, 200, "OK", SIPTAG_CONTENT_TYPE_STR("application/sdp"), SIPTAG_PAYLOAD_STR(again.c_str()),
                      TAG_END());
          return;
        }
        if (options.sip_port == 0 || nh) {
          nua_respond(h, 486, "Busy Here", TAG_END());
          nua_handle_destroy(h);
          return;
        }
        std::string sdp = sip && sip->sip_payload ? std::string(sip->sip_payload->pl_data, sip->sip_payload->pl_len)
                                                  : std::string();
        std::string address;
        std::uint16_t port = 0;
        if (!parse_answer(sdp, address, port)) {
          log("unusable SDP offer: " + sdp);
          nua_respond(h, 488, "Not Acceptable Here", TAG_END());
          nua_handle_destroy(h);
          return;
        }
        nh = h;
        // Like a real phone: it keys digits as RFC 4733 events when offered them (SoftphoneOptions::dtmf).
        const std::string answer = offer_sdp(options.address, phone.port(), phone.spec(), options.telephone_event);
        nua_respond(h, 200, "OK", SIPTAG_CONTENT_TYPE_STR("application/sdp"), SIPTAG_PAYLOAD_STR(answer.c_str()),
                    TAG_END());
        std::lock_guard lock(mu);
        if (sip && sip->sip_request && sip->sip_request->rq_url->url_user)
          incoming_to = sip->sip_request->rq_url->url_user;
        remote_address = address + ":" + std::to_string(port);
        phone.connect(port);
        connected = true;
        status = 200;
        answered_at = SteadyClock::now();
        cv.notify_all();
        return;
      }
      case nua_i_bye: {
        std::lock_guard lock(mu);
        bye_received = true;
        cv.notify_all();
        return;
      }
      case nua_i_state: {
        int state = -1;
        tl_gets(tags, NUTAG_CALLSTATE_REF(state), TAG_END());
        if (state == nua_callstate_terminated) {
          std::lock_guard lock(mu);
          ended = true;
          connected = false;
          if (h == nh) {
            nua_handle_destroy(nh);
            nh = nullptr;
          }
          cv.notify_all();
        }
        return;
      }
      case nua_r_shutdown:
        if (st >= 200) shutdown_done = true;
        return;
      default:
        // Out-of-dialog requests the stack handed to us (OPTIONS, …): not ours to keep.
        if (h && h != nh && (event == nua_i_options || event == nua_i_info || event == nua_i_message)) {
          nua_handle_destroy(h);
        }
        return;
    }
  }

  void run() {
    std::call_once(g_su_init, [] { su_init(); });
    root = su_root_create(nullptr);
    su_root_threading(root, 0);
    const std::string url = "sip:" + options.address + ":" + std::to_string(options.sip_port) + ";transport=udp";
    nua = nua_create(root, &Impl::callback, this, NUTAG_URL(url.c_str()), NUTAG_MEDIA_ENABLE(0),
                     NUTAG_AUTOACK(1), NUTAG_ENABLEMESSAGE(0), NUTAG_ENABLEMESSENGER(0),
                     NUTAG_SESSION_TIMER(0), SIPTAG_USER_AGENT_STR("confpro-test-softphone"), TAG_END());
    {
      std::lock_guard lock(mu);
      started = true;
      cv.notify_all();
    }
    if (!nua) {
      log("nua_create failed");
      su_root_destroy(root);
      return;
    }
    auto next_tick = SteadyClock::now();
    for (;;) {
      auto now = SteadyClock::now();
      auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(next_tick - now).count();
      su_root_step(root, static_cast<su_duration_t>(std::clamp<long long>(wait, 0, 20)));
      std::deque<std::function<void()>> todo;
      {
        std::lock_guard lock(mu);
        if (stop) break;
        todo.swap(commands);
      }
      for (auto& fn : todo) fn();
      now = SteadyClock::now();
      if (now < next_tick) continue;
      next_tick += kFrame;
      if (now - next_tick > 200ms) next_tick = now + kFrame;  // fell far behind (loaded machine): resync
      tick(now);
    }
    finish();
  }

  // Converts decoded audio (the codec's rate) to 8 kHz.
  std::span<const std::int16_t> to_8k(std::span<const std::int16_t> fresh) {
    if (!down) return fresh;
    down_buf.resize(down->output_size(fresh.size()));
    const int n = down->process(fresh, down_buf);
    return std::span<const std::int16_t>(down_buf.data(), n > 0 ? static_cast<std::size_t>(n) : 0);
  }

  // Puts one packet's audio (8 kHz) where its RTP timestamp says, not merely after what came before: a packet
  // that arrives late (the machine is loaded) overwrites the silence filled in meanwhile instead of shifting
  // the rest, and a gap in the timestamps (the server's silence suppression, loss) becomes silence.
  void place(std::span<const std::int16_t> pcm, std::uint32_t timestamp) {
    const std::int64_t clock = phone.spec().clock_rate;
    if (!base_ts) {
      base_ts = timestamp;
      base_pos = heard.size();
    }
    std::int64_t pos = static_cast<std::int64_t>(base_pos) +
                       static_cast<std::int64_t>(static_cast<std::int32_t>(timestamp - *base_ts)) * kRate / clock;
    const auto size = static_cast<std::int64_t>(heard.size());
    if (pos < size - 10 * kRate || pos > size + 10 * kRate || pos < 0) {  // a new stream: start over from here
      base_ts = timestamp;
      base_pos = heard.size();
      pos = size;
    }
    auto at = static_cast<std::size_t>(pos);
    const std::size_t from = std::min(at, heard.size());
    if (at > heard.size()) heard.resize(at, 0);
    for (auto sample : pcm) {
      if (at < heard.size()) heard[at] = sample;
      else heard.push_back(sample);
      ++at;
    }
    mark_written(from, SteadyClock::now());
  }

  // Blocks from heard index `from` to the end were written at `when`.
  void mark_written(std::size_t from, SteadyClock::time_point when) {
    constexpr std::size_t kBlock = kRate / 50;
    written_at.resize((heard.size() + kBlock - 1) / kBlock, when);
    for (std::size_t b = from / kBlock; b < written_at.size(); ++b) written_at[b] = when;
  }

  std::optional<SteadyClock::time_point> written(std::size_t index) const {
    const std::size_t b = index / (kRate / 50);
    if (b >= written_at.size()) return std::nullopt;
    return written_at[b];
  }

  void tick(SteadyClock::time_point now) {
    char info_digit = 0;
    {
      std::lock_guard lock(mu);
      if (!connected || ended) return;
      if (!digits.empty() && now >= next_digit_at) {
        char d = digits.front();
        digits.pop_front();
        switch (options.dtmf) {
          case DtmfMode::kRfc4733: phone.press(d, kDigitMs); break;
          case DtmfMode::kSipInfo: info_digit = d; break;
          case DtmfMode::kInband: phone.play(media::make_dtmf(d, phone.rate(), kDigitMs, 0)); break;
        }
        next_digit_at = now + kDigitSpacing;
        if (digits.empty()) last_digit_at = now;
      }
      receive_frame(now);
    }
    if (info_digit && nh) {
      const std::string body = std::string("Signal=") + info_digit + "\r\nDuration=" + std::to_string(kDigitMs) + "\r\n";
      nua_info(nh, SIPTAG_CONTENT_TYPE_STR("application/dtmf-relay"), SIPTAG_PAYLOAD_STR(body.c_str()), TAG_END());
    }
  }

  void receive_frame(SteadyClock::time_point now) {
    if (!answered_at || now - *answered_at >= options.rtp_start_delay) phone.send_frame();
    phone.receive();
    const auto& got = phone.heard();
    if (got.size() > consumed) {
      const auto& chunks = phone.chunks();
      for (; chunks_consumed < chunks.size(); ++chunks_consumed) {
        const auto& c = chunks[chunks_consumed];
        place(to_8k(std::span<const std::int16_t>(got.data() + consumed, c.samples)), c.timestamp);
        consumed += c.samples;
      }
      last_packet_at = SteadyClock::now();
      cv.notify_all();
    } else if (answered_at && now - std::max(last_packet_at, *answered_at) > 60ms) {
      const std::size_t from = heard.size();
      heard.insert(heard.end(), kRate / 50, 0);  // nothing for a while: 20 ms of silence
      mark_written(from, now);
      cv.notify_all();
    }
    if (digits.empty()) cv.notify_all();
  }

  // Hang up what is still up, shut nua down (bounded), free everything on this thread.
  void finish() {
    if (nh) {
      bool up;
      {
        std::lock_guard lock(mu);
        up = !ended;
      }
      if (up) nua_bye(nh, TAG_END());
    }
    nua_shutdown(nua);
    const auto deadline = SteadyClock::now() + 4s;
    while (!shutdown_done && SteadyClock::now() < deadline) su_root_step(root, 50);
    if (!shutdown_done) {
      // The far end is gone (killed server): nua cannot finish; leave it to the process exit.
      log("nua shutdown did not complete; leaking the stack");
      return;
    }
    nua_destroy(nua);
    nua = nullptr;
    su_root_destroy(root);
    root = nullptr;
  }

  void post(std::function<void()> fn) {
    std::lock_guard lock(mu);
    commands.push_back(std::move(fn));
  }
};

Softphone::Softphone(std::string name, double tone_hz, std::string caller)
    : Softphone(std::move(name), SoftphoneOptions{tone_hz, std::move(caller)}) {}

Softphone::Softphone(std::string name, SoftphoneOptions options)
    : name_(name), impl_(std::make_unique<Impl>(std::move(name), std::move(options))) {
  Impl* impl = impl_.get();
  impl->thread = std::thread([impl] { impl->run(); });
  std::unique_lock lock(impl->mu);
  impl->cv.wait(lock, [impl] { return impl->started; });
}

Softphone::~Softphone() {
  {
    std::lock_guard lock(impl_->mu);
    impl_->stop = true;
  }
  if (impl_->thread.joinable()) impl_->thread.join();
  // For diagnosis: CONFPRO_DUMP_AUDIO=DIR keeps what each phone heard as DIR/<name>.s16 (8 kHz mono).
  if (const char* dir = std::getenv("CONFPRO_DUMP_AUDIO")) {
    const std::string path = std::string(dir) + "/" + name_ + ".s16";
    if (std::FILE* f = std::fopen(path.c_str(), "wb")) {
      const auto& h = impl_->heard;
      std::fwrite(h.data(), sizeof(std::int16_t), h.size(), f);
      std::fclose(f);
    }
  }
}

void Softphone::dial(const std::string& number, std::uint16_t server_port) {
  Impl* impl = impl_.get();
  const std::uint16_t rtp = impl->phone.port();
  {
    std::lock_guard lock(impl->mu);
    impl->dialled = true;
  }
  const std::string caller = impl->caller.empty() ? std::string("anonymous") : impl->caller;
  impl->post([impl, number, server_port, rtp, caller] {
    const std::string uri = "sip:" + number + "@127.0.0.1:" + std::to_string(server_port);
    const std::string from = "\"" + impl->name + "\" <sip:" + caller + "@" + impl->options.address + ">";
    const std::string to = "<" + uri + ">";
    const std::string sdp = offer_sdp(impl->options.address, rtp, impl->phone.spec(), impl->options.telephone_event);
    impl->nh = nua_handle(impl->nua, nullptr, SIPTAG_TO_STR(to.c_str()), SIPTAG_FROM_STR(from.c_str()), TAG_END());
    nua_invite(impl->nh, NUTAG_URL(uri.c_str()), SIPTAG_CONTENT_TYPE_STR("application/sdp"),
               SIPTAG_PAYLOAD_STR(sdp.c_str()), TAG_END());
  });
}

bool Softphone::wait_answered(std::chrono::milliseconds timeout) {
  std::unique_lock lock(impl_->mu);
  impl_->cv.wait_for(lock, timeout, [this] { return impl_->status >= 200 || impl_->ended; });
  return impl_->status == 200 && impl_->connected;
}

int Softphone::final_status() const {
  std::lock_guard lock(impl_->mu);
  return impl_->status;
}

std::string Softphone::incoming_to() const {
  std::lock_guard lock(impl_->mu);
  return impl_->incoming_to;
}

void Softphone::press(const std::string& digits) {
  std::lock_guard lock(impl_->mu);
  for (char d : digits) impl_->digits.push_back(d);
  impl_->last_digit_at.reset();
}

void Softphone::say(const std::vector<std::int16_t>& pcm) {
  std::lock_guard lock(impl_->mu);
  auto& phone = impl_->phone;
  if (phone.rate() == kRate) return phone.play(pcm);
  auto up = media::resample_clip(pcm, kRate, phone.rate());
  if (up) phone.play(std::move(*up));
}

bool Softphone::wait_digits_sent(std::chrono::milliseconds timeout) {
  std::unique_lock lock(impl_->mu);
  return impl_->cv.wait_for(lock, timeout, [this] { return impl_->digits.empty() || impl_->ended; }) &&
         impl_->digits.empty();
}

bool Softphone::hang_up(std::chrono::milliseconds timeout) {
  Impl* impl = impl_.get();
  impl->post([impl] {
    bool up;
    {
      std::lock_guard lock(impl->mu);
      up = !impl->ended;
    }
    if (impl->nh && up) nua_bye(impl->nh, TAG_END());
  });
  return wait_ended(timeout);
}

bool Softphone::wait_ended(std::chrono::milliseconds timeout) {
  std::unique_lock lock(impl_->mu);
  return impl_->cv.wait_for(lock, timeout, [this] { return impl_->ended; });
}

bool Softphone::ended() const {
  std::lock_guard lock(impl_->mu);
  return impl_->ended;
}

bool Softphone::bye_received() const {
  std::lock_guard lock(impl_->mu);
  return impl_->bye_received;
}

std::size_t Softphone::mark() const {
  std::lock_guard lock(impl_->mu);
  return impl_->heard.size();
}

std::vector<std::int16_t> Softphone::heard_since(std::size_t mark) const {
  std::lock_guard lock(impl_->mu);
  const auto& h = impl_->heard;
  if (mark >= h.size()) return {};
  return std::vector<std::int16_t>(h.begin() + static_cast<std::ptrdiff_t>(mark), h.end());
}

std::vector<std::int16_t> Softphone::heard_last(std::chrono::milliseconds span) const {
  std::lock_guard lock(impl_->mu);
  const auto& h = impl_->heard;
  const auto n = std::min(h.size(), static_cast<std::size_t>(span.count()) * kRate / 1000);
  return std::vector<std::int16_t>(h.end() - static_cast<std::ptrdiff_t>(n), h.end());
}

std::vector<std::int16_t> Softphone::heard_all() const {
  std::lock_guard lock(impl_->mu);
  return impl_->heard;
}

std::vector<std::int16_t> Softphone::listen(std::chrono::milliseconds span) {
  const std::size_t from = mark();
  std::this_thread::sleep_for(span);
  return heard_since(from);
}

std::optional<SteadyClock::time_point> Softphone::arrival_of(std::size_t index) const {
  std::lock_guard lock(impl_->mu);
  return impl_->written(index);
}

std::optional<Softphone::Heard> Softphone::wait_heard(std::size_t mark,
                                                     const std::function<bool(std::span<const std::int16_t>)>& pred,
                                                     std::chrono::milliseconds timeout,
                                                     std::chrono::milliseconds window) {
  const auto win = static_cast<std::size_t>(window.count()) * kRate / 1000;
  constexpr std::size_t kStep = kRate / 50;
  const auto deadline = SteadyClock::now() + timeout;
  std::size_t pos = mark;
  std::unique_lock lock(impl_->mu);
  for (;;) {
    const auto& h = impl_->heard;
    while (pos + win <= h.size()) {
      std::span<const std::int16_t> w(h.data() + pos, win);
      if (pred(w)) {
        Heard r{pos + win, SteadyClock::now()};
        if (auto when = impl_->written(r.end - 1)) r.at = *when;
        return r;
      }
      pos += kStep;
    }
    if (impl_->ended || SteadyClock::now() >= deadline) return std::nullopt;
    impl_->cv.wait_until(lock, deadline);
  }
}

bool Softphone::wait_quiet(std::size_t from, std::chrono::milliseconds quiet, std::chrono::milliseconds timeout) {
  const auto deadline = SteadyClock::now() + timeout;
  const auto q = static_cast<std::size_t>(quiet.count()) * kRate / 1000;
  std::unique_lock lock(impl_->mu);
  for (;;) {
    const auto now = SteadyClock::now();
    const auto& h = impl_->heard;
    if (!impl_->answered_at) return false;
    if (now - std::max(impl_->last_packet_at, *impl_->answered_at) >= quiet) return true;
    if (h.size() >= from + q && is_silent(std::span<const std::int16_t>(h.data() + h.size() - q, q))) return true;
    if (impl_->ended || now >= deadline) return false;
    impl_->cv.wait_for(lock, 20ms);
  }
}

std::optional<SteadyClock::time_point> Softphone::answered_at() const {
  std::lock_guard lock(impl_->mu);
  return impl_->answered_at;
}

std::optional<SteadyClock::time_point> Softphone::last_digit_at() const {
  std::lock_guard lock(impl_->mu);
  return impl_->last_digit_at;
}

std::string Softphone::server_rtp() const {
  std::lock_guard lock(impl_->mu);
  return impl_->remote_address;
}

std::uint64_t Softphone::packets_received() const {
  std::lock_guard lock(impl_->mu);
  return impl_->phone.packets_received();
}

// --- audio checks

double power_at(std::span<const std::int16_t> pcm, double hz) {
  return media::goertzel_power(pcm, hz, Softphone::kRate);
}

double rms(std::span<const std::int16_t> pcm) { return std::sqrt(media::total_power(pcm)); }

bool hears_tone(std::span<const std::int16_t> pcm, double hz, double min_fraction) {
  if (pcm.empty()) return false;
  const double p = power_at(pcm, hz), total = media::total_power(pcm);
  return p > 1e5 && total > 0 && p / total >= min_fraction;
}

bool tone_absent(std::span<const std::int16_t> pcm, double hz) {
  const double p = power_at(pcm, hz), total = media::total_power(pcm);
  return p < 2e4 || (total > 0 && p / total < 0.01);
}

bool is_silent(std::span<const std::int16_t> pcm) { return rms(pcm) < 30; }

}  // namespace confpro::conftest
