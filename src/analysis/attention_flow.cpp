// Dinic's max flow on the layered attention graph. Flows are doubles and an arc counts as saturated
// below kEps, so rounding never makes a phase loop forever; the answer is exact up to that epsilon
// (total flow into an output node is at most 1, the row sum of Ahat_L).
#include "analysis/attention_flow.h"

#include <algorithm>
#include <limits>

namespace attn {

namespace {

constexpr double kEps = 1e-12;

double residual(const AttentionFlowSolver& s, int arc) {
    int e = s.arc_edge[arc];
    return e >= 0 ? s.capacity[e] - s.flow[e] : s.flow[~e];
}

void push(AttentionFlowSolver& s, int arc, double f) {
    int e = s.arc_edge[arc];
    if (e >= 0) {
        if (s.flow[e] == 0.0) s.touched.push_back(e);
        s.flow[e] += f;
    } else {
        s.flow[~e] -= f;   // a reverse arc has room only where flow was pushed
    }
}

// Marks the nodes with a path to `sink` over the network's edges (searching back along reverse arcs).
// Why it is safe to skip the rest: the graph is layered, so a flow is a sum of source-to-sink paths and
// every edge carrying flow lies on one; a residual arc out of a node that cannot reach the sink (forward
// with room, or back along an edge with flow) therefore leads only to such nodes. No augmenting path
// passes them, the levels of the others are the same, and the search pushes the same flows in the same
// order: the same bits, without visiting the (causal) tokens after the output token or, per source,
// most of the graph.
void mark_reaches(AttentionFlowSolver& s, int sink) {
    if (s.reaches_sink == sink) return;
    s.reaches_sink = sink;
    s.reaches.assign(s.level.size(), 0);
    std::vector<int>& queue = s.path;   // free between queries
    queue.assign(1, sink);
    s.reaches[sink] = 1;
    for (size_t head = 0; head < queue.size(); ++head) {
        const int v = queue[head];
        for (int a = s.first[v]; a < s.first[v + 1]; ++a) {
            const int u = s.arc_to[a];
            if (s.arc_edge[a] < 0 && !s.reaches[u]) {   // the reverse arc of edge u -> v
                s.reaches[u] = 1;
                queue.push_back(u);
            }
        }
    }
}

// Breadth-first levels from `source` over arcs with room left, among the nodes that reach `sink`; false
// when `sink` is unreachable.
bool build_levels(AttentionFlowSolver& s, int source, int sink) {
    std::fill(s.level.begin(), s.level.end(), -1);
    std::vector<int>& queue = s.path;   // free between phases
    queue.clear();
    queue.push_back(source);
    s.level[source] = 0;
    for (size_t head = 0; head < queue.size(); ++head) {
        int u = queue[head];
        for (int a = s.first[u]; a < s.first[u + 1]; ++a) {
            int v = s.arc_to[a];
            if (s.level[v] < 0 && s.reaches[v] && residual(s, a) > kEps) {
                s.level[v] = s.level[u] + 1;
                queue.push_back(v);
            }
        }
    }
    return s.level[sink] >= 0;
}

// One blocking flow along the level graph, with an explicit path stack (no recursion: paths can be
// thousands of arcs long once reverse arcs are used, too deep for the web build's stack).
double blocking_flow(AttentionFlowSolver& s, int source, int sink) {
    for (size_t u = 0; u + 1 < s.first.size(); ++u) s.next_arc[u] = s.first[u];
    std::vector<int>& path = s.path;
    path.clear();
    double total = 0.0;
    int u = source;
    auto tail = [&](size_t k) { return k == 0 ? source : s.arc_to[path[k - 1]]; };
    for (;;) {
        if (u == sink) {
            double f = std::numeric_limits<double>::infinity();
            for (int a : path) f = std::min(f, residual(s, a));
            for (int a : path) push(s, a, f);
            total += f;
            size_t k = 0;   // back up to the tail of the first arc this saturated
            while (k < path.size() && residual(s, path[k]) > kEps) ++k;
            u = tail(k);
            path.resize(k);
            continue;
        }
        int& a = s.next_arc[u];
        while (a < s.first[u + 1] && !(s.level[s.arc_to[a]] == s.level[u] + 1 && residual(s, a) > kEps)) ++a;
        if (a < s.first[u + 1]) {
            path.push_back(a);
            u = s.arc_to[a];
            continue;
        }
        s.level[u] = -1;   // dead end for this phase
        if (path.empty()) break;
        path.pop_back();
        u = tail(path.size());
        ++s.next_arc[u];
    }
    return total;
}

}  // namespace

size_t attention_flow_edge_count(const ResidualAttention& ahat) {
    size_t n = 0;
    for (int l = 0; l < ahat.n_layer; ++l) n += attention_flow_edge_count(ahat, l);
    return n;
}

size_t attention_flow_edge_count(const ResidualAttention& ahat, int layer) {
    return attention_flow_edge_count(ahat, layer, 0, ahat.n_token);
}

size_t attention_flow_edge_count(const ResidualAttention& ahat, int layer, int row_begin, int row_end) {
    const size_t T = static_cast<size_t>(ahat.n_token);
    const double* w = ahat.layer(layer);
    size_t n = 0;
    for (size_t x = row_begin * T; x < row_end * T; ++x) n += w[x] > 0.0;
    return n;
}

AttentionFlowSolver attention_flow_solver(const ResidualAttention& ahat) {
    AttentionFlowSolver s;
    attention_flow_solver_begin(ahat, &s);
    for (int l = 1; l <= ahat.n_layer; ++l) attention_flow_solver_count(ahat, l, 0, ahat.n_token, &s);
    attention_flow_solver_offsets(&s);
    for (int l = 1; l <= ahat.n_layer; ++l) attention_flow_solver_fill(ahat, l, 0, ahat.n_token, &s);
    attention_flow_solver_end(&s);
    return s;
}

// Degrees first, then fill: node (l-1, i) has forward arcs to (l, k); node (l, k) reverse arcs back.
// While counting, first[u + 1] holds node u's degree; while filling, next_arc[u] is where its next arc
// goes. Edges are numbered in (layer, row, column) order, so a build in steps makes the same arrays.
void attention_flow_solver_begin(const ResidualAttention& ahat, AttentionFlowSolver* s) {
    *s = AttentionFlowSolver{};
    s->n_layer = ahat.n_layer;
    s->n_token = ahat.n_token;
    s->first.assign(static_cast<size_t>(ahat.n_layer + 1) * ahat.n_token + 1, 0);
}

void attention_flow_solver_count(const ResidualAttention& ahat, int layer, int row_begin, int row_end,
                                 AttentionFlowSolver* s) {
    const int T = ahat.n_token;
    for (int k = row_begin; k < row_end; ++k)
        for (int i = 0; i < T; ++i)
            if (ahat.at(layer - 1, k, i) > 0.0) {
                ++s->first[static_cast<size_t>((layer - 1) * T + i) + 1];
                ++s->first[static_cast<size_t>(layer * T + k) + 1];
            }
}

void attention_flow_solver_offsets(AttentionFlowSolver* s) {
    const size_t V = s->first.size() - 1;
    for (size_t u = 0; u < V; ++u) s->first[u + 1] += s->first[u];
    const size_t arcs = static_cast<size_t>(s->first[V]);
    s->capacity.reserve(arcs / 2);
    s->arc_to.resize(arcs);
    s->arc_edge.resize(arcs);
    s->next_arc.assign(s->first.begin(), s->first.end() - 1);
}

void attention_flow_solver_fill(const ResidualAttention& ahat, int layer, int row_begin, int row_end,
                                AttentionFlowSolver* s) {
    const int T = ahat.n_token;
    std::vector<int>& fill = s->next_arc;
    for (int k = row_begin; k < row_end; ++k)
        for (int i = 0; i < T; ++i) {
            const double w = ahat.at(layer - 1, k, i);
            if (!(w > 0.0)) continue;
            const int e = static_cast<int>(s->capacity.size()), from = (layer - 1) * T + i, to = layer * T + k;
            s->capacity.push_back(w);
            s->arc_to[fill[from]] = to;
            s->arc_edge[fill[from]++] = e;
            s->arc_to[fill[to]] = from;
            s->arc_edge[fill[to]++] = ~e;
        }
}

void attention_flow_solver_end(AttentionFlowSolver* s) {
    const size_t V = s->first.size() - 1;
    s->flow.assign(s->capacity.size(), 0.0);
    s->level.assign(V, -1);
    s->next_arc.assign(V, 0);
}

double attention_flow_between(AttentionFlowSolver& s, int input_token, int output_token) {
    const int T = s.n_token;
    if (input_token < 0 || input_token >= T || output_token < 0 || output_token >= T || s.first.empty()) return 0.0;
    const int source = input_token, sink = s.n_layer * T + output_token;
    if (source == sink) return 1.0;   // no layers: the output is the input
    for (int e : s.touched) s.flow[e] = 0.0;   // not all E: a query moves few of them
    s.touched.clear();
    mark_reaches(s, sink);
    if (!s.reaches[source]) return 0.0;
    double total = 0.0;
    while (build_levels(s, source, sink)) total += blocking_flow(s, source, sink);
    return total;
}

std::vector<double> attention_flow_row(const ResidualAttention& ahat, int j) {
    std::vector<double> row(ahat.n_token, 0.0);
    if (ahat.empty() || j < 0 || j >= ahat.n_token) return row;
    AttentionFlowSolver s = attention_flow_solver(ahat);
    for (int i = 0; i < ahat.n_token; ++i) row[i] = attention_flow_between(s, i, j);
    return row;
}

std::vector<double> attention_flow(const ResidualAttention& ahat) {
    const int T = ahat.n_token;
    std::vector<double> f(static_cast<size_t>(T) * T, 0.0);
    if (ahat.empty()) return f;
    AttentionFlowSolver s = attention_flow_solver(ahat);
    for (int j = 0; j < T; ++j)
        for (int i = 0; i < T; ++i) f[static_cast<size_t>(j) * T + i] = attention_flow_between(s, i, j);
    return f;
}

}  // namespace attn
