// Readers for the sections whose options structs belong to a component: [sip] and [web].
#include "app/config_components.h"

#include "sip/limits.h"

namespace confpro::app {

void read_sip(ConfigReader r, sip::SipOptions& s) {
  r.get("listen_address", s.listen_address);
  r.get("listen_address6", s.listen_address6);
  r.get_int("port", s.port, 1, 65535);
  r.get_int("tls_port", s.tls_port, 1, 65535);
  r.get("tls_cert_file", s.tls_cert_file);
  r.get("tls_key_file", s.tls_key_file);
  if (s.tls_cert_file.empty() != s.tls_key_file.empty())
    r.fail("tls_cert_file", "tls_cert_file and tls_key_file go together");
  r.get("public_address", s.public_address);
  r.get("media_address", s.media_address);
  r.get("user_agent", s.user_agent);
  r.get("codecs", s.codecs);
  for (const auto& c : s.codecs)
    if (c != "PCMU" && c != "PCMA" && c != "G722" && c != "opus")
      r.fail("codecs", "unknown codec '" + c + "' (PCMU|PCMA|G722|opus)");
  if (s.codecs.empty()) r.fail("codecs", "must name at least one codec");
  r.get_int("ptime_ms", s.ptime_ms, 10, 60);
  std::string srtp = s.srtp == sip::SrtpPolicy::kOff ? "off" : s.srtp == sip::SrtpPolicy::kRequired ? "required"
                                                                                                     : "optional";
  r.get_enum("srtp", srtp, {"off", "optional", "required"});
  s.srtp = srtp == "off" ? sip::SrtpPolicy::kOff : srtp == "required" ? sip::SrtpPolicy::kRequired
                                                                      : sip::SrtpPolicy::kOptional;
  r.get_int("max_calls", s.max_calls, 1, 1000000);
  r.get_int("retry_after_s", s.retry_after_s, 1, 3600);
  r.get("invite_rate_per_source", s.invite_rate_per_source, 0, 100000);
  r.get("invite_burst_per_source", s.invite_burst_per_source, 1, 100000);
  r.get("drop_over_rate", s.drop_over_rate);
  r.get_int("ban_s", s.ban_s, 1, 86400);
  r.get_int("max_ban_s", s.max_ban_s, 1, 7 * 86400);
  if (s.max_ban_s < s.ban_s) r.fail("max_ban_s", "must be at least ban_s");
  r.get("trusted_peers", s.trusted_peers);
  if (auto peers = sip::TrustedPeers::parse(s.trusted_peers); !peers.ok()) {
    r.fail("trusted_peers", peers.error().fields.at(0).message);
  }
  r.get_int("max_ivr_calls_per_source", s.max_ivr_calls_per_source, 0, 100000);
  r.get_int("session_timer_s", s.session_timer_s, 0, 86400);
  r.get_int("min_session_timer_s", s.min_session_timer_s, 90, 86400);
  r.get_int("udp_rmem_bytes", s.udp_rmem_bytes, 65536, 256 * 1024 * 1024);
  r.get_int("udp_wmem_bytes", s.udp_wmem_bytes, 65536, 256 * 1024 * 1024);
  r.get_int("tcp_message_timeout_s", s.tcp_message_timeout_s, 1, 3600);
  r.get_int("tcp_idle_timeout_s", s.tcp_idle_timeout_s, 1, 86400);
  auto rules = r.tables("number_rules");
  if (!rules.empty()) s.number_rules.clear();
  for (size_t i = 0; i < rules.size(); ++i) {
    ConfigReader rr = r.sub(rules[i], "number_rules[" + std::to_string(i) + "]");
    sip::NumberRule rule;
    rr.get("strip_prefix", rule.strip_prefix);
    rr.get("add_prefix", rule.add_prefix);
    rr.finish();
    s.number_rules.push_back(rule);
  }
  {
    ConfigReader t = r.sub(r.table("trunk"), "trunk");
    t.get("proxy_uri", s.trunk.proxy_uri);
    t.get("domain", s.trunk.domain);
    t.get("username", s.trunk.username);
    t.get("password", s.trunk.password);
    t.get("caller_id", s.trunk.caller_id);
    t.finish();
  }
  r.get("dial_plan", s.dial_plan);
  {
    ConfigReader d = r.sub(r.table("dial_limits"), "dial_limits");
    d.get_int("max_concurrent_per_conference", s.dial_limits.max_concurrent_per_conference, 0, 10000);
    d.get_int("max_per_hour_per_conference", s.dial_limits.max_per_hour_per_conference, 0, 100000);
    d.get_int("max_concurrent_total", s.dial_limits.max_concurrent_total, 0, 100000);
    d.finish();
  }
  long long ring = s.ring_timeout.count();
  r.get_int("ring_timeout_s", ring, 5, 600);
  s.ring_timeout = std::chrono::seconds(ring);
  r.get("trace_sip", s.trace_sip);
  r.finish();
}

void read_web(ConfigReader r, web::WebOptions& w) {
  r.get("address", w.address);
  r.get_int("port", w.port, 0, 65535);
  r.get("tls_cert_file", w.tls_cert_file);
  r.get("tls_key_file", w.tls_key_file);
  if (w.tls_cert_file.empty() != w.tls_key_file.empty())
    r.fail("tls_cert_file", "tls_cert_file and tls_key_file go together");
  r.get("static_dir", w.static_dir);
  r.get_int("threads", w.threads, 1, 64);
  r.get_int("session_idle_timeout_s", w.session_idle_timeout_s, 60, 86400 * 30);
  r.get_int("max_sessions_per_user", w.max_sessions_per_user, 1, 1000);
  r.get_int("login_max_failures", w.login_max_failures, 1, 1000);
  r.get_int("login_window_s", w.login_window_s, 1, 86400);
  r.get_int("login_block_s", w.login_block_s, 1, 86400);
  r.get_int("max_body_bytes", w.max_body_bytes, 1024, 64 * 1024 * 1024);
  r.get_int("sse_heartbeat_s", w.sse_heartbeat_s, 1, 3600);
  r.get_int("max_event_streams", w.max_event_streams, 1, 100000);
  r.get_int("max_connections", w.max_connections, 1, 1000000);
  r.get_int("max_connections_per_source", w.max_connections_per_source, 0, 1000000);
  r.get_int("request_read_timeout_s", w.request_read_timeout_s, 1, 3600);
  r.get("port_file", w.port_file);
  r.get("metrics_token", w.metrics_token);
  r.finish();
}

}  // namespace confpro::app
