#include <cstdio>
#include <cstdlib>

#include "libs/status/status_macros.h"

namespace planapi::status_internal {

void CheckFailed(const char* condition, const char* file, int line) {
  std::fprintf(stderr, "{\"level\":\"fatal\",\"msg\":\"check failed: %s\",\"at\":\"%s:%d\"}\n",
               condition, file, line);
  std::abort();
}

}  // namespace planapi::status_internal
