// The live conference service (ARCHITECTURE.md conference/): routes incoming calls (access number → main menu,
// conference number → PIN), runs each call's IVR flow, keeps the live rooms and their participants, applies the
// booking rules of domain/ (opening, capacity, lock, wait-for-leader, warning and end), drives media/ and sip/
// by commands, writes sessions and participant connections, and publishes the event stream.
//
// Access numbers are routed from the store (access_numbers.h): the constructor loads them (a store read on the
// main thread), access_numbers_changed() reloads them off the loop.
// Thread safety: all state lives on the control loop. The sip::CallHandler methods (SIP thread), on_media_event
// (media workers) and the ControlApi methods (web threads) only post to the loop; the synchronous ControlApi
// calls wait for the loop's answer and must not be called from the loop itself. start() and stop() are called on
// the main thread.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "booking/booking_service.h"
#include "common/event_loop.h"
#include "common/time.h"
#include "common/worker_pool.h"
#include "conference/access_numbers.h"
#include "conference/control_api.h"
#include "directory/directory.h"
#include "domain/limits.h"
#include "ivr/flow.h"
#include "ivr/prompt_catalog.h"
#include "media/media_engine.h"
#include "sip/sip_endpoint.h"
#include "store/store.h"

namespace confpro::conference {

// Several nodes on one PostgreSQL (issue 18): a conference is mixed on the one node that claims it when its room
// opens (store.h ConferenceClaim); the node renews its claims while their rooms live and releases each at its
// room's end; a node that stops renewing (killed) loses them after `ttl`.
struct ClaimOptions {
  bool enabled = false;                       // off: every conference opens here, nothing is claimed [off]
  std::string node;                           // this node's name ([node] name)
  std::string sip_uri;                        // where it takes calls ([node] sip_uri)
  std::chrono::milliseconds ttl{30000};       // a claim lives this long after its last renewal [30 s]
  std::chrono::milliseconds renew{10000};     // renewal period [10 s]
  // The wall clock every node reads (claims compare times written by different nodes); borrowed, outlives the
  // service; nullptr = the service's clock (tests).
  const Clock* clock = nullptr;
};

struct ServiceOptions {
  std::string node_id = "node1";                     // written on sessions [node1]
  std::string time_zone = "Europe/Paris";            // dates read back to callers [Europe/Paris]
  double time_scale = 1.0;                           // conference clock speed (tests) [1.0]
  domain::ConferenceLimits limits;                   // warning minutes, defaults for phone creation
  ivr::FlowOptions flow;                             // IVR timing and tries
  std::vector<domain::NumberRule> number_rules;      // [[sip.number_rules]]: invitees' phones are compared with
                                                     // callers' numbers after domain::normalize_phone with them
  std::string recordings_dir = "var/recordings";     // room recordings [var/recordings]
  std::string names_dir = "var/names";               // recorded names for announce [var/names]
  bool read_back_pins = true;                        // a creator by phone hears the PINs read back [true]
  int pin_lockout_failures = 10;                     // wrong PINs in a row per source address …
  int pin_lockout_conference_failures = 30;          // … per conference (then closed to new callers; 0 = off)
  std::chrono::seconds pin_lockout_window{1800};     // … a streak ends this long after its last lockout
  std::chrono::seconds pin_lockout_duration{3600};   // … the longest lockout; the first lasts 30 s, each further
                                                     // wrong PIN doubles it (pin_guard.h)
  int max_ivr_calls_per_source = 10;                 // one untrusted source's calls in the IVR; 0 = off
  std::chrono::milliseconds key_timeout{3000};       // '*' then a digit within this time (in-call keys)
  std::chrono::milliseconds end_prompt_grace{8000};  // longest wait for the closing prompt before hanging up
  ClaimOptions claims;                               // several nodes: which node hosts a conference [off]
};

class ConferenceService final : public sip::CallHandler, public ControlApi {
 public:
  // Borrows everything; all must outlive the service. The SIP endpoint is attached after it starts (it needs
  // this service as its handler). `work` runs the store, directory and hashing calls off `loop` (a call's routing
  // and its IVR questions); stop it after stop() and before destroying the service.
  ConferenceService(EventLoop& loop, WorkerPool& work, const Clock& clock, store::Store& store, booking::BookingService& bookings,
                    directory::Directory& directory, media::MediaEngine& media, const ivr::PromptCatalog& prompts,
                    ServiceOptions options);
  ~ConferenceService() override;

  // Main thread, before calls arrive / after they stop.
  void attach_sip(sip::SipEndpoint* sip);
  // Ends every live conference (reason: the node stops → sessions closed as interrupted) and hangs up every call;
  // blocks until done on the loop.
  void stop();

  // From the media engine's EventSink (any thread).
  void on_media_event(media::Event event);

  // sip::CallHandler (SIP thread).
  void on_incoming(const sip::IncomingCall& call) override;
  void on_answered(CallId call, MediaSessionId session) override;
  void on_dtmf(CallId call, char digit) override;
  void on_progress(CallId call, int status, const std::string& reason) override;
  void on_ended(CallId call, const std::string& cause) override;

  // ControlApi (any thread but the loop).
  HealthReport health() override;
  std::vector<LiveConference> live_conferences() override;
  std::optional<LiveConference> live_conference(BookingId id) override;
  std::optional<std::set<BookingId>> bookings_with_room() override;
  std::optional<LoadCounts> load_counts() override;
  Status set_muted(BookingId conference, ParticipantId participant, bool muted, const std::string& actor) override;
  Status eject(BookingId conference, ParticipantId participant, const std::string& actor) override;
  Status set_locked(BookingId conference, bool locked, const std::string& actor) override;
  Status end_conference(BookingId conference, const std::string& actor) override;
  Status set_granted_until(BookingId conference, std::optional<TimePoint> until, const std::string& actor) override;
  void booking_changed(BookingId booking) override;
  Result<InviteResult> invite_by_number(BookingId conference, const std::string& number,
                                        const std::string& actor) override;
  SubscriptionId subscribe(Subscriber subscriber) override;
  void unsubscribe(SubscriptionId id) override;
  Status access_numbers_changed() override;

  class Impl;

 private:
  // The access numbers calls are routed by (access_numbers.h): loaded from the store at construction (main
  // thread), reloaded by access_numbers_changed(), read by Impl::incoming() on the loop.
  std::unique_ptr<AccessNumberTable> access_numbers_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace confpro::conference
