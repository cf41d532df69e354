// CloudTrail operations: LookupEvents over the per-region event history (trails, selectors and
// delivery arrive with their issues).
#pragma once

#include "api/operation.h"
#include "trail/event_history.h"
#include "trail/recorder.h"

namespace kiroku::api {

// `history` and `recorder` must outlive the table. Lookups flush the recorder first, so a
// caller sees its own earlier calls.
void AddCloudTrailOperations(OperationTable& table, const trail::EventHistory& history,
                             trail::Recorder& recorder);

}  // namespace kiroku::api
