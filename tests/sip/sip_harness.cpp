// sip_harness: a small server process for the SIP integration tests until `confpro serve` routes calls. It starts
// the SIP endpoint with options from the command line and a trivial CallHandler:
//   - calls to --accept numbers are answered (and, with the real media engine, attached to one room);
//   - calls to --hangup-number are answered and hung up by the server after --hangup-after-ms;
//   - calls to --ring-number (802) ring until cancelled;
//   - anything else is refused with 404.
// It prints one line per event on stdout ("incoming call=1 dialled=800 caller=…", "answered call=1", "dtmf call=1
// digit=5", "progress call=2 status=180", "ended call=1 cause=caller-bye", "dial-ok call=3", "dial-error …") and
// reads commands on stdin: "dial <number> <tag>", "hangup <call>", "stats", "quit". On quit/EOF/SIGTERM it stops
// the endpoint and prints "stopped max_live=<n> answered=<n> ended=<n>".
// Thread safety: handler callbacks run on the SIP thread and only print under out_mu / post to the timer thread.
#include <signal.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "common/log.h"
#include "sip/sip_endpoint.h"
#ifdef SIP_HARNESS_REAL_MEDIA
#include "media/media_engine.h"
#else
#include "sip/fake_media_engine.h"
#endif

using namespace confpro;

namespace {

std::mutex out_mu;
void emit(const std::string& line) {
  std::lock_guard lock(out_mu);
  std::cout << line << std::endl;
}

struct Args {
  sip::SipOptions sip;
  std::set<std::string> accept = {"800"};
  std::string hangup_number = "801";
  std::string ring_number = "802";  // rings for ever (CANCEL tests)
  int hangup_after_ms = 1000;
  std::string log_level = "warn";
  int media_workers = 1;
  std::uint16_t rtp_min = 20000, rtp_max = 29998;
};

bool parse_args(int argc, char** argv, Args& a) {
  for (int i = 1; i < argc; ++i) {
    std::string k = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) throw std::runtime_error("missing value for " + k);
      return argv[++i];
    };
    if (k == "--listen") a.sip.listen_address = next();
    else if (k == "--port") a.sip.port = static_cast<std::uint16_t>(std::stoi(next()));
    else if (k == "--public") a.sip.public_address = next();
    else if (k == "--accept") a.accept.insert(next());
    else if (k == "--hangup-number") a.hangup_number = next();
    else if (k == "--ring-number") a.ring_number = next();
    else if (k == "--hangup-after-ms") a.hangup_after_ms = std::stoi(next());
    else if (k == "--max-calls") a.sip.max_calls = std::stoi(next());
    else if (k == "--rate") a.sip.invite_rate_per_source = std::stod(next());
    else if (k == "--burst") a.sip.invite_burst_per_source = std::stod(next());
    else if (k == "--codecs") {
      a.sip.codecs.clear();
      std::stringstream ss(next());
      for (std::string c; std::getline(ss, c, ',');) a.sip.codecs.push_back(c);
    } else if (k == "--srtp") {
      std::string v = next();
      a.sip.srtp = v == "off" ? sip::SrtpPolicy::kOff : v == "required" ? sip::SrtpPolicy::kRequired
                                                                         : sip::SrtpPolicy::kOptional;
    } else if (k == "--trunk") a.sip.trunk.proxy_uri = next();
    else if (k == "--trunk-user") a.sip.trunk.username = next();
    else if (k == "--trunk-password") a.sip.trunk.password = next();
    else if (k == "--caller-id") a.sip.trunk.caller_id = next();
    else if (k == "--dial-plan") a.sip.dial_plan.push_back(next());
    else if (k == "--ring-timeout") a.sip.ring_timeout = std::chrono::seconds(std::stoi(next()));
    else if (k == "--session-timer") a.sip.session_timer_s = std::stoi(next());
    else if (k == "--tls-cert") a.sip.tls_cert_file = next();
    else if (k == "--tls-key") a.sip.tls_key_file = next();
    else if (k == "--tls-port") a.sip.tls_port = static_cast<std::uint16_t>(std::stoi(next()));
    else if (k == "--log") a.log_level = next();
    else if (k == "--rtp-min") a.rtp_min = static_cast<std::uint16_t>(std::stoi(next()));
    else if (k == "--rtp-max") a.rtp_max = static_cast<std::uint16_t>(std::stoi(next()));
    else {
      std::cerr << "unknown option " << k << "\n";
      return false;
    }
  }
  return true;
}

// Runs closures after a delay on its own thread (server hang-up).
class Delayed {
 public:
  ~Delayed() { stop(); }
  void after(std::chrono::milliseconds d, std::function<void()> fn) {
    std::lock_guard lock(mu_);
    tasks_.emplace(std::chrono::steady_clock::now() + d, std::move(fn));
    cv_.notify_all();
  }
  void stop() {
    {
      std::lock_guard lock(mu_);
      done_ = true;
      cv_.notify_all();
    }
    if (thread_.joinable()) thread_.join();
  }

 private:
  void run() {
    std::unique_lock lock(mu_);
    while (!done_) {
      if (tasks_.empty()) {
        cv_.wait(lock);
        continue;
      }
      auto it = tasks_.begin();
      if (cv_.wait_until(lock, it->first) == std::cv_status::timeout) {
        auto fn = std::move(it->second);
        tasks_.erase(it);
        lock.unlock();
        fn();
        lock.lock();
      }
    }
  }
  std::mutex mu_;
  std::condition_variable cv_;
  std::multimap<std::chrono::steady_clock::time_point, std::function<void()>> tasks_;
  bool done_ = false;
  std::thread thread_{[this] { run(); }};
};

