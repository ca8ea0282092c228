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

// Blocks until SIGTERM or SIGINT arrives; returns the signal number.
int WaitForShutdownSignal();

}  // namespace planapi::runtime
