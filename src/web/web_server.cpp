// The RESTinio adapter: the only translation unit that includes RESTinio (each costs ~30 s to compile). It turns
// requests into HttpRequest values for Api / StaticFiles, answers with their HttpResponse, and keeps the SSE
// streams open for the EventHub. RESTinio throws; exceptions are caught here and nowhere else.
#include "web/web_server.h"

#include <restinio/all.hpp>
#include <restinio/tls.hpp>

#include <algorithm>
#include <atomic>
#include <climits>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include "common/log.h"
#include "common/timezone.h"
#include "common/worker_pool.h"
#include "web/api.h"
#include "web/connection_limits.h"
#include "web/static_files.h"
#include "common/thread_annotations.h"

namespace confpro::web {

// Our HTTP methods mapper (RESTinio's own, by another name): RESTinio builds its HTTP parser callbacks for the
// traits' mapper type, so the specialization below replaces them for our servers only.
struct KeepsOversizedBodiesOut : restinio::default_http_methods_t {};

}  // namespace confpro::web

namespace restinio::impl {

// RESTinio's parser callbacks, except for the body limit (incoming_http_msg_limits max_body_size): RESTinio
// closes the connection without an answer past it. Here the body is cut at the limit and the rest read and
// thrown away, so that the request completes, its handler sees a body longer than max_body_bytes and answers
// 413 — whatever the declared or actual size, and with at most limit bytes held per request.
template <>
inline http_parser_settings create_parser_settings<confpro::web::KeepsOversizedBodiesOut>() noexcept {
  http_parser_settings s = create_parser_settings<default_http_methods_t>();
  s.on_headers_complete = [](http_parser* parser) -> int {
    auto* ctx = reinterpret_cast<http_parser_ctx_t*>(parser->data);
    ctx->m_leading_headers_completed = true;
    if (parser->content_length != ULLONG_MAX && parser->content_length > 0) {
      try {
        ctx->m_body.reserve(static_cast<std::size_t>(
            std::min<std::uint64_t>(parser->content_length, ctx->m_limits.max_body_size())));
      } catch (const std::exception&) {
        return -1;
      }
    }
    return 0;
  };
  s.on_body = [](http_parser* parser, const char* at, size_t length) -> int {
    auto* ctx = reinterpret_cast<http_parser_ctx_t*>(parser->data);
    const std::uint64_t limit = ctx->m_limits.max_body_size();
    const std::uint64_t room = limit > ctx->m_body.size() ? limit - ctx->m_body.size() : 0;
    try {
      ctx->m_body.append(at, static_cast<size_t>(std::min<std::uint64_t>(length, room)));
    } catch (const std::exception&) {
      return -1;
    }
    return 0;
  };
  return s;
}

}  // namespace restinio::impl

namespace confpro::web {

namespace {

std::string endpoint_key(const asio::ip::tcp::endpoint& ep) {
  return ep.address().to_string() + ":" + std::to_string(ep.port());
}

// RESTinio's IP blocker and connection state listener in one: each accepted connection is admitted by
// ConnectionLimits or closed at once (before a byte is read), and each close gives its place back.
class ConnectionGate {
 public:
  ConnectionGate(std::size_t max_total, std::size_t max_per_source) : limits_(max_total, max_per_source) {}

  restinio::ip_blocker::inspection_result_t inspect(
      const restinio::ip_blocker::incoming_info_t& info) noexcept {
    try {
      const auto ep = info.remote_endpoint();
      const std::string address = ep.address().to_string();
      if (limits_.admit(address, endpoint_key(ep))) return restinio::ip_blocker::allow();
      note_refusal(address);
    } catch (const std::exception&) {
    }
    return restinio::ip_blocker::deny();
  }

  void state_changed(const restinio::connection_state::notice_t& notice) noexcept {
    if (!restinio::holds_alternative<restinio::connection_state::closed_t>(notice.cause())) return;
    try {
      limits_.closed(endpoint_key(notice.remote_endpoint()));
    } catch (const std::exception&) {
    }
  }

