// CSV (RFC 4180) for the files and downloads people open in a spreadsheet: the reports (web/) and the CDR
// files (booking/cdr.h). Pure; thread safety: plain functions.
#pragma once

#include <string>
#include <vector>

namespace confpro {

// A CSV cell: quoted when it holds a comma, a quote, CR or LF (quotes doubled). Text a spreadsheet would read
// as a formula (= + - @, tab or CR first) gets a leading apostrophe (CSV formula injection).
std::string csv_field(std::string s);

// The cells joined by commas, each through csv_field, ended by CRLF (RFC 4180).
std::string csv_line(const std::vector<std::string>& cells);

}  // namespace confpro
