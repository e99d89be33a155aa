// Strong ids (STYLE.md #8): distinct types for distinct ids so a CallId never passes for a BookingId.
// Thread safety: plain values.
#pragma once

#include <compare>
#include <cstdint>
#include <functional>
#include <ostream>

namespace confpro {

template <typename Tag, typename Rep = std::int64_t>
class StrongId {
 public:
  using rep_type = Rep;
  constexpr StrongId() = default;
  constexpr explicit StrongId(Rep v) : v_(v) {}
  constexpr Rep value() const { return v_; }
  constexpr bool valid() const { return v_ != Rep{}; }
  constexpr auto operator<=>(const StrongId&) const = default;
  friend std::ostream& operator<<(std::ostream& os, const StrongId& id) { return os << id.v_; }

 private:
  Rep v_{};
};

using BookingId = StrongId<struct BookingIdTag>;
using UserId = StrongId<struct UserIdTag>;
using SessionId = StrongId<struct ConferenceSessionIdTag>;        // one opening of a booking (DB row)
using ConnectionId = StrongId<struct ConnectionIdTag>;            // one participant call leg (DB row)
using CallId = StrongId<struct CallIdTag, std::uint64_t>;         // a SIP call leg, process-local
using MediaSessionId = StrongId<struct MediaSessionIdTag, std::uint64_t>;  // one RTP session in media/
using RoomId = StrongId<struct RoomIdTag, std::uint64_t>;         // one mixer room in media/
using ParticipantId = StrongId<struct ParticipantIdTag, std::uint64_t>;

}  // namespace confpro

template <typename Tag, typename Rep>
struct std::hash<confpro::StrongId<Tag, Rep>> {
  std::size_t operator()(const confpro::StrongId<Tag, Rep>& id) const noexcept {
    return std::hash<Rep>{}(id.value());
  }
};
