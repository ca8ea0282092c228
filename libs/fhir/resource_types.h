// The resource types each FHIR endpoint serves, as data: the shared engine is configured with one
// of these lists rather than having handlers per type. Type names are validated against them at
// the edge, once, so deeper code never sees an unknown type.
#pragma once

#include <optional>
#include <span>

#include "absl/strings/string_view.h"

namespace planapi::fhir {

// Patient Access API (CMS): the member's clinical and claims data and what it references.
std::span<const absl::string_view> PatientAccessTypes();

// Provider Directory API (Da Vinci PDex Plan-Net).
std::span<const absl::string_view> DirectoryTypes();

// Whether `name` is in `types`.
bool Contains(std::span<const absl::string_view> types, absl::string_view name);

// Whether `id` is a valid FHIR logical id: [A-Za-z0-9\-\.]{1,64}.
bool IsValidId(absl::string_view id);

// The version an ETag names (W/"3", or "3"), as If-Match and Bundle.entry.request.ifMatch carry
// it; nullopt when it is no such tag.
std::optional<int> VersionOfETag(absl::string_view etag);

// Whether `name` has the shape of a FHIR resource type name (an upper-case letter, then letters).
bool LooksLikeTypeName(absl::string_view name);

}  // namespace planapi::fhir
