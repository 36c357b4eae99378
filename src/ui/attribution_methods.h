// The method table moved to the analysis layer (faithfulness and the explanation read it too); the UI
// keeps including it from here.
#pragma once
#include "analysis/attribution_methods.h"
