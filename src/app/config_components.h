// Readers for the configuration sections whose options structs are defined by their components.
// Thread safety: start-up only.
#pragma once

#include "app/config_reader.h"
#include "booking/cdr_exporter.h"
#include "domain/booking_policy.h"
#include "domain/tariff.h"
#include "sip/sip_endpoint.h"
#include "web/web_server.h"

namespace confpro::app {

void read_sip(ConfigReader r, sip::SipOptions& s);
void read_web(ConfigReader r, web::WebOptions& w);
// [booking] (config_booking.cpp): the booking categories; their limits are checked against [conference].
void read_booking(ConfigReader r, const domain::ConferenceLimits& conference, domain::BookingPolicy& policy);
struct BillingSettings;
struct NodeSettings;
// [node] (config_node.cpp): fills the defaults of name ([server] node_id, else the host name; node_id then
// follows it) and sip_uri (from [sip]).
void read_node(ConfigReader r, const sip::SipOptions& sip, std::string& server_node_id, NodeSettings& node);
// A plan sold to categories must name categories of `policy`.
void read_billing(ConfigReader r, const domain::BookingPolicy& policy, std::vector<domain::TariffPlan>& plans,
                  booking::CdrOptions& cdr, BillingSettings& settings);

}  // namespace confpro::app
