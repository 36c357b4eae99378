// The flow view: the residual-adjusted, head-averaged attention (Ahat) of every layer as a layered
// graph, input tokens at the bottom and the last layer's outputs at the top. Hovering a top token lights
// the paths feeding it (node importance = partial rollout) and lists each input token's max flow to it.
// Nothing heavy runs per frame: Ahat is made per trace by the app (app_flow.h, in steps when the
// trace is long), the max-flow row of the token in focus is computed by the app too, a source a step once
// the pointer rests on it, and kept per token, and the edge list is rebuilt only when the threshold or
// focus changes.
// Draw-list only; vertices are budgeted (16-bit indices in WebGL) like view_lines.cpp.
//
// Sections: caches | layout | drawing | hover tooltips (the edges: ui/flow_edges.h)
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "imgui.h"
#include "core/i18n.h"
#include "ui/draw_text.h"
#include "ui/flow_edges.h"
#include "ui/theme.h"
#include "ui/label_thinning.h"
#include "ui/views.h"
#include "ui/widget_marks.h"

namespace attn {

namespace {

constexpr int kVertexBudget = 48000;        // for the whole window, leaving room for widgets
constexpr int kMaxVertsPerLine = 8;         // AddLine's worst case (thick, anti-aliased)
constexpr int kNodeVertexBudget = 12000;    // nodes drawn as circles, then squares, then not at all
constexpr float kMinImportance = 0.005f;    // lit edges below this carry too little to show
const ImU32 kAccent = IM_COL32(255, 170, 40, 255);

// ---------------------------------------------------------------- caches

const std::vector<double>& importance_for(FlowViewState& s, int j) {
    if (s.importance_token != j) {
        s.importance = rollout_importance(s.ahat, j);
        s.importance_token = j;
    }
    return s.importance;
}

// ---------------------------------------------------------------- layout

struct FlowLayout {
    float gx = 0, dx = 1;       // token i's centre: gx + (i + 0.5) dx
    float top_y = 0, dy = 1;    // layer l's row: top_y + (L - l) dy
    float radius = 0;           // node radius (0: nodes not drawn)
    bool node_circles = false;
    bool vertical_labels = false;
    int label_step = 1;         // every label_step-th token label is drawn
    float top_label_h = 0, bottom_label_h = 0, bars_h = 0;
    float row_label_w = 0;
    int L = 0, T = 0;
    float x(int i) const { return gx + (i + 0.5f) * dx; }
    float y(int l) const { return top_y + (L - l) * dy; }
    float bottom_y() const { return y(0); }
};

FlowLayout flow_layout(ImVec2 origin, ImVec2 avail, int L, int T, float widest_label) {
    FlowLayout g;
    g.L = L;
    g.T = T;
    const float fs = ImGui::GetFontSize();
    g.row_label_w = ImGui::CalcTextSize(tr("ui.flow.layer_2")).x + fs * 0.6f;
    const float width = std::max(fs, avail.x - g.row_label_w - fs * 0.5f);
    g.gx = origin.x + g.row_label_w;
    g.dx = width / T;
    g.vertical_labels = g.dx < widest_label + fs * 0.4f;
    const float label_pitch = g.vertical_labels ? fs * 1.1f : widest_label + fs * 0.4f;
    g.label_step = label_step(g.dx, label_pitch);
    const float label_h = g.vertical_labels ? std::min(widest_label, fs * 4.5f) + fs * 0.3f : fs * 1.3f;
    g.top_label_h = label_h;
    g.bottom_label_h = label_h;
    g.bars_h = fs * 2.4f;
    const float caption_h = fs * 2.8f;   // up to two wrapped lines
    const float graph_h = avail.y - g.top_label_h - g.bottom_label_h - g.bars_h - caption_h;
    // Layers at least a font apart: at a projector font the view grows taller and its window scrolls,
    // rather than stacking every layer on one line.
    g.dy = L > 0 ? std::max(fs * 1.5f, graph_h / L) : 0.0f;
    g.top_y = origin.y + g.top_label_h + fs * 0.3f;
    g.radius = std::min({g.dx * 0.3f, g.dy * 0.18f, fs * 0.4f});
    const int n_nodes = (L + 1) * T;
    if (g.radius >= 3.0f && n_nodes * 16 <= kNodeVertexBudget) g.node_circles = true;
    else if (g.radius < 1.0f || n_nodes * 4 > kNodeVertexBudget) g.radius = 0.0f;
    return g;
}

float distance_to_segment(ImVec2 p, ImVec2 a, ImVec2 b) {
    const float vx = b.x - a.x, vy = b.y - a.y, wx = p.x - a.x, wy = p.y - a.y;
    const float len2 = vx * vx + vy * vy;
    const float t = len2 > 0.0f ? std::clamp((wx * vx + wy * vy) / len2, 0.0f, 1.0f) : 0.0f;
    const float dx = wx - t * vx, dy = wy - t * vy;
    return std::sqrt(dx * dx + dy * dy);
}

const char* layer_name(int l, char* buf, size_t n) {
    if (l == 0) return tr("pictures.flow.input");
    std::snprintf(buf, n, tr("ui.flow.layer_3"), l);
    return buf;
}

}  // namespace

// ---------------------------------------------------------------- drawing

void show_flow(Selection& sel, const FlowData& d) {
    if (d.top_nodes) d.top_nodes->clear();
    if (d.no_flow_reason) {
        ImGui::TextWrapped("%s", d.no_flow_reason);
        return;
    }
    const AttentionTensor* attn = d.attention;
    if (!attn || attn->empty() || attn->n_query == 0 || !d.tokens || !d.state) {
        ImGui::TextDisabled("%s", tr("ui.flow.attention_flow"));
        ImGui::TextWrapped("%s", tr("ui.common.no_attention_to_show"));
        return;
    }
    FlowViewState& s = *d.state;
    if (s.key != d.trace_key || !flow_state_ready(s)) {   // the app makes Ahat in steps (app_flow.h)
        ImGui::TextDisabled("%s", tr("ui.flow.attention_flow"));
        const int done = s.key == d.trace_key ? s.ahat_done : 0;
        ImGui::TextWrapped("%s", trf("ui.flow.preparing", {{"done", std::to_string(done)},
                                                           {"total", std::to_string(attn->n_layer)}}).c_str());
        return;
    }
    if (s.ahat.empty()) {
        ImGui::TextWrapped("%s", tr("ui.flow.flow_needs_a_self"));
        return;
    }
    const int L = s.ahat.n_layer, T = s.ahat.n_token;
    const float fs = ImGui::GetFontSize();

    if (d.picture) {   // the legend in place of the explanation and the slider
        ImGui::TextWrapped(tr("ui.flow.rows_the_tokens_after"), s.threshold, s.pinned >= 0 ? tr("ui.flow.orange_the_paths_into") : "");
    } else {
        // The full explanation wraps to four lines at a projector font, so it waits behind a hover and the
        // graph keeps the room; a short line says what the rows are.
        ImGui::TextUnformatted(tr("ui.flow.attention_flow_input_at"));
        ImGui::SameLine();
        ImGui::TextDisabled("(?)");
        if (ImGui::IsItemHovered()) {
            ImGui::BeginTooltip();
            ImGui::PushTextWrapPos(fs * 28.0f);
            ImGui::TextUnformatted(tr("ui.flow.each_row_is_the"));
            ImGui::PopTextWrapPos();
            ImGui::EndTooltip();
        }
        ImGui::SetNextItemWidth(fs * 10.0f);
        ImGui::SliderFloat(tr_id("ui.flow.hide_edges_below"), &s.threshold, 0.0f, 1.0f, "%.2f");
        if (d.slider_rect) {
            *d.slider_rect = last_item_rect();
            (*d.slider_rect)[2] = fs * 10.0f;   // the slider's frame, not its label
        }
        if (ImGui::IsItemHovered())
            ImGui::SetTooltip("%s", tr("ui.flow.edges_with_a_weaker"));
    }

    const ImFont* font = ImGui::GetFont();
    std::vector<std::string> labels = token_labels_for_font(*d.tokens, T, d.piece_style, font);
    std::vector<std::string> elided(T);
    for (int i = 0; i < T; ++i) elided[i] = label_elide(labels[i], kLabelMaxChars);
    ImGui::Spacing();
    const ImVec2 origin = ImGui::GetCursorScreenPos();
    const ImVec2 avail = ImGui::GetContentRegionAvail();
    const FlowLayout g = flow_layout(origin, avail, L, T, labels_widest(labels));

    // Hover and pin: the top row's tokens (node and label band) pick the output token in focus.
    const ImGuiIO& io = ImGui::GetIO();
    const bool window_hovered = ImGui::IsWindowHovered();
    const ImVec2 m = io.MousePos;
    const float hit_r = std::max({g.radius, 4.0f, std::min(g.dy * 0.3f, fs)});
    int hover_top = -1;
    if (window_hovered && m.x >= g.gx && m.x < g.gx + g.dx * T && m.y >= origin.y && m.y <= g.top_y + hit_r)
        hover_top = std::clamp(static_cast<int>((m.x - g.gx) / g.dx), 0, T - 1);
    if (hover_top >= 0 && ImGui::IsMouseClicked(0)) s.pinned = s.pinned == hover_top ? -1 : hover_top;
    if (hover_top >= 0) sel.hover_query = hover_top;
    if (d.top_nodes)
        for (int j = 0; j < T; ++j) d.top_nodes->push_back({g.x(j) - g.dx * 0.5f, g.top_y - hit_r, g.dx, 2.0f * hit_r});
    const int focus = hover_top >= 0 ? hover_top : s.pinned;

    const std::vector<double> none;
    const std::vector<double>& importance = focus >= 0 ? importance_for(s, focus) : none;
    flow_state_focus(s, focus);   // the app computes its max-flow row once the pointer rests (app_flow.h)
    const bool can_flow = s.flow_fits;
    const auto row = focus >= 0 ? s.flow_rows.find(focus) : s.flow_rows.end();
    const std::vector<double>* flow_row = row != s.flow_rows.end() ? &row->second : nullptr;
    const float flow_progress = s.job_token == focus && T > 0 ? static_cast<float>(s.job_next) / T : 0.0f;

    ImDrawList* dl = ImGui::GetWindowDrawList();
    const int n_drawn_labels = 2 * ((T + g.label_step - 1) / g.label_step) + 2;
    const int text_reserve = n_drawn_labels * kLabelMaxChars * 4 + (L + 1) * 40 + T * 4 * 8;
    const int node_verts = g.radius > 0.0f ? (L + 1) * T * (g.node_circles ? 16 : 4) : 0;
    const int budget = std::max(0, kVertexBudget - dl->VtxBuffer.Size - node_verts - text_reserve);
    const size_t cap = static_cast<size_t>(budget / kMaxVertsPerLine);
    if (s.edges_threshold != s.threshold || s.edges_token != focus || s.edges_cap != cap) {
        s.edges = flow_state_candidates(s)
                      ? flow_edges_from(s.candidates, s.ahat, s.threshold, importance, kMinImportance, cap, &s.edges_dropped)
                      : flow_edges(s.ahat, s.threshold, importance, kMinImportance, cap, &s.edges_dropped);
        s.edges_threshold = s.threshold;
        s.edges_token = focus;
        s.edges_cap = cap;
    }

    // Row guides and labels at the left.
    const ImU32 text = ImGui::GetColorU32(ImGuiCol_Text);
    const ImU32 dim = ImGui::GetColorU32(ImGuiCol_TextDisabled);
    const int row_step = g.dy >= fs * 1.1f ? 1 : static_cast<int>(std::ceil(fs * 1.1f / g.dy));
    char buf[32];
    for (int l = 0; l <= L; ++l) {
        dl->AddLine(ImVec2(g.gx, g.y(l)), ImVec2(g.gx + g.dx * T, g.y(l)), theme_outline(0.07f));
        if (l % row_step != 0 && l != L) continue;
        const char* name = layer_name(l, buf, sizeof buf);
        dl->AddText(ImVec2(origin.x, g.y(l) - fs * 0.5f), l == 0 || l == L ? text : dim, name);
    }

    // Edges: lit paths in the accent colour on top, the rest dimmed while a token is in focus.
    float max_imp = 0.0f;
    for (const FlowEdge& e : s.edges) max_imp = std::max(max_imp, e.importance);
    const float thin = g.dx >= 6.0f ? 1.0f : 0.7f;
    for (const FlowEdge& e : s.edges) {
        ImVec2 a(g.x(e.from), g.y(e.layer - 1)), b(g.x(e.to), g.y(e.layer));
        if (e.importance > 0.0f) {
            float r = e.importance / max_imp;
            dl->AddLine(a, b, (kAccent & 0x00ffffff) | (static_cast<ImU32>(255 * (0.35f + 0.65f * r)) << 24),
                        thin + 3.0f * r);
        } else {
            float alpha = std::clamp(e.weight, 0.12f, 1.0f) * (focus >= 0 ? 0.25f : 0.9f);
            dl->AddLine(a, b, theme_is_light() ? IM_COL32(30, 80, 160, static_cast<int>(alpha * 255))
                                               : IM_COL32(150, 190, 240, static_cast<int>(alpha * 255)),
                        thin + 1.5f * e.weight);
        }
    }

    // Nodes: shaded by their importance for the focus token.
    if (g.radius > 0.0f)
        for (int l = 0; l <= L; ++l)
            for (int i = 0; i < T; ++i) {
                float imp = importance.empty() ? 0.0f : static_cast<float>(importance[static_cast<size_t>(l) * T + i]);
                ImU32 fill = imp > 0.0f ? IM_COL32(255, 170, 40, static_cast<int>(80 + 175 * std::min(1.0f, imp * 2.0f)))
                                        : IM_COL32(110, 120, 140, focus >= 0 ? 120 : 230);
                if (l == L && i == focus) fill = kAccent;
                ImVec2 c(g.x(i), g.y(l));
                if (g.node_circles) dl->AddCircleFilled(c, g.radius, fill, 8);
                else dl->AddRectFilled(ImVec2(c.x - g.radius, c.y - g.radius), ImVec2(c.x + g.radius, c.y + g.radius), fill);
            }

    // Token labels above the top row and under the bottom row; the focus token always.
    auto draw_label = [&](int i, bool above) {
        const std::string& l = elided[i];
        ImU32 col = i == focus && above ? kAccent : text;
        ImVec2 size = ImGui::CalcTextSize(l.c_str());
        const float gap = std::max(g.radius, 2.0f) + fs * 0.2f;
        if (g.vertical_labels) {
            float w = std::min(size.x, g.top_label_h);
            float y = above ? g.top_y - gap : g.bottom_y() + gap + w;
            draw_text_vertical(dl, ImVec2(g.x(i) - size.y * 0.5f, y), col, l);
        } else {
            float y = above ? g.top_y - gap - size.y : g.bottom_y() + gap;
            dl->AddText(ImVec2(g.x(i) - size.x * 0.5f, y), col, l.c_str());
        }
    };
    for (int i = 0; i < T; ++i)
        if (i % g.label_step == 0 && i != focus) {
            draw_label(i, true);
            draw_label(i, false);
        }
    if (focus >= 0) {
        draw_label(focus, true);
        if (focus % g.label_step == 0) draw_label(focus, false);
    }

    // Bars under the bottom labels: each input token's max flow (or rollout) to the focus token.
    const float bars_top = g.bottom_y() + std::max(g.radius, 2.0f) + fs * 0.3f + g.bottom_label_h;
    const std::vector<double>* values = nullptr;
    std::vector<double> rollout_row;
    if (focus >= 0) {
        if (flow_row) {
            values = flow_row;
        } else {
            rollout_row.assign(importance.begin(), importance.begin() + T);   // row 0 = the rollout row
            values = &rollout_row;
        }
        double vmax = 1e-12;
        for (double v : *values) vmax = std::max(vmax, v);
        const bool numbers = g.dx >= ImGui::CalcTextSize("0.00").x + 2.0f;
        const float bar_h = g.bars_h - (numbers ? fs : 0.0f) - fs * 0.2f;
        for (int i = 0; i < T; ++i) {
            float v = static_cast<float>((*values)[i]);
            float h = bar_h * static_cast<float>(v / vmax);
            float half = std::max(0.5f, g.dx * 0.35f);
            dl->AddRectFilled(ImVec2(g.x(i) - half, bars_top + bar_h - h), ImVec2(g.x(i) + half, bars_top + bar_h),
                              flow_row ? kAccent : IM_COL32(200, 150, 90, 255));
            if (numbers) {
                std::snprintf(buf, sizeof buf, "%.2f", v);
                ImVec2 ts = ImGui::CalcTextSize(buf);
                dl->AddText(ImVec2(g.x(i) - ts.x * 0.5f, bars_top + bar_h + fs * 0.1f), dim, buf);
            }
        }
    }

    // Claim the space, then the one-line caption under the bars.
    ImGui::SetCursorScreenPos(origin);
    ImGui::Dummy(ImVec2(avail.x, bars_top + g.bars_h - origin.y));
    if (focus >= 0) {
        const std::string& who = elided[focus];
        if (flow_row)
            ImGui::TextWrapped(tr("ui.flow.bars_how_much_of"),
                        who.c_str());
        else if (can_flow)
            ImGui::TextWrapped(tr("ui.flow.computing_max_flow_for"),
                        who.c_str(), static_cast<int>(flow_progress * 100.0f), who.c_str());
        else
            ImGui::TextWrapped(tr("ui.flow.bars_the_share_of"), who.c_str(), T);
    } else if (!d.picture) {
        ImGui::TextDisabled("%s", tr("ui.flow.hover_a_top_row"));
    }
    // One line of notes: skipped token labels, then edges left out.
    std::string note = label_thinning_note(g.label_step);
    if (s.edges_dropped > 0)
        note = notes_joined(note, trf("pictures.flow.weaker_dropped", {{"n", std::to_string(s.edges_dropped)}}));
    if (!note.empty()) {
        ImGui::PushTextWrapPos(0.0f);   // a narrow picture at a projector font wraps the note
        ImGui::TextDisabled("%s", note.c_str());
        ImGui::PopTextWrapPos();
        if (g.label_step > 1) widget_mark("flow_label_note");
    }

    // ------------------------------------------------------------ hover tooltips
    if (!window_hovered || hover_top >= 0) {
        if (hover_top >= 0) {
            ImGui::BeginTooltip();
            ImGui::Text(tr("ui.flow.token_after_layer"), labels[hover_top].c_str(), hover_top, L);
            ImGui::TextDisabled(s.pinned == hover_top ? tr("ui.common.click_to_unpin") : tr("ui.flow.click_to_pin_its"));
            ImGui::EndTooltip();
        }
        return;
    }
    // A node under the mouse first, else the nearest drawn edge.
    const int l_near = static_cast<int>(std::lround((g.bottom_y() - m.y) / std::max(g.dy, 1e-3f)));
    const int i_near = static_cast<int>(std::floor((m.x - g.gx) / g.dx));
    if (l_near >= 0 && l_near <= L && i_near >= 0 && i_near < T &&
        std::fabs(m.y - g.y(l_near)) <= std::max(g.radius, 3.0f) && std::fabs(m.x - g.x(i_near)) <= std::max(g.radius, g.dx * 0.5f)) {
        ImGui::BeginTooltip();
        ImGui::Text(tr("ui.flow.token"), labels[i_near].c_str(), i_near, layer_name(l_near, buf, sizeof buf));
        if (!importance.empty())
            ImGui::Text(tr("ui.flow.share_of_at_the"), elided[focus].c_str(),
                        importance[static_cast<size_t>(l_near) * T + i_near]);
        if (l_near >= 1) {
            const double* row = s.ahat.layer(l_near - 1) + static_cast<size_t>(i_near) * T;
            std::vector<int> order(T);
            for (int i = 0; i < T; ++i) order[i] = i;
            const int n = std::min(T, 3);
            std::partial_sort(order.begin(), order.begin() + n, order.end(), [&](int a, int b) { return row[a] > row[b]; });
            ImGui::TextDisabled("%s", tr("ui.flow.comes_from_the_row"));
            for (int r = 0; r < n; ++r)
                ImGui::Text("  '%s': %.3f%s", elided[order[r]].c_str(), row[order[r]], order[r] == i_near ? tr("ui.flow.itself") : "");
        }
        ImGui::EndTooltip();
        return;
    }
    const FlowEdge* best = nullptr;
    float best_d = 4.0f;
    for (const FlowEdge& e : s.edges) {
        float dist = distance_to_segment(m, ImVec2(g.x(e.from), g.y(e.layer - 1)), ImVec2(g.x(e.to), g.y(e.layer)));
        if (dist < best_d || (best && dist == best_d && e.importance > best->importance)) best_d = dist, best = &e;
    }
    if (best) {
        ImGui::BeginTooltip();
        ImGui::Text(tr("ui.flow.layer"), elided[best->from].c_str(),
                    layer_name(best->layer - 1, buf, sizeof buf), elided[best->to].c_str(), best->layer, best->weight);
        ImGui::TextDisabled(tr("ui.flow.f_after_layer_comes"), best->weight * 100.0f,
                            elided[best->to].c_str(), best->layer, elided[best->from].c_str(),
                            best->from == best->to ? tr("ui.flow.itself_residual_self_attention") : tr("ui.flow.below"));
        if (best->importance > 0.0f)
            ImGui::Text(tr("ui.flow.on_the_path_to"), elided[focus].c_str(), best->importance);
        ImGui::EndTooltip();
    }
}

}  // namespace attn
