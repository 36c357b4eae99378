// `render`: the explorer's main view as a PNG, headlessly (no display, no GPU): the app's own views
// drawn in picture-only layout by the software rasteriser (ui/picture.h), at 1x, 2x or 4x; or as an
// SVG (ui/svg_export.h) when --out ends in .svg or --format svg. Built only with the app
// (ATTN_BUILD_APP); it draws nothing itself.
#include <cstdio>
#include <string>

#include "analysis/check_suites.h"
#include "cli/commands.h"
#include "core/i18n.h"
#include "platform/file_io.h"
#include "platform/fonts.h"
#include "ui/app.h"
#include "ui/app_checks.h"
#include "ui/colormap.h"
#include "ui/picture.h"

namespace attn {
namespace {

void size_of(const std::string& text, int* width, int* height) {
    char tail = 0;
    if (std::sscanf(text.c_str(), "%dx%d%c", width, height, &tail) != 2 || *width < 64 || *height < 64 ||
        *width > 8192 || *height > 8192)
        throw UsageError{"--size wants WxH between 64x64 and 8192x8192, e.g. 1600x1000, got '" + text + "'"};
}

AttentionKind kind_of(const std::string& name, const ModelInfo& info, const std::string& folder) {
    if (name == "self") return AttentionKind::self;
    if (name != "decoder" && name != "cross") throw UsageError{"--kind wants self, decoder or cross, got '" + name + "'"};
    if (!info.encoder_decoder)
        throw UsageError{"--kind " + name + " applies to encoder-decoder models; " + folder + " is " + info.architecture +
                         " (self attention only)"};
    return name == "decoder" ? AttentionKind::decoder : AttentionKind::cross;
}

void check_index(const char* option, int value, int count, const char* what, const std::string& model) {
    if (value < 0 || value >= count)
        throw UsageError{std::string(option) + " " + std::to_string(value) + " is outside " + model + "'s " +
                         std::to_string(count) + " " + what + " (0-" + std::to_string(count - 1) + ")"};
}

std::string base_name(std::string path) {
    while (path.size() > 1 && path.back() == '/') path.pop_back();
    size_t slash = path.find_last_of('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

}  // namespace

int cmd_render(int argc, char** argv) {
    Args args = args_parse(argc, argv,
                           {"--model", "--text", "--text-file", "--target", "--view", "--layer", "--head", "--kind",
                            "--colormap", "--theme", "--size", "--font-size", "--out", "--scale", "--format", "--checks", "--lang"},
                           {"--auto-scale"});
    const std::string out_path = args.require("--out");
    const std::string folder = args.require("--model");
    const std::string text = args_text(args, "--text", "--text-file");
    MainView view = MainView::heatmap;
    if (args.has("--view") && !main_view_from_name(args.get("--view"), &view))
        throw UsageError{"--view wants one of " + main_view_names() + ", got '" + args.get("--view") + "'"};
    Colormap colormap = Colormap::viridis;
    if (args.has("--colormap") && !colormap_from_name(args.get("--colormap"), &colormap))
        throw UsageError{"--colormap '" + args.get("--colormap") +
                         "' is not one of: viridis, plasma, magma, inferno, cividis, greys"};
    const std::string theme = args.get("--theme", "dark");
    if (theme != "dark" && theme != "light") throw UsageError{"--theme wants dark or light, got '" + theme + "'"};
    int width = 1600, height = 1000;
    if (args.has("--size")) size_of(args.get("--size"), &width, &height);
    const int font_size = args.get_int("--font-size", 18);
    const int scale = args.get_int("--scale", 1);
    if (!picture_scale_ok(scale)) throw UsageError{"--scale wants 1, 2 or 4, got " + std::to_string(scale)};
    const bool svg_by_name = out_path.size() >= 4 && out_path.compare(out_path.size() - 4, 4, ".svg") == 0;
    const std::string format = args.get("--format", svg_by_name ? "svg" : "png");
    if (format != "png" && format != "svg") throw UsageError{"--format wants png or svg, got '" + format + "'"};
    if (format == "svg" && args.has("--scale")) throw UsageError{"--scale applies to PNG pictures; an SVG has no pixels"};
    if (!picture_fits(width, height, scale))
        throw UsageError{"--size " + std::to_string(width) + "x" + std::to_string(height) + " at --scale " +
                         std::to_string(scale) + " is over " + std::to_string(kMaxPicturePixels / 1000000) +
                         " million pixels; pick a smaller size or scale"};
    if (font_size < 6 || font_size > 96) throw UsageError{"--font-size wants 6 to 96 pixels, got " + std::to_string(font_size)};

    if (!path_is_directory(folder)) throw UsageError{"--model " + folder + ": not a folder"};
    Expected<FileSet> files = folder_read(folder);
    if (!files) throw UsageError{files.error().message};
    App app;
    if (args.has("--lang")) {   // the picture's words in that language (en, zh)
        Language language;
        if (!language_from_code(args.get("--lang"), &language)) throw UsageError{"--lang wants en or zh, got '" + args.get("--lang") + "'"};
        app_set_language(app, language);
    }
    app.text = text;
    app.target = args.get("--target");
    if (!app_load_model(app, *files, base_name(folder))) throw UsageError{app.load_error};
    if (!app.trace_error.empty()) throw UsageError{app.trace_error};
    const ModelInfo& info = app.model->info();
    if (args.has("--target") && !info.encoder_decoder)
        throw UsageError{"--target applies to encoder-decoder models; " + folder + " is " + info.architecture};
    if (args.has("--kind")) app.selection.kind = kind_of(args.get("--kind"), info, folder);
    const AttentionTensor& shown = *attention_view(app.trace, app.selection.kind).attention;
    app.selection.layer = args.get_int("--layer", 0);
    app.selection.head = args.get_int("--head", 0);
    check_index("--layer", app.selection.layer, shown.n_layer, "layers", app.model_name);
    check_index("--head", app.selection.head, shown.n_head, "heads", app.model_name);

    if (args.has("--checks")) {   // the checks view's result: a built-in suite's name or a suite file
        std::string suite = args.get("--checks");
        if (!builtin_check_suite(suite)) {
            Expected<Bytes> b = file_read(suite);
            if (!b) throw UsageError{"--checks: " + b.error().message};
            suite = std::string(b->begin(), b->end());
        }
        Expected<std::string> ran = app_checks_probe(app, suite);
        if (!ran) throw UsageError{"--checks: " + ran.error().message};
    }
    app.selection.colormap = colormap;
    app.selection.auto_scale = args.has("--auto-scale");
    app.theme = theme == "light" ? Theme::light : Theme::dark;
    app.config.fonts = fonts_read(kSystemPrimaryFont, kSystemCjkFont);
    app.config.font_size = static_cast<float>(font_size);
    app.font_size = app.config.font_size;
    Bytes bytes;
    if (format == "svg") {
        app.main_view = view;
        Expected<ExportFile> svg = app_export_file(app, ExportKind::svg);
        if (!svg) throw UsageError{svg.error().message};
        bytes = std::move(svg->bytes);
    } else {
        bytes = picture_png(app, view, width, height, scale);
        if (bytes.empty()) throw UsageError{"could not encode the picture as PNG"};
    }
    auto written = file_write_atomic(out_path, bytes);
    if (!written) throw UsageError{written.error().message};
    return 0;
}

}  // namespace attn