 private:
  // One warning per 10 s at most, with the count since the last one (a flood must not flood the log).
  void note_refusal(const std::string& address) {
    const auto now = std::chrono::steady_clock::now();
    MutexLock lock(log_mutex_);
    ++refused_;
    if (now - last_warning_ < std::chrono::seconds(10)) return;
    log::get("web")->warn(
        "web: connection from {} refused: {} open (caps: web.max_connections, "
        "web.max_connections_per_source); {} refused since the last warning",
        address, limits_.open(), refused_);
    refused_ = 0;
    last_warning_ = now;
  }

  ConnectionLimits limits_;
  Mutex log_mutex_;
  std::chrono::steady_clock::time_point last_warning_ GUARDED_BY(log_mutex_){};
  std::uint64_t refused_ GUARDED_BY(log_mutex_) = 0;
};

struct Traits : restinio::default_traits_t {
  using http_methods_mapper_t = KeepsOversizedBodiesOut;
  using ip_blocker_t = ConnectionGate;
  using connection_state_listener_t = ConnectionGate;
};
struct TlsTraits : restinio::tls_traits_t<restinio::asio_timer_manager_t, restinio::null_logger_t> {
  using http_methods_mapper_t = KeepsOversizedBodiesOut;
  using ip_blocker_t = ConnectionGate;
  using connection_state_listener_t = ConnectionGate;
};

// RESTinio 0.6.16 starts a connection's read timeout only once the TLS handshake is over: a client that opens
// a connection and never finishes its handshake would hold a place under the caps for ever. RESTinio's
// initialisation finds this overload (more specialised than its own, by argument-dependent lookup through
// TlsTraits) and the handshake gets kTlsHandshakeTimeout; both handlers run on the connection's strand.
constexpr auto kTlsHandshakeTimeout = std::chrono::seconds(10);

template <typename StartRead, typename Failed>
void prepare_connection_and_start_read(restinio::impl::tls_socket_t& socket,
                                       restinio::impl::connection_t<TlsTraits>& con, StartRead start_read_cb,
                                       Failed failed_cb) {
  auto timer = std::make_shared<asio::steady_timer>(socket.get_executor(), kTlsHandshakeTimeout);
  timer->async_wait(asio::bind_executor(
      con.get_executor(), [timer, &socket, keep = con.shared_from_this()](const asio::error_code& ec) {
        if (ec) return;  // cancelled: the handshake ended in time
        asio::error_code ignored;
        socket.close(ignored);  // the handshake fails with operation_aborted: RESTinio closes the connection
      }));
  socket.async_handshake(
      asio::ssl::stream_base::server,
      asio::bind_executor(con.get_executor(),
                          [timer, start_read_cb = std::move(start_read_cb), failed_cb = std::move(failed_cb),
                           keep = con.shared_from_this()](const asio::error_code& ec) {
                            timer->cancel();
                            if (!ec) {
                              start_read_cb();
                            } else {
                              failed_cb(ec);
                            }
                          }));
}

// RESTinio 0.6.16 drops an accept that fails: its completion handler does nothing on an error, so each EMFILE
// or ENFILE silences one of the concurrent accepts for good, and after `concurrent_accepts` of them the
// server never accepts again (issue 11: it stayed deaf after 20,000 idle connections closed). Here a failed
// accept is started again after kAcceptRetryDelay (not at once: out of descriptors, an immediate retry fails
// again and spins); the connections meanwhile wait in the listen backlog.
constexpr auto kAcceptRetryDelay = std::chrono::milliseconds(100);

void note_accept_error(const asio::error_code& ec) {
  static std::atomic<std::int64_t> last_warning_ms{0};
  static std::atomic<std::uint64_t> errors{0};
  ++errors;
  const std::int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                  std::chrono::steady_clock::now().time_since_epoch())
                                  .count();
  std::int64_t last = last_warning_ms.load();
  if (now_ms - last < 10000 || !last_warning_ms.compare_exchange_strong(last, now_ms)) return;
  log::get("web")->warn(
      "web: accepting a connection failed: {} ({} failures since the last warning); retrying "
      "every {} ms",
      ec.message(), errors.exchange(0), kAcceptRetryDelay.count());
}

// The body of call_accept_now (below) for the acceptor `self`: `accept(handler)` starts the accept,
// `on_accepted` takes the connection, `retry` starts the next attempt.
template <typename Executor, typename Accept, typename OnAccepted, typename Retry>
void accept_or_retry_later(const Executor& executor, Accept accept, OnAccepted on_accepted, Retry retry) {
  accept(
      [executor, on_accepted = std::move(on_accepted), retry = std::move(retry)](const asio::error_code& ec) {
        if (!ec) return on_accepted();
        if (ec == asio::error::operation_aborted || ec == asio::error::bad_descriptor)
          return;  // the server stops
        note_accept_error(ec);
        auto timer = std::make_shared<asio::steady_timer>(executor, kAcceptRetryDelay);
        timer->async_wait([timer, retry](const asio::error_code& e) {
          if (!e) retry();
        });
      });
}

}  // namespace
}  // namespace confpro::web

