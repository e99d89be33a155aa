// Past conferences with their connection history (S3), recordings with HTTP Range (M3), reports (S5).
#include <filesystem>
#include <fstream>

#include "common/csv.h"
#include "common/log.h"
#include "common/timezone.h"
#include "store/store.h"
#include "web/api_context.h"
#include "web/json_body.h"
#include "web/range.h"
#include "web/static_files.h"

namespace confpro::web {

// Reads from/to; a bare date as `to` includes that whole day.
void read_range(const Call& call, const ApiContext& ctx, std::optional<TimePoint>& from, std::optional<TimePoint>& to,
                std::vector<FieldError>& errors, bool required) {
  for (const char* f : {"from", "to"}) {
    auto text = call.request.param(f);
    if (text.empty()) {
      if (required) errors.emplace_back(f, "is required (YYYY-MM-DD)", "required");
      continue;
    }
    auto t = parse_query_time(text, ctx.options.time_zone, std::string(f) == "to");
    if (!t) {
      errors.emplace_back(f, "must be a date (YYYY-MM-DD) or an ISO 8601 time", "date_format");
      continue;
    }
    (std::string(f) == "from" ? from : to) = t;
  }
  if (from && to && *to <= *from) errors.emplace_back("to", "must be after from", "after_from");
}

namespace {

nlohmann::json session_json(const store::SessionWithBooking& s) {
  const auto& c = s.session;
  nlohmann::json closed = c.closed_at ? nlohmann::json(format_iso_utc(*c.closed_at)) : nlohmann::json(nullptr);
  std::int64_t seconds = c.closed_at ? std::chrono::duration_cast<std::chrono::seconds>(*c.closed_at - c.opened_at).count() : 0;
  return {{"session_id", c.id.value()},        {"booking_id", c.booking.value()}, {"number", c.number},
          {"name", s.booking.name},            {"owner", s.booking.owner},
          {"opened_at", format_iso_utc(c.opened_at)}, {"closed_at", closed},
          {"duration_seconds", seconds},       {"close_reason", c.close_reason},
          {"has_recording", !c.recording_path.empty()}, {"node", c.node},
          // A deleted booking's conferences stay in the history (issue 12 item 8), marked so.
          {"deleted", s.deleted.has_value()},
          {"deleted_at", s.deleted ? nlohmann::json(format_iso_utc(s.deleted->at)) : nlohmann::json(nullptr)},
          {"deleted_by", s.deleted ? nlohmann::json(s.deleted->by) : nlohmann::json(nullptr)}};
}

nlohmann::json connection_json(const store::ParticipantConnection& p) {
  nlohmann::json left = p.left_at ? nlohmann::json(format_iso_utc(*p.left_at)) : nlohmann::json(nullptr);
  std::int64_t seconds =
      p.left_at ? std::chrono::duration_cast<std::chrono::seconds>(*p.left_at - p.joined_at).count() : 0;
  return {{"id", p.id.value()},         {"caller_number", p.caller_number}, {"caller_name", p.caller_name},
          {"role", p.role},             {"access_number", p.access_number}, {"joined_at", format_iso_utc(p.joined_at)},
          {"left_at", left},            {"duration_seconds", seconds},      {"leave_reason", p.leave_reason},
          {"codec", p.codec},           {"loss_fraction", p.loss_fraction}, {"jitter_ms", p.jitter_ms},
          {"rtt_ms", p.rtt_ms},         {"invitee", p.invitee}};
}

// The past session {session_id} with its booking when the caller may see it; otherwise not_visible().
Result<store::SessionWithBooking> visible_session(const Call& call, ApiContext& ctx) {
  auto id = parse_id(call.params.at("session_id"));
  if (!id) return Error::invalid("session_id", "must be a positive integer");
  const Error missing = not_visible(call, Error::not_found("no such session"));
  store::SessionQuery q;  // with its booking, also a deleted one
  q.session = SessionId{*id};
  auto page = ctx.services.store->list_sessions(q);
  if (!page) return page.error();
  if (page->items.empty() || !owned_by_caller(call, page->items.front().booking.owner)) return missing;
  return page->items.front();
}

nlohmann::json row_json(const store::ReportRow& r) {
  return {{"key", r.key}, {"planned", r.planned}, {"used", r.used}, {"conference_minutes", r.conference_minutes},
          {"participant_minutes", r.participant_minutes}};
}

nlohmann::json conference_json(const store::ReportConference& c) {
  return {{"booking_id", c.id.value()},
          {"number", c.number},
          {"name", c.name},
          {"owner", c.owner},
          {"planned_start", format_iso_utc(c.planned_start)},
          {"planned_end", format_iso_utc(c.planned_end)},
          {"duration_minutes", c.duration_minutes},
          {"state", c.state},
          {"sessions", c.sessions},
          {"conference_minutes", c.conference_minutes},
          {"participant_minutes", c.participant_minutes},
          {"participants", c.participants}};
}

// part=conferences: the planned and used conferences themselves, one line each (times in the console's zone).
HttpResponse conferences_csv(const store::Report& rep, const std::string& zone) {
  HttpResponse r;
  r.content_type = "text/csv; charset=utf-8";
  r.add_header("Content-Disposition", "attachment; filename=\"confpro-conferences.csv\"");
  r.body =
      "number,name,owner,planned_start,planned_end,duration_minutes,state,sessions,conference_minutes,"
      "participant_minutes,participants\r\n";
  for (const auto& c : rep.conferences) {
    r.body += csv_field(c.number) + "," + csv_field(c.name) + "," + csv_field(c.owner) + "," +
              format_local_time(c.planned_start, zone) + "," + format_local_time(c.planned_end, zone) + "," +
              std::to_string(c.duration_minutes) + "," + c.state + "," + std::to_string(c.sessions) + "," +
              std::to_string(c.conference_minutes) + "," + std::to_string(c.participant_minutes) + "," +
              std::to_string(c.participants) + "\r\n";
  }
  return r;
}

HttpResponse report(const Call& call, ApiContext& ctx) {
  std::optional<TimePoint> from, to;
  std::vector<FieldError> errors;
  read_range(call, ctx, from, to, errors, true);
  auto format = call.request.param("format", "json");
  if (format != "json" && format != "csv") {
    errors.emplace_back("format", "must be json or csv", "one_of", ErrorParams{{"allowed", "json, csv"}});
  }
  auto owner = call.request.param("owner");
  auto part = call.request.param("part", "summary");
  if (part != "summary" && part != "conferences") errors.push_back({"part", "must be summary or conferences"});
  if (!errors.empty()) return error_response(Error::invalid_fields(errors));
  if (*to - *from > std::chrono::days(3700)) return error_response(Error::invalid("to", "range longer than 10 years"));
  if (!call.principal().is_admin()) {
    if (!owner.empty() && owner != call.principal().username) {
      return error_response(Error::denied("organizers see only their own conferences"));
    }
    owner = call.principal().username;
  }
  auto rep = ctx.services.store->report({*from, *to, owner, ctx.options.time_zone});
  if (!rep) return error_response(rep.error());
  if (format == "csv" && part == "conferences") return conferences_csv(*rep, ctx.options.time_zone);
  if (format == "csv") {
    HttpResponse r;
    r.content_type = "text/csv; charset=utf-8";
    r.add_header("Content-Disposition", "attachment; filename=\"confpro-report.csv\"");
    r.body = "section,key,planned,used,conference_minutes,participant_minutes\r\n";
    auto add = [&](const std::string& section, const store::ReportRow& row) {
      r.body += section + "," + csv_field(row.key) + "," + std::to_string(row.planned) + "," +
                std::to_string(row.used) + "," + std::to_string(row.conference_minutes) + "," +
                std::to_string(row.participant_minutes) + "\r\n";
    };
    add("total", rep->totals);
    for (const auto& row : rep->per_owner) add("owner", row);
    for (const auto& row : rep->per_access_number) add("access_number", row);
    for (const auto& row : rep->per_day) add("day", row);
    return r;
  }
  auto rows = [](const std::vector<store::ReportRow>& v) {
    nlohmann::json a = nlohmann::json::array();
    for (const auto& r : v) a.push_back(row_json(r));
    return a;
  };
  nlohmann::json conferences = nlohmann::json::array();
  for (const auto& c : rep->conferences) conferences.push_back(conference_json(c));
  return json_response(200, {{"from", format_iso_utc(*from)},
                             {"to", format_iso_utc(*to)},
                             {"time_zone", ctx.options.time_zone},
                             {"totals", row_json(rep->totals)},
                             {"per_owner", rows(rep->per_owner)},
                             {"per_access_number", rows(rep->per_access_number)},
                             {"per_day", rows(rep->per_day)},
                             {"conferences", conferences},
                             {"conferences_truncated", rep->conferences_truncated}});
}

// POST /api/v1/history/purge {"dry_run": bool, "retention_days": n}: removes finished or deleted conferences
// older than n days (default history.retention_days) with their connections and recording files; a dry run
// counts them. The purge and its audit entry are one transaction.
HttpResponse purge(const Call& call, ApiContext& ctx) {
  auto body = JsonBody::parse(call.request.body.empty() ? "{}" : call.request.body);
  if (!body) return error_response(body.error());
  const bool dry_run = body->boolean("dry_run").value_or(false);
  const auto days = body->integer("retention_days", 1, 36500).value_or(ctx.options.history_retention_days);
  if (auto st = body->finish(); !st) return error_response(st.error());
  const TimePoint before = ctx.now() - std::chrono::days(days);
  store::SideEffects effects;
  if (!dry_run) {
    effects.audit.push_back({0, ctx.now(), call.principal().username, "history.purge", "history",
                             "older than " + std::to_string(days) + " days (before " + format_iso_utc(before) + ")",
                             "web"});
  }
  auto counts = ctx.services.store->purge_history(before, dry_run, effects);
  if (!counts) return error_response(counts.error());
  std::int64_t files = 0;
  if (!dry_run) {
    for (const auto& path : counts->recording_paths) {
      std::error_code ec;
      if (auto file = file_inside(ctx.options.recordings_dir, path); file && std::filesystem::remove(*file, ec)) ++files;
    }
    log::get("web")->info("history purge by {}: {} bookings, {} sessions, {} connections, {} recordings (before {})",
                          call.principal().username, counts->bookings, counts->sessions, counts->connections, files,
                          format_iso_utc(before));
  }
  return json_response(200, {{"dry_run", dry_run},
                             {"retention_days", days},
                             {"before", format_iso_utc(before)},
                             {"bookings", counts->bookings},
                             {"sessions", counts->sessions},
                             {"connections", counts->connections},
                             {"recordings", dry_run ? static_cast<std::int64_t>(counts->recording_paths.size()) : files}});
}

}  // namespace

void add_history_routes(Router& router, ApiContext& ctx) {
  router.add("GET", "/api/v1/conferences/past", Access::kSignedIn, [&ctx](const Call& call) {
    store::SessionQuery q;
    q.closed_only = true;
    std::vector<FieldError> errors;
    read_range(call, ctx, q.from, q.to, errors, false);
    read_paging_params(call.request, q.limit, q.offset, errors);
    q.number = call.request.param("number");
    q.owner = call.request.param("owner");
    if (!errors.empty()) return error_response(Error::invalid_fields(errors));
    if (!call.principal().is_admin()) {
      if (!q.owner.empty() && q.owner != call.principal().username) {
        return error_response(Error::denied("organizers see only their own conferences"));
      }
      q.owner = call.principal().username;
    }
    auto page = ctx.services.store->list_sessions(q);
    if (!page) return error_response(page.error());
    nlohmann::json items = nlohmann::json::array();
    for (const auto& s : page->items) items.push_back(session_json(s));
    return json_response(200, {{"items", items}, {"total", page->total}, {"limit", q.limit}, {"offset", q.offset}});
  });

  router.add("GET", "/api/v1/conferences/past/{session_id}", Access::kSignedIn, [&ctx](const Call& call) {
    auto s = visible_session(call, ctx);
    if (!s) return error_response(s.error());
    auto connections = ctx.services.store->list_connections(s->session.id);
    if (!connections) return error_response(connections.error());
    auto j = session_json(*s);
    j["connections"] = nlohmann::json::array();
    for (const auto& c : *connections) j["connections"].push_back(connection_json(c));
    return json_response(200, j);
  });

  router.add("GET", "/api/v1/conferences/past/{session_id}/recording", Access::kSignedIn, [&ctx](const Call& call) {
    auto s = visible_session(call, ctx);
    if (!s) return error_response(s.error());
    if (s->session.recording_path.empty()) return error_response(Error::not_found("this conference was not recorded"));
    // The stored path is trusted no further than the recordings directory: a row naming any other file (a
    // restored or altered database, a symlink in the directory) is not served.
    auto file = file_inside(ctx.options.recordings_dir, s->session.recording_path);
    if (!file) {
      log::get("web")->warn("recording of session {} not served: {} is not a file inside {}",
                            s->session.id.value(), s->session.recording_path, ctx.options.recordings_dir);
      return error_response(Error::not_found("the recording file is missing"));
    }
    return file_with_range(file->string(), call.request.header("range"));
  });

  router.add("GET", "/api/v1/reports", Access::kSignedIn, [&ctx](const Call& call) { return report(call, ctx); });
  router.add("POST", "/api/v1/history/purge", Access::kAdmin, [&ctx](const Call& call) { return purge(call, ctx); });
}

}  // namespace confpro::web
