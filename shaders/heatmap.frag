// Colours one heatmap cell per fragment: the cell's probability (R32F, exact, fetched unfiltered) is
// divided by u_vmax and looked up in a 256-entry colormap; negative values mark masked (future) cells,
// drawn in the map's mask colour so they never read as a zero weight; -2 marks NaN/Inf cells, drawn in
// the bad colour. The target is one texel per cell.
precision highp float;
precision highp int;

uniform highp sampler2D u_values;   // (T rows, S columns) probabilities on [0, 1]; < 0 masked
uniform highp sampler2D u_colormap; // 256 x 1 RGBA8
uniform vec4 u_masked;
uniform vec4 u_bad;                 // -2: NaN or infinity (ui/heatmap_cells.h)
uniform float u_vmax;               // > 0: the value shown at the top of the map (1, or auto scale)

out vec4 frag_color;

void main() {
    ivec2 cell = ivec2(gl_FragCoord.xy);
    float v = texelFetch(u_values, cell, 0).r;
    if (v < -1.5) {
        frag_color = u_bad;
        return;
    }
    if (v < 0.0) {
        frag_color = u_masked;
        return;
    }
    int index = int(clamp(v / u_vmax, 0.0, 1.0) * 255.0 + 0.5);
    frag_color = texelFetch(u_colormap, ivec2(index, 0), 0);
}