namespace restinio::impl {

#define CONFPRO_ACCEPT_OR_RETRY_LATER(TRAITS)                                                  \
  template <>                                                                                  \
  void acceptor_t<TRAITS>::call_accept_now(std::size_t index) noexcept {                       \
    auto ctx = this->shared_from_this();                                                       \
    confpro::web::accept_or_retry_later(                                                       \
        get_executor(),                                                                        \
        [this, index](auto handler) {                                                          \
          m_acceptor.async_accept(this->socket(index).lowest_layer(),                          \
                                  asio_ns::bind_executor(get_executor(), std::move(handler))); \
        },                                                                                     \
        [ctx, index] { ctx->accept_current_connection(index, {}); },                           \
        [ctx, index] {                                                                         \
          if (ctx->m_acceptor.is_open()) ctx->accept_next(index);                              \
        });                                                                                    \
  }

CONFPRO_ACCEPT_OR_RETRY_LATER(confpro::web::Traits)
CONFPRO_ACCEPT_OR_RETRY_LATER(confpro::web::TlsTraits)
#undef CONFPRO_ACCEPT_OR_RETRY_LATER

}  // namespace restinio::impl

namespace confpro::web {
namespace {

HttpRequest to_request(const restinio::request_t& req, bool secure) {
  HttpRequest r;
  const auto& h = req.header();
  r.method = h.method().c_str();
  auto path = percent_decode(std::string(h.path()), /*plus_is_space=*/false);
  auto query = parse_query(std::string(h.query()));
  r.malformed = !path || !query;
  r.path = path ? std::move(*path) : std::string(h.path());
  if (query) r.query = std::move(*query);
  h.for_each_field([&](const restinio::http_header_field_t& f) {
    std::string name = f.name();
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    auto [it, inserted] = r.headers.emplace(name, f.value());
    if (!inserted) it->second += (name == "cookie" ? "; " : ", ") + f.value();
  });
  r.body = req.body();
  r.remote_address = req.remote_endpoint().address().to_string();
  r.secure = secure;
  return r;
}

constexpr std::size_t kMaxUrlBytes = 8192;

// 400 for a request whose path or query has a malformed %-escape (or escaped bytes that are not UTF-8), or whose decoded path is not clean (static_files.h: "..", "//", NUL, '\\', "%2e" encoded
// twice, non-ASCII such as overlong UTF-8) or whose query has a control character (NUL among them): no route
// or file has such a name, and nothing behind the API must see them.
std::optional<HttpResponse> refuse_target(const HttpRequest& r) {
  if (r.malformed)
    return error_response(Error::invalid("path", "malformed percent-encoding in the request path or query"));
  bool clean = clean_relative_path(r.path).has_value();
  const auto has_control = [](const std::string& text) {
    return std::any_of(text.begin(), text.end(),
                       [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7F; });
  };
  for (const auto& [name, value] : r.query) clean = clean && !has_control(name) && !has_control(value);
  if (clean) return std::nullopt;
  return error_response(Error::invalid("path", "not a valid request path or query"));
}

std::string reason_phrase(int status) {
  switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 206: return "Partial Content";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 409: return "Conflict";
    case 413: return "Content Too Large";
    case 415: return "Unsupported Media Type";
    case 416: return "Range Not Satisfiable";
    case 429: return "Too Many Requests";
    case 503: return "Service Unavailable";
    default: return status < 500 ? "Error" : "Server Error";
  }
}

restinio::http_status_line_t status_line(int status) {
  return restinio::http_status_line_t{restinio::http_status_code_t{static_cast<std::uint16_t>(status)},
                                      reason_phrase(status)};
}

// The answer to HEAD: the headers GET would carry, Content-Length included, and no body (a body after a HEAD
// answer would be read as the start of the next answer on a kept-alive connection).
restinio::request_handling_status_t send_head(const restinio::request_handle_t& req, HttpResponse r) {
  auto resp = req->create_response<restinio::user_controlled_output_t>(status_line(r.status));
  if (!r.content_type.empty()) resp.append_header(restinio::http_field::content_type, r.content_type);
  for (auto& [name, value] : r.headers) resp.append_header(name, value);
  resp.set_content_length(r.file ? static_cast<std::size_t>(r.file->length) : r.body.size());
  return resp.done();
}

restinio::request_handling_status_t send(const restinio::request_handle_t& req, HttpResponse r, bool secure) {
  add_security_headers(r, secure);
  if (req->header().method() == restinio::http_method_head()) return send_head(req, std::move(r));
  auto resp = req->create_response(status_line(r.status));
  if (!r.content_type.empty()) resp.append_header(restinio::http_field::content_type, r.content_type);
  for (auto& [name, value] : r.headers) resp.append_header(name, value);
  if (r.file) {
    // Straight from the file to the socket (sendfile), whatever its size; throws if it vanished meanwhile.
    resp.set_body(restinio::sendfile(r.file->path).offset_and_size(r.file->offset, r.file->length));
  } else {
    resp.set_body(std::move(r.body));
  }
  return resp.done();
}

// One open event stream: RESTinio's chunked response, written from the control loop and the heartbeat thread.
// RESTinio queues in memory whatever the socket does not take: a client that stops reading would make the
// server grow with every event, so a stream with more than kMaxPendingBytes not yet written is given up (no
// more writes; RESTinio closes the connection at its write timeout).
struct Stream : std::enable_shared_from_this<Stream> {
  static constexpr std::size_t kMaxPendingBytes = 256 * 1024;
  Mutex mutex;
  restinio::response_builder_t<restinio::chunked_output_t> response GUARDED_BY(mutex);
  std::atomic<bool> dead{false};
  std::atomic<std::size_t> pending{0};  // bytes handed to RESTinio and not yet written to the socket
  explicit Stream(restinio::response_builder_t<restinio::chunked_output_t> r) : response(std::move(r)) {}

