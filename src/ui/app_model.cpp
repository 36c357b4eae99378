// The app's calls into the model: loading (keeping the old model on failure) and re-tracing the text.
// Synchronous: the small models this page ships run in well under a frame.
#include <chrono>

#include "ui/app.h"

namespace attn {

bool app_load_model(App& app, const FileSet& files, const std::string& name) {
    Expected<ModelPtr> loaded = model_load(files);
    if (!loaded) {
        app.load_error = "cannot load model " + name + ": " + loaded.error().message;
        return false;
    }
    app.model = std::move(*loaded);
    app.model_name = name;
    app.load_error.clear();
    selection_clamp(app.selection, app.model->info().n_layer, app.model->info().n_head);
    app_set_text(app, app.text);
    return true;
}

void app_set_text(App& app, const std::string& text) {
    if (&app.text != &text) {
        app.text = text;
        ++app.text_generation;   // the text box drops its edit state and shows the new text
    }
    if (!app.model) return;
    TraceOptions options;
    options.capture_hidden_states = false;   // the heatmap needs attentions only
    auto start = std::chrono::steady_clock::now();
    bool truncated = false;
    Expected<Trace> trace = model_trace_text(*app.model, app.text, options, &truncated);
    double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    if (!trace) {
        app.trace_error = trace.error().message;
        return;   // the previous trace stays on screen
    }
    app.trace_error.clear();
    app.truncated = truncated;
    app_show_trace(app, std::move(*trace), ms);
}

}  // namespace attn
