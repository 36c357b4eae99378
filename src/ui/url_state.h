// The view as a URL fragment (ui/url_fragment.h: the fields, parsing and writing): the app's state as
// one, and one applied to the app.
#pragma once
#include <string>

#include "ui/app.h"
#include "ui/url_fragment.h"

namespace attn {

// The app's state as a fragment (no '#'). The model is named when it is a bundled one, marked
// local:NAME when it was opened from disk (or a link named such a model and none was opened since).
std::string url_state_format(const App& app);
// Applies everything but the model (loading it is the platform's job, before this call). A local
// model the app has not loaded is remembered in app.linked_disk_model and named in the status bar.
void app_apply_url_state(App& app, const UrlState& state);

}  // namespace attn
