// What the UI tests of languages and zoo models share: putting the UI language back to English when a
// test ends (the tables are global), and loading a bundled zoo model the way the model picker does.
#pragma once
#include <string>

#include <doctest/doctest.h>

#include "core/i18n.h"
#include "platform/file_io.h"
#include "tests/ui/ui_harness.h"
#include "ui/bundled_models.h"

namespace attn {

// Declare one at the top of a test that switches the language: English again however the test ends.
struct EnglishAfter {
    ~EnglishAfter() { set_language(Language::en); }
};

// Loads the bundled model `name` (assets/models/NAME) into the app; the test stops if it cannot.
inline void load_zoo(UiHarness& ui, const std::string& name) {
    const BundledModel* m = bundled_model_find(bundled_models(), name);
    REQUIRE_MESSAGE(m, name);
    Expected<FileSet> files = folder_read(m->dir);
    REQUIRE_MESSAGE(files.ok(), files.error().message);
    REQUIRE_MESSAGE(app_load_model(ui.app, *files, name), ui.app.load_error);
}

}  // namespace attn
