// Turns an HTTP request on a FHIR base into a typed engine call (FHIR RESTful API, R4): the
// interaction from method and path, search parameters from the query or a form body. Refuses
// what FHIR does not define with the status FHIR asks for.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "libs/fhir/form.h"
#include "libs/http/message.h"
#include "services/gateway/upstreams.h"

namespace planapi::gateway {

// The parsed request, or for a known path and another method the methods it allows.
struct FhirParse {
  FhirCall call;
  // When non-empty the method is not allowed here: answer 405 with this Allow header value.
  std::string allowed;
};

// `rest` is the path below the FHIR base ("" or "/..."). Fills in the call's interaction, type, id,
// params and If-None-Exist (realm, base_url and a write's body are the caller's: it owns the
// request and moves the body rather than copying it). NOT_FOUND for paths FHIR does not define or
// type names that cannot be resource types; INVALID_ARGUMENT for a malformed id or query.
absl::StatusOr<FhirParse> ParseFhirRequest(const http::Request& request, absl::string_view rest);

// One entry of a transaction or batch Bundle: the type it addresses and what it does, so that
// the caller's scopes can be checked for every entry before anything is forwarded.
struct BundleEntryAccess {
  std::string type;
  FhirInteraction interaction;  // kCreate, kUpdate, kDelete, kRead or kSearchType
};

// The entries of a transaction or batch Bundle. INVALID_ARGUMENT naming the entry when the body
// is not a Bundle or an entry's request cannot be understood; the FHIR service validates the
// rest (the Bundle's type, the resources themselves).
absl::StatusOr<std::vector<BundleEntryAccess>> BundleAccesses(absl::string_view body);

// Form decoding lives with the FHIR vocabulary, shared with the services.
using fhir::ParseForm;
using fhir::PercentDecode;

}  // namespace planapi::gateway
