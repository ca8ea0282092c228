// Process life for long-running services: block SIGTERM/SIGINT in every thread (call first in
// main, before any thread starts), then wait for one on the main thread to begin a drain; and
// announce the bound port to whoever started us.
#pragma once

#include <string>

namespace planapi::runtime {

// Writes `port` to `path` atomically (temporary file + rename), so a reader polling for the file
// never sees half a number. Tests and scripts start services on port 0 and read it.
void WritePortFile(const std::string& path, int port);

void BlockShutdownSignals();

// Call first in a service's main, before any thread starts: blocks the shutdown signals, turns
// off Abseil's mutex deadlock detection, which Debian's Abseil build leaves on and which costs a
// lock-graph update on every contended lock (a few percent of a backend's CPU), and keeps large
// allocations on the heap (see the .cc).
void PrepareServiceProcess();

// Blocks until SIGTERM or SIGINT arrives; returns the signal number.
int WaitForShutdownSignal();

}  // namespace planapi::runtime
