// confpro: the Conference Pro server and its command line.
#include "app/cli.h"
#include "app/signals.h"

int main(int argc, char** argv) {
  // Before any thread exists (sofia-sip, media workers, web pool): they all inherit the blocked mask, and only
  // the main thread waits for SIGINT/SIGTERM.
  confpro::app::block_signals();
  return confpro::app::run_cli(argc, argv);
}
