// Full-target triangle for the heatmap colouring pass: no vertex buffer, positions from gl_VertexID.
// The "#version" line is prepended at load ("330 core" natively, "300 es" on the web).
void main() {
    vec2 p = vec2(float((gl_VertexID << 1) & 2), float(gl_VertexID & 2));
    gl_Position = vec4(p * 2.0 - 1.0, 0.0, 1.0);
}
