// The haswell build of the JSON matcher (see json_matcher.inc).
#define KIROKU_JSON_NS haswell
#include "filter/json_matcher.inc"
