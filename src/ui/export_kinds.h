// What Export offers, as the one table the Export menu, the page API (exportFile('svg')), file names
// and the picture scales all read: pictures for slides and papers, numbers for notebooks.
#pragma once
#include <cstring>
#include <string>

#include "core/i18n.h"

namespace attn {

enum class ExportKind { png, svg, csv, json, npy, trace_safetensors, trace_npz };

struct ExportKindInfo {
    ExportKind kind;
    const char* name;    // the page API's name: exportFile('png')
    const char* label;   // the string table key of the Export menu's entry (export_kind_label)
};
constexpr ExportKindInfo kExportKinds[] = {
    {ExportKind::png, "png", "ui.export.png"},
    {ExportKind::svg, "svg", "ui.export.svg"},
    {ExportKind::csv, "csv", "ui.export.csv"},
    {ExportKind::json, "json", "ui.export.json"},
    {ExportKind::npy, "npy", "ui.export.npy"},
    {ExportKind::trace_safetensors, "safetensors", "ui.export.safetensors"},
    {ExportKind::trace_npz, "npz", "ui.export.npz"},
};

// PNG resolutions: the picture's canvas and font are multiplied, so text stays sharp.
constexpr int kPictureScales[] = {1, 2, 4};
inline bool picture_scale_ok(int scale) {
    for (int s : kPictureScales)
        if (s == scale) return true;
    return false;
}

inline const ExportKindInfo& export_kind_info(ExportKind kind) {
    for (const ExportKindInfo& k : kExportKinds)
        if (k.kind == kind) return k;
    return kExportKinds[0];
}
inline const char* export_kind_label(ExportKind kind) { return tr(export_kind_info(kind).label); }
inline const char* export_kind_name(ExportKind kind) { return export_kind_info(kind).name; }
// False (and *out unchanged) for a name that is not in kExportKinds.
inline bool export_kind_from_name(const char* name, ExportKind* out) {
    for (const ExportKindInfo& k : kExportKinds)
        if (name && std::strcmp(name, k.name) == 0) {
            *out = k.kind;
            return true;
        }
    return false;
}
// "png, svg, csv, ...": for messages that list what is accepted.
inline std::string export_kind_names() {
    std::string out;
    for (const ExportKindInfo& k : kExportKinds) out += (out.empty() ? "" : ", ") + std::string(k.name);
    return out;
}

}  // namespace attn
