// `confpro cdr export --since T --until T` (issue 16 P3): the CDR rows (booking/cdr.h) of the closed sessions
// opened in [since, until), header first, to standard output — the same rows the CDR files hold, again, for a
// reconciliation; it marks nothing.
#include <iostream>
#include <memory>

#include "app/cli_commands.h"
#include "app/context.h"
#include "booking/cdr.h"
#include "booking/cdr_exporter.h"
#include "common/csv.h"
#include "common/timezone.h"

namespace confpro::app {

void add_cdr_commands(CLI::App& app, Runner& selected) {
  auto* cdr = app.add_subcommand("cdr", "call detail records (issue 16)");
  cdr->require_subcommand(1);
  struct Flags {
    std::string since, until;
  };
  auto f = std::make_shared<Flags>();
  auto* exp =
      cdr->add_subcommand("export", "print the CDR rows of the closed sessions opened in [since, until)");
  exp->add_option("--since", f->since, "ISO 8601 time, e.g. 2026-12-01T00:00:00Z")->required();
  exp->add_option("--until", f->until, "ISO 8601 time (excluded)")->required();
  exp->callback([&selected, f] {
    selected = [f](const Config& config) {
      auto since = parse_iso_time(f->since);
      auto until = parse_iso_time(f->until);
      if (!since || !until) {
        print_error(Error::invalid(!since ? "since" : "until",
                                   "must be an ISO 8601 time such as 2026-12-01T00:00:00Z", "bad_time"));
        return 2;
      }
      auto ctx = open_context(config);
      if (!ctx) {
        print_error(ctx.error());
        return exit_code_for(ctx.error());
      }
      store::SessionQuery q;
      q.from = *since;
      q.to = *until;
      q.closed_only = true;
      q.descending = false;
      q.limit = 1000;
      std::cout << csv_line(booking::cdr_header());
      for (;; q.offset += q.limit) {
        auto page = (*ctx)->store->list_sessions(q);
        if (!page) {
          print_error(page.error());
          return 1;
        }
        auto text = booking::cdr_text(*(*ctx)->store, config.plans, page->items);
        if (!text) {
          print_error(text.error());
          return 1;
        }
        std::cout << *text;
        if (static_cast<int>(page->items.size()) < q.limit) break;
      }
      std::cout.flush();
      return 0;
    };
  });
}

}  // namespace confpro::app
