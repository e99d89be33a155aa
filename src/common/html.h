// HTML text escaping for what people's mail readers render: the notification e-mails' HTML parts (notify/'s
// text-to-HTML and the operator's .html templates, booking/notification_templates.h). Pure; thread safety:
// plain functions.
#pragma once

#include <string>
#include <string_view>

namespace confpro {

// `s` safe as HTML text and attribute values: & < > " ' escaped.
std::string html_escape(std::string_view s);

}  // namespace confpro
