// Links: "Copy link" hands the URL fragment to the platform, and a model opened from disk, which no
// link can carry, is marked in the fragment and named in the status bar on both ends.
#include "imgui.h"
#include "ui/app.h"
#include "ui/url_state.h"

namespace attn {

void app_mark_model_from_disk(App& app) {
    if (app.model) app.model_from_disk = true;
}

std::string app_copy_link(App& app) {
    const std::string fragment = url_state_format(app);
    bool copied = true;
    if (app.config.copy_link) copied = app.config.copy_link(fragment);
    else ImGui::SetClipboardText(("#" + fragment).c_str());
    if (!copied) {
        app.action_error = "cannot copy the link: the browser refused the clipboard (the address bar has it)";
        return fragment;
    }
    app.action_error.clear();
    if (app.model && app.model_from_disk)
        app.notice = "link copied; this link cannot carry the model you opened from disk (" + app.model_name +
                     "): it reproduces the text and view, and asks the reader to open the model";
    else
        app.notice = "link copied: it reproduces this model, text and view";
    return fragment;
}

std::string app_link_warning(const App& app) {
    if (app.linked_disk_model.empty()) return "";
    return "this link was made with a model opened from disk (" + app.linked_disk_model +
           "): open that folder with Open model..." + (app.model ? " (showing " + app.model_name + " meanwhile)" : "");
}

}  // namespace attn
