// Which colour theme the app uses: its own header so the URL state (ui/url_fragment.h) can name it
// without the whole app (ui/theme.h holds the colours each theme draws with).
#pragma once

namespace attn {

enum class Theme { dark, light };

}  // namespace attn
