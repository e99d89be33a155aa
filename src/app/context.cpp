#include "app/context.h"

#include <cstdio>

namespace confpro::app {

Result<std::unique_ptr<Context>> open_context(const Config& config) {
  auto ctx = std::make_unique<Context>();
  ctx->config = config;
  if (config.server.time_scale != 1.0) {
    ctx->clock = std::make_unique<ScaledClock>(ctx->system_clock, config.server.time_scale);
  } else {
    ctx->clock = std::make_unique<SystemClock>();
  }
  auto store = store::open_store(config.storage_url);
  if (!store) return store.error();
  ctx->store = std::move(*store);
  if (auto s = ctx->store->migrate(); !s) return s.error();
  ctx->directory = std::make_unique<directory::LocalDirectory>(*ctx->store);
  booking::BookingServiceOptions options;
  options.limits = config.conference;
  options.time_zone = config.server.time_zone;
  ctx->bookings = std::make_unique<booking::BookingService>(*ctx->store, *ctx->clock, ctx->random, options);
  return ctx;
}

void print_error(const Error& error) {
  std::fprintf(stderr, "error: %s\n", error.fields.empty() ? error.message.c_str() : "invalid input");
  for (const auto& f : error.fields) std::fprintf(stderr, "  %s: %s\n", f.field.c_str(), f.message.c_str());
}

int exit_code_for(const Error& error) {
  switch (error.code) {
    case ErrorCode::kInvalidArgument:
    case ErrorCode::kAlreadyExists:
    case ErrorCode::kNotFound:
    case ErrorCode::kFailedPrecondition:
    case ErrorCode::kPermissionDenied:
    case ErrorCode::kUnauthenticated:
      return 2;
    default:
      return 1;
  }
}

}  // namespace confpro::app