  bool write(const std::string& text) {
    if (dead) return false;
    if (pending.load() + text.size() > kMaxPendingBytes) {
      dead = true;
      return false;
    }
    MutexLock lock(mutex);
    try {
      pending += text.size();
      response.append_chunk(text);
      // The callback may run after the hub dropped the stream: it keeps the stream alive itself.
      response.flush([self = shared_from_this(), n = text.size()](const asio::error_code& ec) {
        self->pending -= n;
        if (ec) self->dead = true;
      });
    } catch (const std::exception&) {
      dead = true;
    }
    return !dead;
  }

  // Ends the response (the last chunk); later writes are refused.
  void finish() {
    if (dead.exchange(true)) return;
    MutexLock lock(mutex);
    try {
      response.done();
    } catch (const std::exception&) {
    }
  }
};

class WebServer final : public RunningWeb {
 public:
  WebServer(const WebOptions& options, const WebDeps& services)
      : options_(options),
        services_(services),
        api_(options_, services_),
        files_(options_.static_dir),
        gate_(std::make_shared<ConnectionGate>(options_.max_connections,
                                               options_.max_connections_per_source)) {}

  ~WebServer() override { stop(); }

  Status start() {
    try {
      if (options_.tls_cert_file.empty()) {
        http_ = restinio::run_async<Traits>(restinio::own_io_context(), settings<Traits>(false),
                                            static_cast<std::size_t>(options_.threads));
      } else {
        auto tls = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_server);
        tls->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                         asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                         asio::ssl::context::no_tlsv1_1);
        tls->use_certificate_chain_file(options_.tls_cert_file);
        tls->use_private_key_file(options_.tls_key_file, asio::ssl::context::pem);
        auto s = settings<TlsTraits>(true);
        s.tls_context(tls);
        https_ = restinio::run_async<TlsTraits>(restinio::own_io_context(), std::move(s),
                                                static_cast<std::size_t>(options_.threads));
      }
    } catch (const std::exception& e) {
      return Error::unavailable("web: cannot listen on " + options_.address + ":" + std::to_string(options_.port) +
                                ": " + e.what());
    }
    if (!options_.port_file.empty()) {
      std::ofstream(options_.port_file) << bound_port_.load() << "\n";
    }
    log::get("web")->info("web console on {}://{}:{}/ (static files from {})",
                          options_.tls_cert_file.empty() ? "http" : "https", options_.address, bound_port_.load(),
                          options_.static_dir);
    heartbeat_ = std::thread([this] { heartbeat_loop(); });
    return {};
  }

  void stop() override {
    {
      MutexLock lock(stop_mutex_);
      if (stopped_) return;
      stopped_ = true;
    }
    stop_cv_.notify_all();
    if (heartbeat_.joinable()) heartbeat_.join();
    directory_pool_.stop();  // the logins under way answer first, while their connections exist
    // The open event streams hold RESTinio connections: released while the server's io_context still exists
    // (released after it, they corrupted the heap at exit).
    api_.events().clear();
    if (http_) {
      http_->stop();
      http_->wait();
      http_.reset();
    }
    if (https_) {
      https_->stop();
      https_->wait();
      https_.reset();
    }
  }

 private:
  template <typename T>
  restinio::server_settings_t<T> settings(bool secure) {
    restinio::server_settings_t<T> s;
    s.port(static_cast<std::uint16_t>(options_.port))
        .address(options_.address)
        .request_handler(
            [this, secure](restinio::request_handle_t req) { return handle(std::move(req), secure); })
        // Must not throw: a connection whose setup throws is dropped without its close being reported to the
        // gate.
        .socket_options_setter([](restinio::socket_options_t& opts) {
          asio::error_code ignored;
          opts.set_option(asio::ip::tcp::no_delay{true}, ignored);
        })
        .acceptor_post_bind_hook(
            [this](asio::ip::tcp::acceptor& acceptor) { bound_port_ = acceptor.local_endpoint().port(); })
        .ip_blocker(gate_)
        .connection_state_listener(gate_)
        // From the connection's start or its last answer to a whole request (headers and body): idle
        // keep-alive connections and slow senders alike are closed past it.
        .read_next_http_message_timelimit(std::chrono::seconds(options_.request_read_timeout_s))
        .write_http_response_timelimit(std::chrono::seconds(30))
        // An event stream gets a write every heartbeat; this must exceed it (notes/web-and-storage.md).
        .handle_request_timeout(std::chrono::seconds(std::max(60, options_.sse_heartbeat_s * 4)))
        .concurrent_accepts_count(static_cast<std::size_t>(options_.concurrent_accepts))
        .max_pipelined_requests(4)
        // Bodies are cut one byte past max_body_bytes (the rest is read and dropped, see
        // create_parser_settings above): Api::handle answers those 413 with a JSON error.
        // RESTinio has no limits on the request line and headers unless given: a connection past them is
        // closed.
        .incoming_http_msg_limits(restinio::incoming_http_msg_limits_t{}
                                      .max_body_size(std::uint64_t{options_.max_body_bytes} + 1)
                                      .max_url_size(kMaxUrlBytes)
                                      .max_field_name_size(256)
                                      .max_field_value_size(16 * 1024)
                                      .max_field_count(100));
    return s;
  }

  restinio::request_handling_status_t handle(restinio::request_handle_t req, bool secure) {
    try {
      HttpRequest r = to_request(*req, secure);
      if (auto refused = refuse_target(r)) return send(req, std::move(*refused), secure);
      if (r.path == "/api/v1/events" && r.method == "GET") return open_stream(req, r, secure);
      if (r.path.rfind("/api/", 0) == 0 || is_operations_path(r.path)) {
        // A login waits for argon2id (~50–100 ms) or an LDAP directory (up to its timeout): on a worker, so the
        // server's event loop goes on serving every other connection meanwhile; the answer is sent from there.
        if (waits_for_directory(r) &&
            directory_pool_.post([this, req, r, secure]() mutable {
              try {
                send(req, api_.handle(r), secure);
              } catch (const std::exception& e) {
                log::get("web")->error("web: request failed: {}", e.what());
              }
            })) {
          return restinio::request_accepted();
        }
        return send(req, api_.handle(r), secure);
      }
      if (r.method != "GET" && r.method != "HEAD") {
        auto refused = error_response({ErrorCode::kInvalidArgument, "method not allowed on this path", {}});
        refused.status = 405;
        refused.add_header("Allow", "GET, HEAD");
        return send(req, std::move(refused), secure);
      }
      auto file = files_.serve(r.path);
      if (!file) {
        HttpResponse nf;
        nf.status = 404;
        nf.content_type = "text/plain; charset=utf-8";
        nf.body = "not found\n";
        return send(req, std::move(nf), secure);
      }
      return send(req, std::move(*file), secure);
    } catch (const std::exception& e) {
      log::get("web")->error("web: request failed: {}", e.what());
      return restinio::request_rejected();
    }
  }

  // /healthz, /readyz, /metrics: API routes outside /api/ (operations_routes.cpp).
  static bool is_operations_path(const std::string& path) {
    return path == "/healthz" || path == "/readyz" || path == "/metrics";
  }

  // The routes that ask the directory or hash a secret (argon2id, LDAP): answered on directory_pool_.
  static bool waits_for_directory(const HttpRequest& r) {
    return (r.method == "POST" && (r.path == "/api/v1/session" || r.path == "/api/v1/directory/test-login")) ||
           (r.method == "PUT" && r.path == "/api/v1/session/phone-access") ||  // hashes the PIN
           (r.method == "GET" && r.path == "/api/v1/directory/status");
  }

  restinio::request_handling_status_t open_stream(const restinio::request_handle_t& req, const HttpRequest& r,
                                                  bool secure) {
    auto who = api_.authorize_stream(r);
    if (auto* response = std::get_if<HttpResponse>(&who)) return send(req, std::move(*response), secure);
    const Session& session = std::get<Session>(who);
    if (api_.events().size() >= options_.max_event_streams) {
      auto busy = error_response(Error::unavailable("too many open event streams; try again later"));
      busy.add_header("Retry-After", "5");
      return send(req, std::move(busy), secure);
    }
    HttpResponse headers;
    add_security_headers(headers, secure);
    auto builder = req->create_response<restinio::chunked_output_t>();
    builder.append_header(restinio::http_field::content_type, "text/event-stream")
        .append_header(restinio::http_field::cache_control, "no-cache")
        .append_header("X-Accel-Buffering", "no");
    for (auto& [name, value] : headers.headers) builder.append_header(name, value);
    auto stream = std::make_shared<Stream>(std::move(builder));
    // The stream ends with its session (logout, password or role change, account removed). It joins the hub
    // before its first write sends the headers, so that a client opening another one meanwhile sees it counted.
    api_.events().add(session.principal, [this, stream, id = session.id](const std::string& text) {
      if (!api_.signed_in(id)) {
        stream->finish();
        return false;
      }
      return stream->write(text);
    });
    stream->write("retry: 2000\n: connected\n\n");
    return restinio::request_accepted();
  }

  void heartbeat_loop() {
    MutexLock lock(stop_mutex_);
    while (!stopped_) {
      lock.wait_for(stop_cv_, std::chrono::seconds(options_.sse_heartbeat_s));
      if (stopped_) break;
      lock.unlock();
      api_.events().heartbeat();
      lock.lock();
    }
  }

  const WebOptions options_;
  const WebDeps services_;
  Api api_;
  StaticFiles files_;
  std::shared_ptr<ConnectionGate> gate_;
  std::atomic<int> bound_port_{0};
  restinio::running_server_handle_t<Traits> http_;
  restinio::running_server_handle_t<TlsTraits> https_;
  // Logins and directory look-ups, off the event loop, at a lower priority (nice 10) than media and control: a
  // burst of logins (password hashing, TLS to the directory) must not delay callers' audio (issue 14).
  WorkerPool directory_pool_{4, "confpro-login", 10};
  std::thread heartbeat_;
  Mutex stop_mutex_;
  std::condition_variable stop_cv_;
  bool stopped_ GUARDED_BY(stop_mutex_) = false;
};

}  // namespace

