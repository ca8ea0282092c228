// The gateway's view of the services behind it: typed calls with plain-value requests and
// results, so that request handling is testable with a stateful fake and knows nothing of gRPC.
// The real implementation (grpc_upstreams.h) holds one long-lived channel per service.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "libs/rpc/metadata.h"

namespace planapi::gateway {

enum class Upstream { kAuth, kFhir, kDirectory, kRegistry, kReview };
inline constexpr Upstream kAllUpstreams[] = {Upstream::kAuth, Upstream::kFhir,
                                             Upstream::kDirectory, Upstream::kRegistry,
                                             Upstream::kReview};
absl::string_view UpstreamName(Upstream upstream);

enum class Realm { kNone, kProduction, kSandbox, kDirectory };
absl::string_view RealmName(Realm realm);

enum class FhirInteraction {
  kCapabilities,
  kRead,
  kVRead,
  kHistoryInstance,
  kHistoryType,  // [type]/_history
  kSearchType,
  kEverything,  // Patient/[id]/$everything
  kTransaction,  // POST [base] with a transaction or batch Bundle
  kCreate,
  kUpdate,
  kDelete,
};

// Whether the interaction changes data.
inline bool IsWrite(FhirInteraction i) {
  return i == FhirInteraction::kCreate || i == FhirInteraction::kUpdate ||
         i == FhirInteraction::kDelete || i == FhirInteraction::kTransaction;
}

struct FhirCall {
  FhirInteraction interaction;
  Realm realm;
  std::string base_url;
  std::string type;
  std::string id;
  std::string version_id;  // vread
  int count = 0;           // history: how many versions (0: the service's default)
  std::string since;       // history-type: _since
  std::string cursor;      // history-type: _cursor of a next link
  std::vector<std::pair<std::string, std::string>> params;
  bool lenient = false;    // search: Prefer: handling=lenient
  // Writes: the resource (create, update) or the Bundle (transaction, batch) as sent, a
  // create's If-None-Exist query (conditional create), and an update's or delete's If-Match
  // ETag (version-aware: the service answers 412 when it is not the current version).
  std::string body;
  std::string if_none_exist;
  std::string if_match;
  // The verified caller, for member data (empty otherwise): sent as gRPC metadata
  // x-planapi-patient (the compartment to confine to), x-planapi-scopes (the granted scopes, for
  // category filters) and x-planapi-client.
  std::string principal_patient;
  std::string principal_scopes;
  std::string principal_client;
  std::string principal_user;        // x-planapi-user: the account, for the audit trail
  // x-planapi-categories: granular scopes allow only these categories (comma-separated); the
  // service refuses reads outside them, and searches carry them as a category parameter.
  std::string principal_categories;
  // x-planapi-types: the types the token may search, which bounds includes, _has and chains.
  std::string principal_types;
};

struct FhirResult {
  std::string json;
  std::string version_id;
  std::string last_updated;
  bool created = false;  // a write made a new resource: 201 with Location
  std::string id;        // the written resource's id
};

struct WebCall {
  std::string method;
  std::string path;
  std::string query;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  Realm realm;
  std::string base_url;
};

struct WebResult {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

// Thread-safe. Callbacks run on any thread, exactly once, within the call's deadline.
class Upstreams {
 public:
  virtual ~Upstreams() = default;
  virtual void Fhir(Upstream to, FhirCall call, const rpc::CallInfo& info,
                    absl::AnyInvocable<void(absl::StatusOr<FhirResult>)> done) = 0;
  virtual void Web(Upstream to, WebCall call, const rpc::CallInfo& info,
                   absl::AnyInvocable<void(absl::StatusOr<WebResult>)> done) = 0;
  // OK when the service reports SERVING; FAILED_PRECONDITION when it reports NOT_SERVING; the
  // call's error when it cannot be reached.
  virtual void Health(Upstream to, const rpc::CallInfo& info,
                      absl::AnyInvocable<void(absl::Status)> done) = 0;
};

}  // namespace planapi::gateway