class Handler final : public sip::CallHandler {
 public:
  Handler(const Args& args, media::MediaEngine& media, Delayed& delayed)
      : args_(args), media_(media), delayed_(delayed) {}
  void set_endpoint(sip::SipEndpoint* ep) { endpoint_ = ep; }
  void set_room(RoomId room) { room_ = room; }

  void on_incoming(const sip::IncomingCall& c) override {
    const int live = endpoint_->live_calls();
    int prev = max_live_.load();
    while (live > prev && !max_live_.compare_exchange_weak(prev, live)) {}
    emit("incoming call=" + std::to_string(c.call.value()) + " dialled=" + c.dialled + " caller=" +
         c.caller_number + " name=" + c.display_name + " transport=" + c.transport + " codec=" +
         media::to_string(c.codec.kind) + " pt=" + std::to_string(c.codec.payload_type) +
         " te=" + std::to_string(c.codec.telephone_event_pt) + (c.srtp ? " srtp=1" : " srtp=0"));
    if (args_.accept.count(c.dialled)) {
      endpoint_->accept(c.call);
    } else if (c.dialled == args_.hangup_number) {
      endpoint_->accept(c.call);
      const CallId id = c.call;
      delayed_.after(std::chrono::milliseconds(args_.hangup_after_ms),
                     [this, id] { endpoint_->hangup(id, "server-bye"); });
    } else if (c.dialled == args_.ring_number) {
      // left ringing: the caller cancels
    } else {
      endpoint_->reject(c.call, 404, "Not Found");
    }
  }
  void on_answered(CallId call, MediaSessionId session) override {
    ++answered_;
    if (room_.valid()) (void)media_.attach(session, room_, {});
    emit("answered call=" + std::to_string(call.value()) + " media=" + std::to_string(session.value()));
  }
  void on_dtmf(CallId call, char digit) override {
    emit("dtmf call=" + std::to_string(call.value()) + " digit=" + std::string(1, digit));
  }
  void on_progress(CallId call, int status, const std::string& reason) override {
    emit("progress call=" + std::to_string(call.value()) + " status=" + std::to_string(status) + " reason=" + reason);
  }
  void on_ended(CallId call, const std::string& cause) override {
    ++ended_;
    emit("ended call=" + std::to_string(call.value()) + " cause=" + cause);
  }
  std::string summary() const {
    return "max_live=" + std::to_string(max_live_.load()) + " answered=" + std::to_string(answered_.load()) +
           " ended=" + std::to_string(ended_.load());
  }

 private:
  const Args& args_;
  media::MediaEngine& media_;
  Delayed& delayed_;
  sip::SipEndpoint* endpoint_ = nullptr;
  RoomId room_;
  std::atomic<int> max_live_{0}, answered_{0}, ended_{0};
};

std::atomic<bool> g_quit{false};

}  // namespace

int main(int argc, char** argv) {
  Args args;
  args.sip.listen_address = "127.0.0.1";
  args.sip.port = 5060;
  try {
    if (!parse_args(argc, argv, args)) return 2;
  } catch (const std::exception& e) {
    std::cerr << e.what() << "\n";
    return 2;
  }
  // Signals: blocked in every thread (sofia's included); a waiter thread turns SIGTERM/SIGINT into quit.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);

  log::Options lo;
  lo.level = args.log_level;
  (void)log::init(lo);

#ifdef SIP_HARNESS_REAL_MEDIA
  media::EngineOptions mo;
  mo.workers = args.media_workers;
  mo.rtp_port_min = args.rtp_min;
  mo.rtp_port_max = args.rtp_max;
  auto engine = media::make_media_engine(mo, [](media::Event) {});
  if (!engine.ok()) {
    std::cerr << "media engine: " << engine.error().message << "\n";
    return 1;
  }
  media::MediaEngine& media = **engine;
#else
  sip::FakeMediaEngine fake;
  media::MediaEngine& media = fake;
#endif
  Delayed delayed;
  Handler handler(args, media, delayed);
#ifdef SIP_HARNESS_REAL_MEDIA
  if (auto room = media.create_room("harness"); room.ok()) handler.set_room(*room);
#endif
  auto endpoint = sip::start_sip_endpoint(args.sip, media, handler);
  if (!endpoint.ok()) {
    std::cerr << "sip: " << endpoint.error().message << "\n";
    return 1;
  }
  handler.set_endpoint(endpoint->get());
#ifdef SIP_HARNESS_REAL_MEDIA
  emit("ready media=real");
#else
  emit("ready media=fake");
#endif

  std::thread signals([&] {
    int sig = 0;
    sigwait(&set, &sig);
    g_quit = true;
    ::close(0);  // unblock the stdin reader
  });
  signals.detach();

  std::string line;
  while (!g_quit && std::getline(std::cin, line)) {
    std::istringstream in(line);
    std::string cmd;
    in >> cmd;
    if (cmd == "quit") break;
    if (cmd == "dial") {
      sip::DialRequest r;
      in >> r.number >> r.conference_tag;
      auto id = (*endpoint)->dial(r);
      if (id.ok()) {
        emit("dial-ok call=" + std::to_string(id->value()));
      } else {
        emit(std::string("dial-error code=") + to_string(id.error().code) + " message=" + id.error().message);
      }
    } else if (cmd == "hangup") {
      std::uint64_t id = 0;
      in >> id;
      (*endpoint)->hangup(CallId{id}, "server-bye");
    } else if (cmd == "stats") {
      emit("stats live=" + std::to_string((*endpoint)->live_calls()) + " " + handler.summary());
    }
  }
  delayed.stop();
  (*endpoint)->stop();
  media.stop();
  emit("stopped " + handler.summary());
  return 0;
}
