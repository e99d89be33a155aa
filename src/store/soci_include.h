// Includes SOCI without its optional Boost integration: Debian's soci-config.h declares SOCI_HAVE_BOOST, but
// we use no Boost types and Boost headers are not a dependency. The Boost parts of SOCI's headers are
// templates only (no effect on libsoci_core's ABI).
#pragma once

// clang-format off

#include <soci/soci-config.h>
#undef SOCI_HAVE_BOOST
#undef SOCI_HAVE_BOOST_DATE_TIME
#include <soci/soci.h>
// clang-format on
