// `typetune serve`: the studies of a storage URL over HTTP, live. A page lists the studies; a
// study's page is its HTML report (include/typetune/report/html_report.hpp, the same renderer
// and scripts as `typetune report`) that asks a JSON endpoint every second for what changed
// since the version it shows. Storage is opened read-only; there is no endpoint that writes.
#pragma once

#include <chrono>
#include <string>

namespace typetune::cli {

struct serve_options {
  std::string url;                 // the storage URL
  std::string host = "127.0.0.1";  // where to listen: loopback unless told otherwise
  int port = 8080;                 // 0: a free port, printed when listening
  int interval_ms = 1000;          // how often a study page asks for changes
  // The storage is read for a study at most this often, however many pages ask: every page
  // that asks within it gets the same snapshot.
  std::chrono::milliseconds refresh{250};
  // The plots are drawn again at most this often (and not more often than three times the
  // time the last drawing took): between, pages get new table rows and the last plots.
  std::chrono::milliseconds redraw{1000};
  int threads = 32;  // connections served at once (each page keeps one open)
};

// Serves until SIGINT or SIGTERM, then returns 0. Throws std::runtime_error when the storage
// cannot be opened or the address cannot be bound, naming it.
int serve(const serve_options& options);

}  // namespace typetune::cli
