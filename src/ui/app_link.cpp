// Links: "Copy link" hands the URL fragment to the platform, and a model opened from disk, which no
// link can carry, is marked in the fragment and named in the status bar on both ends.
#include "imgui.h"
#include "core/i18n.h"
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
        app.action_error = tr("errors.clipboard_refused");
        return fragment;
    }
    app.action_error.clear();
    if (app.model && app.model_from_disk)
        app.notice = trf("notices.link_copied_disk_model", {{"model", app.model_name}});
    else
        app.notice = tr("notices.link_copied");
    return fragment;
}

std::string app_link_warning(const App& app) {
    if (app.linked_disk_model.empty()) return "";
    return trf("notices.link_needs_disk_model", {{"model", app.linked_disk_model}}) +
           (app.model ? trf("notices.showing_meanwhile", {{"model", app.model_name}}) : "");
}

}  // namespace attn
