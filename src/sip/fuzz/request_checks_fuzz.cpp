// libFuzzer target: the raw text of a request line and of a name-addr header, as received from the network,
// through the RFC 4475 checks sofia's parser lacks. Invariants checked: no crash/UB (ASan/UBSan), and a refusal
// is a non-empty reason phrase made of printable ASCII (it goes out as a SIP reason phrase).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "sip/request_checks.h"

namespace {

void check_phrase(const char* phrase) {
  if (!phrase) return;
  const std::size_t n = std::strlen(phrase);
  if (n == 0) std::abort();
  for (std::size_t i = 0; i < n; ++i) {
    if (phrase[i] < 0x20 || phrase[i] > 0x7e) std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const std::size_t eol = text.find('\n');
  const std::string_view first = text.substr(0, eol == std::string_view::npos ? text.size() : eol + 1);
  check_phrase(confpro::sip::request_line_problem(first));
  check_phrase(confpro::sip::name_addr_problem(text));
  return 0;
}
