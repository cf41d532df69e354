// The generic build of the JSON matcher (see json_matcher.inc).
#define KIROKU_JSON_NS generic
#include "filter/json_matcher.inc"