Status validate(const WebOptions& o) {
  std::vector<FieldError> errors;
  if (o.port < 0 || o.port > 65535) errors.push_back({"port", "must be 0..65535"});
  if (o.tls_cert_file.empty() != o.tls_key_file.empty()) {
    errors.push_back({"tls_key_file", "tls_cert_file and tls_key_file go together"});
  }
  for (const auto& [field, file] : {std::pair{"tls_cert_file", o.tls_cert_file}, {"tls_key_file", o.tls_key_file}}) {
    if (!file.empty() && !std::filesystem::exists(file)) errors.push_back({field, "file not found: " + file});
  }
  if (auto st = validate_time_zone(o.time_zone); !st) errors.push_back({"time_zone", "unknown time zone"});
  if (o.threads < 1 || o.threads > 64) errors.push_back({"threads", "must be 1..64"});
  if (o.session_idle_timeout_s < 60) errors.push_back({"session_idle_timeout_s", "must be at least 60"});
  if (o.max_sessions_per_user < 1) errors.push_back({"max_sessions_per_user", "must be at least 1"});
  if (o.login_max_failures < 1) errors.push_back({"login_max_failures", "must be at least 1"});
  if (o.login_window_s < 1) errors.push_back({"login_window_s", "must be at least 1"});
  if (o.login_block_s < 1) errors.push_back({"login_block_s", "must be at least 1"});
  if (o.max_body_bytes < 1024) errors.push_back({"max_body_bytes", "must be at least 1024"});
  if (o.sse_heartbeat_s < 1 || o.sse_heartbeat_s > 300) errors.push_back({"sse_heartbeat_s", "must be 1..300"});
  if (o.max_event_streams < 1) errors.push_back({"max_event_streams", "must be at least 1"});
  if (o.max_connections < 1) errors.push_back({"max_connections", "must be at least 1"});
  if (o.request_read_timeout_s < 1 || o.request_read_timeout_s > 3600) {
    errors.push_back({"request_read_timeout_s", "must be 1..3600"});
  }
  if (o.concurrent_accepts < 1 || o.concurrent_accepts > 1024) {
    errors.push_back({"concurrent_accepts", "must be 1..1024"});
  }
  if (!errors.empty()) return Error::invalid_fields(errors);
  return {};
}

Result<std::unique_ptr<RunningWeb>> start_web(const WebOptions& options, const WebDeps& services) {
  if (auto st = validate(options); !st) return st.error();
  if (!services.store || !services.directory || !services.clock) {
    return Error::invalid("services", "store, directory and clock are required");
  }
  auto server = std::make_unique<WebServer>(options, services);
  if (auto st = server->start(); !st) return st.error();
  return std::unique_ptr<RunningWeb>(std::move(server));
}

}  // namespace confpro::web
